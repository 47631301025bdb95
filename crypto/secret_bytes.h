// SecretBytes: a byte buffer for key material. Its memory is wiped with sodium_memzero when it is
// freed, moved from or resized, and it has no implicit conversion to text, so it cannot reach a
// log line or an error message by accident.
#ifndef SWARMKV_CRYPTO_SECRET_BYTES_H_
#define SWARMKV_CRYPTO_SECRET_BYTES_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/strings/string_view.h"

namespace swarmkv {

class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(size_t size) : bytes_(size) {}
  // Copies `data`; the caller wipes its own copy.
  explicit SecretBytes(absl::string_view data) : bytes_(data.begin(), data.end()) {}
  ~SecretBytes() { Wipe(); }

  SecretBytes(SecretBytes&& other) noexcept : bytes_(std::move(other.bytes_)) { other.Wipe(); }
  SecretBytes& operator=(SecretBytes&& other) noexcept;
  // Copies are explicit (Clone) so every copy of a secret is visible in the code.
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;
  SecretBytes Clone() const { return SecretBytes(view()); }

  // `n` bytes from libsodium's CSPRNG.
  static SecretBytes Random(size_t n);

  size_t size() const { return bytes_.size(); }
  bool empty() const { return bytes_.empty(); }
  uint8_t* data() { return bytes_.data(); }
  const uint8_t* data() const { return bytes_.data(); }
  // The raw bytes, for passing to crypto functions. Never log this.
  absl::string_view view() const {
    return absl::string_view(reinterpret_cast<const char*>(bytes_.data()), bytes_.size());
  }
  // Constant-time comparison.
  bool Equals(const SecretBytes& other) const;

 private:
  void Wipe();
  std::vector<uint8_t> bytes_;
};

}  // namespace swarmkv

#endif  // SWARMKV_CRYPTO_SECRET_BYTES_H_
