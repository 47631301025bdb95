// Content identifiers: CIDv1 = `varint(1) | varint(codec) | multihash`, written as multibase
// base32 (`b` + lower-case RFC 4648, no padding).
//
// A raw block hashed with sha2-256 gets exactly the CID IPFS gives the same bytes with
// `ipfs add --cid-version 1 --raw-leaves` (`bafkrei...`). Manifest blocks use swarmkv's own codec
// from the multicodec private-use range (docs/manifest-format.md).
#ifndef SWARMKV_CRYPTO_CID_H_
#define SWARMKV_CRYPTO_CID_H_

#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "crypto/multihash.h"

namespace swarmkv {

enum class Codec : uint64_t {
  kRaw = 0x55,           // a block of bytes (multicodec "raw")
  kManifest = 0x300001,  // a swarmkv manifest node (multicodec private-use range)
};

absl::string_view CodecName(Codec codec);

class Cid {
 public:
  // Longest CID text accepted by Parse; real ones are about 60 characters.
  static constexpr size_t kMaxTextLength = 256;

  Cid(Codec codec, Multihash multihash) : codec_(codec), multihash_(multihash) {}

  // The CID of `data` stored as a block of `codec`.
  static Cid Compute(Codec codec, absl::string_view data,
                     HashFunction function = HashFunction::kSha2_256);

  // Parses CID text. INVALID_ARGUMENT, with a message that says what is wrong, for anything that
  // is not a canonical base32 CIDv1 of a supported codec and hash (CIDv0 `Qm...` included).
  static absl::StatusOr<Cid> Parse(absl::string_view text);
  // Parses the binary form. The whole input must be one CID.
  static absl::StatusOr<Cid> FromBytes(absl::string_view bytes);
  // Reads one binary CID from the front of `*input`, advancing it.
  static absl::StatusOr<Cid> ReadFrom(absl::string_view* input);

  Codec codec() const { return codec_; }
  const Multihash& multihash() const { return multihash_; }

  std::string ToBytes() const;
  void AppendTo(std::string* out) const;
  std::string ToString() const;
  // True when `data` hashes to this CID's multihash.
  bool Matches(absl::string_view data) const { return multihash_.Matches(data); }
  // The 256-bit DHT key of the content: SHA-256 of the multihash bytes (DESIGN §2).
  Digest256 DhtKey() const;

  friend bool operator==(const Cid& a, const Cid& b) {
    return a.codec_ == b.codec_ && a.multihash_ == b.multihash_;
  }
  friend bool operator!=(const Cid& a, const Cid& b) { return !(a == b); }
  friend bool operator<(const Cid& a, const Cid& b) { return a.ToBytes() < b.ToBytes(); }

  template <typename H>
  friend H AbslHashValue(H h, const Cid& cid) {
    return H::combine(std::move(h), static_cast<uint64_t>(cid.codec_),
                      static_cast<uint64_t>(cid.multihash_.function()), cid.multihash_.digest());
  }

 private:
  Codec codec_;
  Multihash multihash_;
};

}  // namespace swarmkv

#endif  // SWARMKV_CRYPTO_CID_H_
