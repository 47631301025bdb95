#include "crypto/encoding.h"

#include <sodium.h>

#include "absl/strings/str_cat.h"
#include "crypto/sodium.h"

namespace swarmkv {
namespace {

constexpr char kBase32Alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";

int Base32Value(char c, bool upper) {
  if (!upper && c >= 'a' && c <= 'z') return c - 'a';
  if (upper && c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= '2' && c <= '7') return c - '2' + 26;
  return -1;
}

}  // namespace

std::string Base32Encode(absl::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() * 8 + 4) / 5);
  uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 5) {
      out.push_back(kBase32Alphabet[(buffer >> (bits - 5)) & 31]);
      bits -= 5;
    }
  }
  if (bits > 0) out.push_back(kBase32Alphabet[(buffer << (5 - bits)) & 31]);
  return out;
}

absl::StatusOr<std::string> Base32Decode(absl::string_view text, bool allow_upper) {
  // Lengths 1, 3 and 6 (mod 8) cannot come from whole bytes.
  const size_t rem = text.size() % 8;
  if (rem == 1 || rem == 3 || rem == 6) {
    return absl::InvalidArgumentError(
        absl::StrCat("base32 text of length ", text.size(), " is truncated"));
  }
  bool upper = false;
  if (allow_upper) {
    for (char c : text) {
      if (c >= 'A' && c <= 'Z') {
        upper = true;
        break;
      }
    }
  }
  std::string out;
  out.reserve(text.size() * 5 / 8);
  uint32_t buffer = 0;
  int bits = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const int v = Base32Value(text[i], upper);
    if (v < 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "invalid base32 character at position ", i,
          upper ? " (use one case only: all upper or all lower)" : " (expected a-z or 2-7)"));
    }
    buffer = (buffer << 5) | static_cast<uint32_t>(v);
    bits += 5;
    if (bits >= 8) {
      out.push_back(static_cast<char>((buffer >> (bits - 8)) & 0xff));
      bits -= 8;
    }
  }
  if (bits > 0 && (buffer & ((1u << bits) - 1)) != 0) {
    return absl::InvalidArgumentError("base32 text has non-zero trailing bits (not canonical)");
  }
  return out;
}

std::string Base64UrlEncode(absl::string_view bytes) {
  EnsureSodium();
  constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_encoded_len(bytes.size(), kVariant), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), kVariant);
  out.resize(out.size() - 1);  // drop the NUL terminator
  return out;
}

absl::StatusOr<std::string> Base64UrlDecode(absl::string_view text) {
  EnsureSodium();
  std::string out(text.size() * 3 / 4 + 1, '\0');
  size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &len, &end,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      end != text.data() + text.size()) {
    return absl::InvalidArgumentError(
        "invalid base64url text (expected A-Z a-z 0-9 - _, no padding)");
  }
  out.resize(len);
  if (Base64UrlEncode(out) != text) {
    return absl::InvalidArgumentError("base64url text is not canonical (non-zero trailing bits)");
  }
  return out;
}

std::string HexEncode(absl::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

absl::StatusOr<std::string> HexDecode(absl::string_view text) {
  if (text.size() % 2 != 0) {
    return absl::InvalidArgumentError("hex text has an odd number of digits");
  }
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(text.size() / 2);
  for (size_t i = 0; i < text.size(); i += 2) {
    const int high = digit(text[i]);
    const int low = digit(text[i + 1]);
    if (high < 0 || low < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("hex text has a non-hex character at ", high < 0 ? i : i + 1));
    }
    out.push_back(static_cast<char>(high << 4 | low));
  }
  return out;
}

}  // namespace swarmkv
