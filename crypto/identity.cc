#include "crypto/identity.h"

#include <sodium.h>

#include <cstdlib>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "crypto/encoding.h"
#include "crypto/key_file.h"
#include "crypto/sodium.h"

namespace swarmkv {

NodeId NodeId::FromPublicKey(absl::string_view public_key) {
  if (public_key.size() != kPublicKeyBytes) std::abort();
  return NodeId(Sha256(public_key));
}

absl::StatusOr<NodeId> NodeId::Parse(absl::string_view text) {
  if (text.empty() || text[0] != 'b' || text.size() > 64) {
    return absl::InvalidArgumentError(
        "node id must be 'b' followed by the base32 of 32 bytes (53 characters)");
  }
  auto bytes = Base32Decode(text.substr(1));
  if (!bytes.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("malformed node id: ", bytes.status().message()));
  }
  if (bytes->size() != 32) {
    return absl::InvalidArgumentError(
        absl::StrCat("node id holds ", bytes->size(), " bytes; expected 32"));
  }
  Digest256 d;
  std::memcpy(d.data(), bytes->data(), 32);
  return NodeId(d);
}

std::string NodeId::ToString() const { return absl::StrCat("b", Base32Encode(DigestView(bytes_))); }

Identity::Identity(SecretBytes secret_key, std::string public_key)
    : secret_key_(std::move(secret_key)),
      public_key_(std::move(public_key)),
      node_id_(NodeId::FromPublicKey(public_key_)) {}

Identity Identity::Generate() { return FromSeed(SecretBytes::Random(kIdentitySeedBytes)); }

Identity Identity::FromSeed(const SecretBytes& seed) {
  EnsureSodium();
  if (seed.size() != kIdentitySeedBytes) std::abort();
  SecretBytes sk(crypto_sign_SECRETKEYBYTES);
  std::string pk(crypto_sign_PUBLICKEYBYTES, '\0');
  crypto_sign_seed_keypair(reinterpret_cast<unsigned char*>(pk.data()), sk.data(), seed.data());
  return Identity(std::move(sk), std::move(pk));
}

absl::StatusOr<Identity> Identity::LoadOrCreate(const std::string& path,
                                                const SecretBytes* passphrase) {
  SWARMKV_ASSIGN_OR_RETURN(SecretBytes seed, LoadOrCreateKeyFile(path, KeyKind::kIdentity,
                                                                 kIdentitySeedBytes, passphrase));
  return FromSeed(seed);
}

absl::StatusOr<Identity> Identity::Load(const std::string& path) {
  SWARMKV_ASSIGN_OR_RETURN(SecretBytes seed, ReadKeyFile(path, KeyKind::kIdentity));
  if (seed.size() != kIdentitySeedBytes) {
    return absl::DataLossError(absl::StrCat("key file ", path, " does not hold an identity seed"));
  }
  return FromSeed(seed);
}

absl::StatusOr<Identity> Identity::Create(const std::string& path) {
  if (ReadKeyFile(path, KeyKind::kIdentity).status().code() != absl::StatusCode::kNotFound) {
    return absl::AlreadyExistsError(
        absl::StrCat(path, " exists already; a key file is never overwritten"));
  }
  Identity identity = Generate();
  SWARMKV_RETURN_IF_ERROR(WriteKeyFile(path, KeyKind::kIdentity, identity.Seed()));
  return identity;
}

SecretBytes Identity::Seed() const {
  return SecretBytes(secret_key_.view().substr(0, kIdentitySeedBytes));
}

std::string Identity::Sign(absl::string_view message) const {
  std::string sig(crypto_sign_BYTES, '\0');
  crypto_sign_detached(reinterpret_cast<unsigned char*>(sig.data()), nullptr,
                       reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                       secret_key_.data());
  return sig;
}

bool VerifySignature(absl::string_view public_key, absl::string_view message,
                     absl::string_view signature) {
  EnsureSodium();
  if (public_key.size() != crypto_sign_PUBLICKEYBYTES || signature.size() != crypto_sign_BYTES) {
    return false;
  }
  return crypto_sign_verify_detached(
             reinterpret_cast<const unsigned char*>(signature.data()),
             reinterpret_cast<const unsigned char*>(message.data()), message.size(),
             reinterpret_cast<const unsigned char*>(public_key.data())) == 0;
}

}  // namespace swarmkv
