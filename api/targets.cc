#include "api/targets.h"

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"

namespace swarmkv {

absl::StatusOr<Capability> ParseTarget(const std::string& target, const std::string& key) {
  if (target.empty()) {
    return absl::InvalidArgumentError("target is empty: give a CID or a capability URI");
  }
  SWARMKV_ASSIGN_OR_RETURN(Capability capability, Capability::Parse(target));
  if (capability.has_key() || key.empty()) return capability;
  if (key.size() != kContentKeyBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("key must be ", kContentKeyBytes, " bytes; got ", key.size()));
  }
  return Capability(capability.root(), SecretBytes(key));
}

}  // namespace swarmkv
