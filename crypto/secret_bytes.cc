#include "crypto/secret_bytes.h"

#include <sodium.h>

#include "crypto/sodium.h"

namespace swarmkv {

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
  if (this != &other) {
    Wipe();
    bytes_ = std::move(other.bytes_);
    other.Wipe();
  }
  return *this;
}

SecretBytes SecretBytes::Random(size_t n) {
  EnsureSodium();
  SecretBytes out(n);
  randombytes_buf(out.data(), n);
  return out;
}

bool SecretBytes::Equals(const SecretBytes& other) const {
  if (size() != other.size()) return false;
  if (empty()) return true;
  return sodium_memcmp(data(), other.data(), size()) == 0;
}

void SecretBytes::Wipe() {
  if (!bytes_.empty()) sodium_memzero(bytes_.data(), bytes_.size());
  bytes_.clear();
  bytes_.shrink_to_fit();
}

}  // namespace swarmkv
