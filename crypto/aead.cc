#include "crypto/aead.h"

#include <openssl/evp.h>
#include <sodium.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>

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

const EVP_CIPHER* ChaCha20Poly1305() {
  static const EVP_CIPHER* cipher = [] {
    EVP_CIPHER* fetched = EVP_CIPHER_fetch(nullptr, "ChaCha20-Poly1305", nullptr);
    if (fetched == nullptr) std::abort();
    return fetched;
  }();
  return cipher;
}

// XChaCha20-Poly1305 (IETF) is ChaCha20-Poly1305 (RFC 8439) under the subkey
// HChaCha20(key, nonce[0..16)) with the 12-byte nonce 0^4 | nonce[16..24) — exactly libsodium's
// construction. The subkey comes from libsodium; the bulk cipher from OpenSSL, whose AVX2 code is
// ~1.8x faster here (research/baselines.md). aead_test.cc checks the output against libsodium's.
//
// Each thread keeps one context per direction with the cipher already set, so a message only
// re-keys it: a full EVP init per message looks the cipher up and resets everything, which was
// a tenth of the cost of sealing a 1 KiB block.
class ChaChaContext {
 public:
  explicit ChaChaContext(bool encrypt) : ctx_(EVP_CIPHER_CTX_new()) {
    if (ctx_ == nullptr || EVP_CipherInit_ex(ctx_, ChaCha20Poly1305(), nullptr, nullptr, nullptr,
                                             encrypt ? 1 : 0) != 1) {
      std::abort();
    }
  }
  ~ChaChaContext() { EVP_CIPHER_CTX_free(ctx_); }
  EVP_CIPHER_CTX* get() { return ctx_; }

 private:
  EVP_CIPHER_CTX* ctx_;
};

// Sets up `ctx` for one message under (key, 24-byte nonce). The subkey is wiped on return.
void InitContext(EVP_CIPHER_CTX* ctx, const SecretBytes& key, const unsigned char* nonce,
                 bool encrypt) {
  unsigned char subkey[32];
  unsigned char iv[12] = {0, 0, 0, 0};
  crypto_core_hchacha20(subkey, nonce, key.data(), nullptr);
  std::memcpy(iv + 4, nonce + 16, 8);
  // The context's cipher and direction are set once (ChaChaContext); this only re-keys it.
  const int ok = EVP_CipherInit_ex(ctx, nullptr, nullptr, subkey, iv, encrypt ? 1 : 0);
  sodium_memzero(subkey, sizeof(subkey));
  if (ok != 1) std::abort();
}

EVP_CIPHER_CTX* ThreadContext(bool encrypt) {
  thread_local ChaChaContext encrypting(true);
  thread_local ChaChaContext decrypting(false);
  return (encrypt ? encrypting : decrypting).get();
}

// OpenSSL takes int lengths; blocks and records are far below 2 GiB, so this only guards.
int Len(size_t n) {
  if (n > static_cast<size_t>(INT32_MAX)) std::abort();
  return static_cast<int>(n);
}

void Seal(const SecretBytes& key, const unsigned char* nonce, absl::string_view plaintext,
          absl::string_view ad, std::string* out) {
  EVP_CIPHER_CTX* ctx = ThreadContext(true);
  InitContext(ctx, key, nonce, true);
  const size_t start = out->size();
  out->resize(start + plaintext.size() + kAeadTagBytes);
  unsigned char* dst = reinterpret_cast<unsigned char*>(out->data() + start);
  int len = 0;
  if ((!ad.empty() && EVP_EncryptUpdate(ctx, nullptr, &len, U(ad), Len(ad.size())) != 1) ||
      (!plaintext.empty() &&
       EVP_EncryptUpdate(ctx, dst, &len, U(plaintext), Len(plaintext.size())) != 1) ||
      EVP_EncryptFinal_ex(ctx, dst + plaintext.size(), &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, kAeadTagBytes, dst + plaintext.size()) != 1) {
    std::abort();  // only fails on a programming error
  }
}

bool Open(const SecretBytes& key, const unsigned char* nonce, absl::string_view ciphertext,
          absl::string_view ad, std::string* out) {
  if (ciphertext.size() < kAeadTagBytes) return false;
  const size_t n = ciphertext.size() - kAeadTagBytes;
  EVP_CIPHER_CTX* ctx = ThreadContext(false);
  InitContext(ctx, key, nonce, false);
  out->resize(n);
  unsigned char* dst = reinterpret_cast<unsigned char*>(out->data());
  unsigned char tag[kAeadTagBytes];
  std::memcpy(tag, ciphertext.data() + n, kAeadTagBytes);
  int len = 0;
  const bool ok =
      (ad.empty() || EVP_DecryptUpdate(ctx, nullptr, &len, U(ad), Len(ad.size())) == 1) &&
      (n == 0 || EVP_DecryptUpdate(ctx, dst, &len, U(ciphertext), Len(n)) == 1) &&
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, kAeadTagBytes, tag) == 1 &&
      EVP_DecryptFinal_ex(ctx, dst + n, &len) == 1;
  if (!ok) {
    // Never hand out unauthenticated plaintext.
    sodium_memzero(out->data(), out->size());
    out->clear();
  }
  return ok;
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
