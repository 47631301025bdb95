#include "crypto/capability.h"

#include <cstdlib>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "crypto/encoding.h"

namespace swarmkv {

Capability::Capability(Cid root, SecretBytes key) : root_(root), key_(std::move(key)) {
  if (key_.size() != kContentKeyBytes) std::abort();
}

Capability Capability::Clone() const {
  if (!has_key()) return Capability(root_);
  return Capability(root_, key_.Clone());
}

absl::StatusOr<Capability> Capability::Parse(absl::string_view text) {
  if (absl::StartsWith(text, kCapabilityScheme)) text.remove_prefix(kCapabilityScheme.size());
  const size_t hash = text.find('#');
  SWARMKV_ASSIGN_OR_RETURN(Cid root, Cid::Parse(text.substr(0, hash)));
  if (hash == absl::string_view::npos) return Capability(root);
  const absl::string_view fragment = text.substr(hash + 1);
  if (fragment.empty()) {
    return absl::InvalidArgumentError(
        "capability has an empty key after '#'; the URI was probably cut short");
  }
  auto key = Base64UrlDecode(fragment);
  if (!key.ok() || key->size() != kContentKeyBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "capability key must be base64url of ", kContentKeyBytes, " bytes (43 characters); got ",
        fragment.size(), " characters: the URI may be truncated or mistyped"));
  }
  SecretBytes secret(*key);
  std::fill(key->begin(), key->end(), '\0');
  return Capability(root, std::move(secret));
}

std::string Capability::ToUri() const {
  std::string uri = absl::StrCat(kCapabilityScheme, root_.ToString());
  if (has_key()) absl::StrAppend(&uri, "#", Base64UrlEncode(key_.view()));
  return uri;
}

}  // namespace swarmkv
