#include "crypto/multihash.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/status_macros.h"
#include "crypto/varint.h"

namespace swarmkv {

absl::string_view HashFunctionName(HashFunction f) {
  switch (f) {
    case HashFunction::kSha2_256:
      return "sha2-256";
    case HashFunction::kBlake2b_256:
      return "blake2b-256";
  }
  return "unknown";
}

absl::StatusOr<HashFunction> ParseHashFunction(absl::string_view name) {
  if (name == "sha2-256") return HashFunction::kSha2_256;
  if (name == "blake2b-256") return HashFunction::kBlake2b_256;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown hash function \"", name, "\"; use sha2-256 or blake2b-256"));
}

Multihash Multihash::Compute(HashFunction function, absl::string_view data) {
  return Multihash(function, function == HashFunction::kSha2_256 ? Sha256(data) : Blake2b256(data));
}

absl::StatusOr<Multihash> Multihash::ReadFrom(absl::string_view* input) {
  SWARMKV_ASSIGN_OR_RETURN(uint64_t code, ReadVarint(input, "multihash function code"));
  if (code != static_cast<uint64_t>(HashFunction::kSha2_256) &&
      code != static_cast<uint64_t>(HashFunction::kBlake2b_256)) {
    return absl::InvalidArgumentError(
        absl::StrFormat("unsupported multihash function 0x%x; swarmkv accepts sha2-256 (0x12) and "
                        "blake2b-256 (0xb220)",
                        code));
  }
  SWARMKV_ASSIGN_OR_RETURN(uint64_t length, ReadVarint(input, "multihash digest length"));
  if (length != 32) {
    return absl::InvalidArgumentError(
        absl::StrCat("multihash digest length is ", length, "; expected 32"));
  }
  if (input->size() < 32) {
    return absl::InvalidArgumentError(
        absl::StrCat("multihash digest is truncated: ", input->size(), " of 32 bytes"));
  }
  Digest256 digest;
  std::memcpy(digest.data(), input->data(), 32);
  input->remove_prefix(32);
  return Multihash(static_cast<HashFunction>(code), digest);
}

bool Multihash::Matches(absl::string_view data) const {
  return Compute(function_, data).digest_ == digest_;
}

void Multihash::AppendTo(std::string* out) const {
  AppendVarint(static_cast<uint64_t>(function_), out);
  AppendVarint(digest_.size(), out);
  out->append(reinterpret_cast<const char*>(digest_.data()), digest_.size());
}

std::string Multihash::ToBytes() const {
  std::string out;
  AppendTo(&out);
  return out;
}

}  // namespace swarmkv
