// Turns the `target` (and optional key) of an API request into a Capability.
#ifndef SWARMKV_API_TARGETS_H_
#define SWARMKV_API_TARGETS_H_

#include <string>

#include "absl/status/statusor.h"
#include "crypto/capability.h"

namespace swarmkv {

// `target` is a CID or a capability URI. A non-empty `key` (32 bytes) is used when the target
// carries none. INVALID_ARGUMENT for anything malformed.
absl::StatusOr<Capability> ParseTarget(const std::string& target, const std::string& key = "");

}  // namespace swarmkv

#endif  // SWARMKV_API_TARGETS_H_
