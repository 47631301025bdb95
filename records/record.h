// Signed mutable records (DESIGN §6b, docs/records.md): a value under a key its publisher chose,
// that only the publisher can change, findable by anyone from (publisher, key).
//
// The encoding is a fixed layout of our own, not protobuf: the signature covers the encoded
// bytes, so they must be the same on every node and in every language, and protobuf's encoding
// is not canonical (field order, default values, unknown fields). docs/records.md has the layout.
//
// Thread safety: values; the functions are pure.
#ifndef SWARMKV_RECORDS_RECORD_H_
#define SWARMKV_RECORDS_RECORD_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "crypto/hash.h"
#include "crypto/identity.h"

namespace swarmkv {

// Limits (docs/records.md).
inline constexpr size_t kMaxRecordKeyBytes = 256;
inline constexpr size_t kMaxRecordValueBytes = 64 * 1024;
// An encoded record is never larger than this (the key, value, fixed fields and signature).
inline constexpr size_t kMaxEncodedRecordBytes = kMaxRecordKeyBytes + kMaxRecordValueBytes + 256;
// Records live 48 h unless republished; the publisher republishes at half of it.
inline constexpr absl::Duration kDefaultRecordLifetime = absl::Hours(48);

struct Record {
  std::string key;         // UTF-8, 1..256 bytes
  std::string value;       // up to 64 KiB; empty in a tombstone
  uint64_t sequence = 0;   // higher wins
  std::string publisher;   // the publisher's Ed25519 public key, 32 bytes
  int64_t expires_at = 0;  // Unix seconds
  bool tombstone = false;  // a deletion: the key has no value from this sequence on
  bool encrypted = false;  // the value is sealed under a caller's secret (SealRecordValue)
  std::string signature;   // Ed25519 over SignedBytes(), 64 bytes

  NodeId publisher_id() const { return NodeId::FromPublicKey(publisher); }
  Digest256 dht_key() const;
  // "<publisher id>/<key>".
  std::string Name() const;
};

// Where a record lives in the DHT: SHA-256 over a domain prefix, the publisher's id (the hash of
// its public key, so a name needs no key to be resolved) and the key. Namespaces are per
// publisher: nobody can write under another's key pair.
Digest256 RecordDhtKey(const NodeId& publisher, absl::string_view key);

// INVALID_ARGUMENT (naming the field) for a key that is empty, too long or not UTF-8, or a value
// that is too large (RESOURCE_EXHAUSTED), or a tombstone with a value.
absl::Status CheckRecordFields(absl::string_view key, absl::string_view value, bool tombstone);

// A record signed by `publisher`.
absl::StatusOr<Record> SignRecord(const Identity& publisher, std::string key, std::string value,
                                  uint64_t sequence, absl::Time expires_at, bool tombstone = false,
                                  bool encrypted = false);

// Optional value encryption: XChaCha20-Poly1305 under a key derived from a secret the caller
// holds and the record's name (BLAKE2b keyed with the secret), the name as associated data, so
// storing nodes hold only ciphertext and a sealed value cannot be moved to another name.
inline constexpr size_t kMinRecordSecretBytes = 16;
inline constexpr size_t kMaxRecordSecretBytes = 64;
// What sealing adds to a value (nonce and tag).
inline constexpr size_t kRecordSealOverhead = 40;
// INVALID_ARGUMENT for a secret outside 16..64 bytes.
absl::StatusOr<std::string> SealRecordValue(absl::string_view secret, absl::string_view name,
                                            absl::string_view value);
// PERMISSION_DENIED when `secret` does not open it.
absl::StatusOr<std::string> OpenRecordValue(absl::string_view secret, absl::string_view name,
                                            absl::string_view sealed);

// The bytes the signature covers: everything but the signature, after a domain prefix.
std::string SignedBytes(const Record& record);
std::string EncodeRecord(const Record& record);
// Parses and verifies: INVALID_ARGUMENT, saying what is wrong, for anything malformed, over a
// limit, or whose signature does not verify. The whole input must be one record.
absl::StatusOr<Record> DecodeRecord(absl::string_view bytes);
// The same checks but the signature's: only for bytes that were decoded (verified) before.
absl::StatusOr<Record> ParseRecord(absl::string_view bytes);

// True when `a` should replace `b`: a higher sequence; at the same sequence a later expiry (a
// republish); then an encoding that sorts after b's (a rule every node computes alike; equal
// records replace nothing).
bool Supersedes(const Record& a, const Record& b);

// A record name as users write it: "<publisher id>/<key>", or a bare key (this node's
// publisher). The first segment is a publisher only when it parses as a node id.
struct RecordName {
  std::optional<NodeId> publisher;  // none: the local publisher
  std::string key;
};
absl::StatusOr<RecordName> ParseRecordName(absl::string_view name);

}  // namespace swarmkv

#endif  // SWARMKV_RECORDS_RECORD_H_
