#include "crypto/aead.h"

#include <sodium.h>

#include <cstdlib>

#include "crypto/sodium.h"

namespace swarmkv {
namespace {

static_assert(kAeadKeyBytes == crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
static_assert(kAeadNonceBytes == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
static_assert(kAeadTagBytes == crypto_aead_xchacha20poly1305_ietf_ABYTES);

const unsigned char kZeroNonce[kAeadNonceBytes] = {};

const unsigned char* U(absl::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

void CheckKey(const SecretBytes& key) {
  if (key.size() != kAeadKeyBytes) std::abort();  // a programming error, never input
}

void Seal(const SecretBytes& key, const unsigned char* nonce, absl::string_view plaintext,
          absl::string_view ad, std::string* out) {
  const size_t start = out->size();
  out->resize(start + plaintext.size() + kAeadTagBytes);
  unsigned long long len = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      reinterpret_cast<unsigned char*>(out->data() + start), &len, U(plaintext), plaintext.size(),
      U(ad), ad.size(), nullptr, nonce, key.data());
}

bool Open(const SecretBytes& key, const unsigned char* nonce, absl::string_view ciphertext,
          absl::string_view ad, std::string* out) {
  if (ciphertext.size() < kAeadTagBytes) return false;
  out->resize(ciphertext.size() - kAeadTagBytes);
  unsigned long long len = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(reinterpret_cast<unsigned char*>(out->data()),
                                                 &len, nullptr, U(ciphertext), ciphertext.size(),
                                                 U(ad), ad.size(), nonce, key.data()) != 0) {
    out->clear();
    return false;
  }
  return true;
}

}  // namespace

void SealWithRandomNonce(const SecretBytes& key, absl::string_view plaintext, absl::string_view ad,
                         std::string* out) {
  EnsureSodium();
  CheckKey(key);
  unsigned char nonce[kAeadNonceBytes];
  randombytes_buf(nonce, sizeof(nonce));
  out->append(reinterpret_cast<const char*>(nonce), sizeof(nonce));
  Seal(key, nonce, plaintext, ad, out);
}

bool OpenWithRandomNonce(const SecretBytes& key, absl::string_view sealed, absl::string_view ad,
                         std::string* out) {
  EnsureSodium();
  CheckKey(key);
  if (sealed.size() < kAeadNonceBytes + kAeadTagBytes) return false;
  return Open(key, U(sealed), sealed.substr(kAeadNonceBytes), ad, out);
}

void SealWithSingleUseKey(const SecretBytes& key, absl::string_view plaintext, absl::string_view ad,
                          std::string* out) {
  EnsureSodium();
  CheckKey(key);
  Seal(key, kZeroNonce, plaintext, ad, out);
}

bool OpenWithSingleUseKey(const SecretBytes& key, absl::string_view sealed, absl::string_view ad,
                          std::string* out) {
  EnsureSodium();
  CheckKey(key);
  return Open(key, kZeroNonce, sealed, ad, out);
}

}  // namespace swarmkv
