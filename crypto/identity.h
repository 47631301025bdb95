// Node identity: an Ed25519 key pair (libsodium crypto_sign). The NodeId is the SHA-256 of the
// public key, written like a CID (multibase base32, `b` prefix).
#ifndef SWARMKV_CRYPTO_IDENTITY_H_
#define SWARMKV_CRYPTO_IDENTITY_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "crypto/hash.h"
#include "crypto/secret_bytes.h"

namespace swarmkv {

inline constexpr size_t kPublicKeyBytes = 32;
inline constexpr size_t kSignatureBytes = 64;
inline constexpr size_t kIdentitySeedBytes = 32;

class NodeId {
 public:
  explicit NodeId(const Digest256& bytes) : bytes_(bytes) {}
  // The id of the node whose Ed25519 public key is `public_key`.
  // REQUIRES: public_key.size() == kPublicKeyBytes.
  static NodeId FromPublicKey(absl::string_view public_key);
  // INVALID_ARGUMENT unless `text` is `b` + base32 of exactly 32 bytes.
  static absl::StatusOr<NodeId> Parse(absl::string_view text);

  const Digest256& bytes() const { return bytes_; }
  std::string ToString() const;

  friend bool operator==(const NodeId& a, const NodeId& b) { return a.bytes_ == b.bytes_; }
  friend bool operator!=(const NodeId& a, const NodeId& b) { return !(a == b); }
  friend bool operator<(const NodeId& a, const NodeId& b) { return a.bytes_ < b.bytes_; }
  template <typename H>
  friend H AbslHashValue(H h, const NodeId& id) {
    return H::combine(std::move(h), id.bytes_);
  }

 private:
  Digest256 bytes_;
};

// Thread safety: immutable after construction; safe to share.
class Identity {
 public:
  static Identity Generate();
  // REQUIRES: seed.size() == kIdentitySeedBytes.
  static Identity FromSeed(const SecretBytes& seed);
  // Loads `path` (a KeyKind::kIdentity key file), creating a new identity there if it is absent.
  static absl::StatusOr<Identity> LoadOrCreate(const std::string& path,
                                               const SecretBytes* passphrase = nullptr);
  // Loads `path`, which must exist (NOT_FOUND otherwise, PERMISSION_DENIED for a key file others
  // can read).
  static absl::StatusOr<Identity> Load(const std::string& path);
  // Writes a new identity to `path` (0600); ALREADY_EXISTS when something is there.
  static absl::StatusOr<Identity> Create(const std::string& path);

  Identity(Identity&&) = default;
  Identity& operator=(Identity&&) = default;

  const std::string& public_key() const { return public_key_; }
  const NodeId& node_id() const { return node_id_; }
  // The 32-byte seed the key pair derives from; what the key file stores.
  SecretBytes Seed() const;
  // A detached Ed25519 signature (64 bytes) of `message`.
  std::string Sign(absl::string_view message) const;

 private:
  Identity(SecretBytes secret_key, std::string public_key);
  SecretBytes secret_key_;  // libsodium's 64-byte form: seed | public key
  std::string public_key_;
  NodeId node_id_;
};

// True when `signature` is `public_key`'s valid signature of `message`. Any malformed input
// (wrong sizes included) is simply false.
bool VerifySignature(absl::string_view public_key, absl::string_view message,
                     absl::string_view signature);

}  // namespace swarmkv

#endif  // SWARMKV_CRYPTO_IDENTITY_H_
