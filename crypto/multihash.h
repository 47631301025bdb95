// Multihash (multiformats): `varint(hash code) | varint(digest length) | digest`.
// swarmkv accepts exactly two functions, both with 32-byte digests.
#ifndef SWARMKV_CRYPTO_MULTIHASH_H_
#define SWARMKV_CRYPTO_MULTIHASH_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "crypto/hash.h"

namespace swarmkv {

enum class HashFunction : uint64_t {
  kSha2_256 = 0x12,       // the default, IPFS's
  kBlake2b_256 = 0xb220,  // faster without SHA extensions
};

// "sha2-256" or "blake2b-256".
absl::string_view HashFunctionName(HashFunction f);
// Parses a name as HashFunctionName prints it. INVALID_ARGUMENT otherwise.
absl::StatusOr<HashFunction> ParseHashFunction(absl::string_view name);

class Multihash {
 public:
  // The multihash of `data` under `function`.
  static Multihash Compute(HashFunction function, absl::string_view data);
  // Reads one multihash from the front of `*input`, advancing it. INVALID_ARGUMENT for an
  // unsupported function, a digest length other than 32, or truncated input.
  static absl::StatusOr<Multihash> ReadFrom(absl::string_view* input);

  Multihash(HashFunction function, const Digest256& digest)
      : function_(function), digest_(digest) {}

  HashFunction function() const { return function_; }
  const Digest256& digest() const { return digest_; }
  // True when `data` hashes to this multihash.
  bool Matches(absl::string_view data) const;
  void AppendTo(std::string* out) const;
  std::string ToBytes() const;

  friend bool operator==(const Multihash& a, const Multihash& b) {
    return a.function_ == b.function_ && a.digest_ == b.digest_;
  }
  friend bool operator!=(const Multihash& a, const Multihash& b) { return !(a == b); }

 private:
  HashFunction function_;
  Digest256 digest_;
};

}  // namespace swarmkv

#endif  // SWARMKV_CRYPTO_MULTIHASH_H_
