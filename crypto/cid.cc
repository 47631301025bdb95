#include "crypto/cid.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/status_macros.h"
#include "crypto/encoding.h"
#include "crypto/varint.h"

namespace swarmkv {

absl::string_view CodecName(Codec codec) {
  switch (codec) {
    case Codec::kRaw:
      return "raw";
    case Codec::kManifest:
      return "swarmkv-manifest";
  }
  return "unknown";
}

Cid Cid::Compute(Codec codec, absl::string_view data, HashFunction function) {
  return Cid(codec, Multihash::Compute(function, data));
}

absl::StatusOr<Cid> Cid::Parse(absl::string_view text) {
  if (text.empty()) return absl::InvalidArgumentError("empty CID");
  if (text.size() > kMaxTextLength) {
    return absl::InvalidArgumentError(
        absl::StrCat("CID text is ", text.size(), " characters; the limit is ", kMaxTextLength));
  }
  if (absl::StartsWith(text, "Qm") && text.size() == 46) {
    return absl::InvalidArgumentError(
        "CIDv0 (Qm...) is not supported; swarmkv uses CIDv1 in base32 (b...)");
  }
  if (text[0] != 'b' && text[0] != 'B') {
    return absl::InvalidArgumentError(absl::StrCat(
        "CID must be multibase base32 (start with 'b'); got prefix '", text.substr(0, 1), "'"));
  }
  // 'B' is multibase's base32upper: the rest must be upper case too (fuzz_cid found "B" followed
  // by lower case accepted, a second spelling of the same CID).
  const bool upper = text[0] == 'B';
  if (upper && std::any_of(text.begin() + 1, text.end(), absl::ascii_islower)) {
    return absl::InvalidArgumentError(
        "malformed CID: after the base32upper prefix 'B' every letter must be upper case");
  }
  auto bytes = Base32Decode(text.substr(1), /*allow_upper=*/upper);
  if (!bytes.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("malformed CID: ", bytes.status().message()));
  }
  return FromBytes(*bytes);
}

absl::StatusOr<Cid> Cid::FromBytes(absl::string_view bytes) {
  SWARMKV_ASSIGN_OR_RETURN(Cid cid, ReadFrom(&bytes));
  if (!bytes.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("malformed CID: ", bytes.size(), " unexpected bytes after the multihash"));
  }
  return cid;
}

absl::StatusOr<Cid> Cid::ReadFrom(absl::string_view* input) {
  auto malformed = [](const absl::Status& s) {
    return absl::InvalidArgumentError(absl::StrCat("malformed CID: ", s.message()));
  };
  auto version = ReadVarint(input, "CID version");
  if (!version.ok()) return malformed(version.status());
  if (*version != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("unsupported CID version ", *version, "; swarmkv uses CIDv1"));
  }
  auto codec = ReadVarint(input, "CID codec");
  if (!codec.ok()) return malformed(codec.status());
  if (*codec != static_cast<uint64_t>(Codec::kRaw) &&
      *codec != static_cast<uint64_t>(Codec::kManifest)) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "unsupported CID codec 0x%x; swarmkv stores raw (0x55) and manifest (0x300001) blocks",
        *codec));
  }
  auto multihash = Multihash::ReadFrom(input);
  if (!multihash.ok()) return malformed(multihash.status());
  return Cid(static_cast<Codec>(*codec), *multihash);
}

void Cid::AppendTo(std::string* out) const {
  AppendVarint(1, out);
  AppendVarint(static_cast<uint64_t>(codec_), out);
  multihash_.AppendTo(out);
}

std::string Cid::ToBytes() const {
  std::string out;
  AppendTo(&out);
  return out;
}

std::string Cid::ToString() const { return absl::StrCat("b", Base32Encode(ToBytes())); }

Digest256 Cid::DhtKey() const { return Sha256(multihash_.ToBytes()); }

}  // namespace swarmkv
