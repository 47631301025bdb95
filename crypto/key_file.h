// Key files: one secret per file, mode 0600, optionally wrapped by a passphrase with Argon2id.
// The format is in docs/storage-layout.md ("Key files").
//
// Error codes (what the caller should do next):
//   NOT_FOUND          the file does not exist (create it, or point at the right data dir)
//   ALREADY_EXISTS     writing would replace a key (never done: a lost key is lost data)
//   PERMISSION_DENIED  the file is readable by group or others (chmod 600), or wrong passphrase
//   FAILED_PRECONDITION the file is passphrase-protected and no passphrase was given
//   INVALID_ARGUMENT   the file holds another kind of key
//   DATA_LOSS          the file is damaged
#ifndef SWARMKV_CRYPTO_KEY_FILE_H_
#define SWARMKV_CRYPTO_KEY_FILE_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "crypto/secret_bytes.h"

namespace swarmkv {

enum class KeyKind : uint8_t {
  kIdentity = 1,     // Ed25519 seed, 32 bytes
  kStorage = 2,      // at-rest sealing key, 32 bytes
  kConvergence = 3,  // cluster secret for convergent encryption, 32 bytes
};

// Argon2id cost. The defaults are libsodium's "interactive" limits (64 MiB, 2 passes): about a
// tenth of a second here; raise them for keys that are unwrapped rarely.
struct PassphraseCost {
  uint64_t ops_limit = 2;
  uint64_t mem_limit = 64ull << 20;
};

// Key files larger than this are refused before they are read.
inline constexpr size_t kMaxKeyFileBytes = 4096;

// Writes `key` to `path` atomically (temp file, fsync, rename) with mode 0600. With a non-null,
// non-empty `passphrase`, the key is sealed under an Argon2id-derived key.
absl::Status WriteKeyFile(const std::string& path, KeyKind kind, const SecretBytes& key,
                          const SecretBytes* passphrase = nullptr, PassphraseCost cost = {});

// Reads the key in `path`, checking its mode and kind first.
absl::StatusOr<SecretBytes> ReadKeyFile(const std::string& path, KeyKind kind,
                                        const SecretBytes* passphrase = nullptr);

// Reads `path`, or, when it does not exist, creates it with `size` fresh random bytes.
absl::StatusOr<SecretBytes> LoadOrCreateKeyFile(const std::string& path, KeyKind kind, size_t size,
                                                const SecretBytes* passphrase = nullptr,
                                                PassphraseCost cost = {});

}  // namespace swarmkv

#endif  // SWARMKV_CRYPTO_KEY_FILE_H_
