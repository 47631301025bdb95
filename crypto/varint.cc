#include "crypto/varint.h"

#include <cstdlib>

#include "absl/strings/str_cat.h"

namespace swarmkv {

void AppendVarint(uint64_t value, std::string* out) {
  if (value > kMaxVarint) std::abort();  // callers bound their values; never input-driven
  while (value >= 0x80) {
    out->push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out->push_back(static_cast<char>(value));
}

absl::StatusOr<uint64_t> ReadVarint(absl::string_view* input, absl::string_view what) {
  uint64_t value = 0;
  for (size_t i = 0; i < 9; ++i) {
    if (i >= input->size()) {
      return absl::InvalidArgumentError(absl::StrCat(what, ": input ends inside a varint"));
    }
    const uint8_t byte = static_cast<uint8_t>((*input)[i]);
    value |= static_cast<uint64_t>(byte & 0x7f) << (7 * i);
    if ((byte & 0x80) == 0) {
      if (byte == 0 && i > 0) {
        return absl::InvalidArgumentError(absl::StrCat(what, ": varint is not minimally encoded"));
      }
      input->remove_prefix(i + 1);
      return value;
    }
  }
  return absl::InvalidArgumentError(absl::StrCat(what, ": varint longer than 9 bytes"));
}

}  // namespace swarmkv
