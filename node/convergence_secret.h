// The cluster's convergence secret, shared by every node of one cluster (a Compose or Kubernetes
// secret mounted as a file). Convergent mode derives each block's key from this secret and the
// content, so identical content put on two nodes gets one CID only when they share it; a node
// given no file makes its own (<data>/convergence.key) and is then a cluster of one for dedup.
//
// The file holds 64 hex digits (32 bytes), as `openssl rand -hex 32` prints; surrounding
// whitespace is ignored.
#ifndef SWARMKV_NODE_CONVERGENCE_SECRET_H_
#define SWARMKV_NODE_CONVERGENCE_SECRET_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "crypto/secret_bytes.h"

namespace swarmkv {

inline constexpr size_t kConvergenceSecretBytes = 32;

// Reads the secret in `path`. INVALID_ARGUMENT when the file cannot be read or does not hold
// exactly 64 hex digits; PERMISSION_DENIED when users other than the owner and group may read
// or write it (a group bit is allowed: Kubernetes gives mounted secrets to the pod's fsGroup).
absl::StatusOr<SecretBytes> ReadConvergenceSecretFile(const std::string& path);
// The secret in a file's `text`: 64 hex digits, surrounding whitespace ignored.
// INVALID_ARGUMENT ("must hold 64 hex digits ...") otherwise.
absl::StatusOr<SecretBytes> ParseConvergenceSecret(absl::string_view text);

}  // namespace swarmkv

#endif  // SWARMKV_NODE_CONVERGENCE_SECRET_H_
