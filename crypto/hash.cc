#include "crypto/hash.h"

#include <openssl/evp.h>
#include <sodium.h>

#include <cstdlib>

#include "crypto/sodium.h"

namespace swarmkv {
namespace {

// OpenSSL 3 looks algorithms up by name on every implicit fetch; fetch once and keep it.
const EVP_MD* Sha256Md() {
  static const EVP_MD* md = [] {
    EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (fetched == nullptr) std::abort();
    return fetched;
  }();
  return md;
}

}  // namespace

Digest256 Sha256(absl::string_view data) {
  Digest256 out;
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &len, Sha256Md(), nullptr) != 1 ||
      len != out.size()) {
    std::abort();  // only fails on allocation failure
  }
  return out;
}

Digest256 Blake2b256(absl::string_view data) {
  EnsureSodium();
  Digest256 out;
  crypto_generichash(out.data(), out.size(), reinterpret_cast<const unsigned char*>(data.data()),
                     data.size(), nullptr, 0);
  return out;
}

Digest256 KeyedBlake2b256(const SecretBytes& key, absl::string_view domain,
                          absl::string_view data) {
  EnsureSodium();
  if (key.size() < crypto_generichash_KEYBYTES_MIN ||
      key.size() > crypto_generichash_KEYBYTES_MAX) {
    std::abort();
  }
  crypto_generichash_state state;
  crypto_generichash_init(&state, key.data(), key.size(), 32);
  // The domain is length-prefixed so (domain, data) pairs cannot collide by shifting bytes.
  const unsigned char domain_len = static_cast<unsigned char>(domain.size());
  crypto_generichash_update(&state, &domain_len, 1);
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(domain.data()),
                            domain.size());
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(data.data()),
                            data.size());
  Digest256 out;
  crypto_generichash_final(&state, out.data(), out.size());
  sodium_memzero(&state, sizeof(state));
  return out;
}

Sha256Hasher::Sha256Hasher() : ctx_(EVP_MD_CTX_new()) {
  if (ctx_ == nullptr || EVP_DigestInit_ex(ctx_, Sha256Md(), nullptr) != 1) std::abort();
}

Sha256Hasher::~Sha256Hasher() { EVP_MD_CTX_free(ctx_); }

void Sha256Hasher::Update(absl::string_view data) {
  if (EVP_DigestUpdate(ctx_, data.data(), data.size()) != 1) std::abort();
}

Digest256 Sha256Hasher::Finish() {
  Digest256 out;
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx_, out.data(), &len) != 1 ||
      EVP_DigestInit_ex(ctx_, Sha256Md(), nullptr) != 1) {
    std::abort();
  }
  return out;
}

}  // namespace swarmkv
