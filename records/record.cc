#include "records/record.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "crypto/aead.h"
#include "crypto/secret_bytes.h"
#include "crypto/varint.h"

namespace swarmkv {
namespace {

constexpr uint8_t kRecordVersion = 1;
constexpr uint8_t kTombstoneFlag = 0x01;
constexpr uint8_t kEncryptedFlag = 0x02;
constexpr absl::string_view kValueKeyDomain = "swarmkv-record-value-v1";
constexpr absl::string_view kSignatureDomain = "swarmkv-record-v1";
constexpr absl::string_view kDhtKeyDomain = "swarmkv-record-key-v1";

// Well-formed UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing past U+10FFFF.
bool IsUtf8(absl::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    size_t extra = 0;
    uint32_t min = 0, code = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      extra = 1, min = 0x80, code = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2, min = 0x800, code = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3, min = 0x10000, code = c & 0x07;
    } else {
      return false;
    }
    if (i + extra >= text.size()) return false;  // truncated sequence
    for (size_t k = 1; k <= extra; ++k) {
      const auto d = static_cast<unsigned char>(text[i + k]);
      if ((d & 0xC0) != 0x80) return false;
      code = (code << 6) | (d & 0x3F);
    }
    if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return false;
    i += extra + 1;
  }
  return true;
}

void AppendBytes(absl::string_view bytes, std::string* out) {
  AppendVarint(bytes.size(), out);
  out->append(bytes.data(), bytes.size());
}

absl::StatusOr<absl::string_view> ReadBytes(absl::string_view* in, size_t max,
                                            absl::string_view what) {
  SWARMKV_ASSIGN_OR_RETURN(uint64_t size, ReadVarint(in, what));
  if (size > max || size > in->size()) {
    return absl::InvalidArgumentError(absl::StrCat("record ", what, " is too long or truncated"));
  }
  absl::string_view bytes = in->substr(0, size);
  in->remove_prefix(size);
  return bytes;
}

// Everything but the signature.
std::string EncodeUnsigned(const Record& r) {
  std::string out;
  out.push_back(static_cast<char>(kRecordVersion));
  out.push_back(
      static_cast<char>((r.tombstone ? kTombstoneFlag : 0) | (r.encrypted ? kEncryptedFlag : 0)));
  out.append(r.publisher);
  AppendBytes(r.key, &out);
  AppendBytes(r.value, &out);
  AppendVarint(r.sequence, &out);
  AppendVarint(static_cast<uint64_t>(std::max<int64_t>(0, r.expires_at)), &out);
  return out;
}

}  // namespace

Digest256 Record::dht_key() const { return RecordDhtKey(publisher_id(), key); }

std::string Record::Name() const { return absl::StrCat(publisher_id().ToString(), "/", key); }

Digest256 RecordDhtKey(const NodeId& publisher, absl::string_view key) {
  std::string input;
  AppendBytes(kDhtKeyDomain, &input);
  AppendBytes(DigestView(publisher.bytes()), &input);
  input.append(key.data(), key.size());
  return Sha256(input);
}

absl::Status CheckRecordFields(absl::string_view key, absl::string_view value, bool tombstone) {
  if (key.empty()) return absl::InvalidArgumentError("a record key must not be empty");
  if (key.size() > kMaxRecordKeyBytes) {
    return absl::InvalidArgumentError(absl::StrCat("a record key is at most ", kMaxRecordKeyBytes,
                                                   " bytes; this one is ", key.size()));
  }
  if (!IsUtf8(key)) return absl::InvalidArgumentError("a record key must be UTF-8 text");
  if (value.size() > kMaxRecordValueBytes) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "a record value is at most ", kMaxRecordValueBytes, " bytes; this one is ", value.size(),
        " (store larger values as content and record their capability)"));
  }
  if (tombstone && !value.empty()) {
    return absl::InvalidArgumentError("a deleted record carries no value");
  }
  return absl::OkStatus();
}

std::string SignedBytes(const Record& record) {
  std::string out;
  AppendBytes(kSignatureDomain, &out);
  out += EncodeUnsigned(record);
  return out;
}

absl::StatusOr<Record> SignRecord(const Identity& publisher, std::string key, std::string value,
                                  uint64_t sequence, absl::Time expires_at, bool tombstone,
                                  bool encrypted) {
  SWARMKV_RETURN_IF_ERROR(CheckRecordFields(key, value, tombstone));
  if (tombstone && encrypted) return absl::InvalidArgumentError("a deletion has no value to seal");
  if (sequence > kMaxVarint) return absl::InvalidArgumentError("record sequence is too large");
  Record r;
  r.key = std::move(key);
  r.value = std::move(value);
  r.sequence = sequence;
  r.publisher = publisher.public_key();
  r.expires_at = absl::ToUnixSeconds(expires_at);
  r.tombstone = tombstone;
  r.encrypted = encrypted;
  r.signature = publisher.Sign(SignedBytes(r));
  return r;
}

std::string EncodeRecord(const Record& record) {
  std::string out = EncodeUnsigned(record);
  out += record.signature;
  return out;
}

absl::StatusOr<Record> DecodeRecord(absl::string_view bytes) {
  SWARMKV_ASSIGN_OR_RETURN(Record r, ParseRecord(bytes));
  if (!VerifySignature(r.publisher, SignedBytes(r), r.signature)) {
    return absl::InvalidArgumentError("record signature does not verify");
  }
  return r;
}

absl::StatusOr<Record> ParseRecord(absl::string_view bytes) {
  if (bytes.size() > kMaxEncodedRecordBytes) {
    return absl::InvalidArgumentError("an encoded record is over the size limit");
  }
  absl::string_view in = bytes;
  if (in.size() < 2 + kPublicKeyBytes) return absl::InvalidArgumentError("record is truncated");
  if (static_cast<uint8_t>(in[0]) != kRecordVersion) {
    return absl::InvalidArgumentError(absl::StrCat(
        "record version ", static_cast<int>(static_cast<uint8_t>(in[0])), " is not supported"));
  }
  const auto flags = static_cast<uint8_t>(in[1]);
  if ((flags & ~(kTombstoneFlag | kEncryptedFlag)) != 0 ||
      flags == (kTombstoneFlag | kEncryptedFlag)) {
    return absl::InvalidArgumentError("unknown record flags");
  }
  Record r;
  r.tombstone = (flags & kTombstoneFlag) != 0;
  r.encrypted = (flags & kEncryptedFlag) != 0;
  r.publisher = std::string(in.substr(2, kPublicKeyBytes));
  in.remove_prefix(2 + kPublicKeyBytes);
  SWARMKV_ASSIGN_OR_RETURN(absl::string_view key, ReadBytes(&in, kMaxRecordKeyBytes, "key"));
  SWARMKV_ASSIGN_OR_RETURN(absl::string_view value, ReadBytes(&in, kMaxRecordValueBytes, "value"));
  r.key = std::string(key);
  r.value = std::string(value);
  SWARMKV_ASSIGN_OR_RETURN(r.sequence, ReadVarint(&in, "record sequence"));
  SWARMKV_ASSIGN_OR_RETURN(uint64_t expires, ReadVarint(&in, "record expiry"));
  r.expires_at = static_cast<int64_t>(expires);
  if (in.size() != kSignatureBytes) {
    return absl::InvalidArgumentError("record signature is missing or followed by other bytes");
  }
  r.signature = std::string(in);
  SWARMKV_RETURN_IF_ERROR(CheckRecordFields(r.key, r.value, r.tombstone));
  return r;
}

bool Supersedes(const Record& a, const Record& b) {
  if (a.sequence != b.sequence) return a.sequence > b.sequence;
  // A republish re-signs the same sequence with a later expiry: it must replace the old copy.
  if (a.expires_at != b.expires_at) return a.expires_at > b.expires_at;
  return EncodeRecord(a) > EncodeRecord(b);
}

namespace {

absl::StatusOr<SecretBytes> ValueKey(absl::string_view secret, absl::string_view name) {
  if (secret.size() < kMinRecordSecretBytes || secret.size() > kMaxRecordSecretBytes) {
    return absl::InvalidArgumentError(absl::StrCat("a record secret is ", kMinRecordSecretBytes,
                                                   " to ", kMaxRecordSecretBytes, " bytes"));
  }
  const Digest256 key = KeyedBlake2b256(SecretBytes(secret), kValueKeyDomain, name);
  return SecretBytes(DigestView(key));
}

}  // namespace

absl::StatusOr<std::string> SealRecordValue(absl::string_view secret, absl::string_view name,
                                            absl::string_view value) {
  SWARMKV_ASSIGN_OR_RETURN(SecretBytes key, ValueKey(secret, name));
  std::string sealed;
  SealWithRandomNonce(key, value, name, &sealed);
  return sealed;
}

absl::StatusOr<std::string> OpenRecordValue(absl::string_view secret, absl::string_view name,
                                            absl::string_view sealed) {
  SWARMKV_ASSIGN_OR_RETURN(SecretBytes key, ValueKey(secret, name));
  std::string value;
  if (!OpenWithRandomNonce(key, sealed, name, &value)) {
    return absl::PermissionDeniedError(
        absl::StrCat("the secret given does not open record ", name));
  }
  return value;
}

absl::StatusOr<RecordName> ParseRecordName(absl::string_view name) {
  RecordName out;
  const size_t slash = name.find('/');
  if (slash != absl::string_view::npos) {
    absl::StatusOr<NodeId> publisher = NodeId::Parse(name.substr(0, slash));
    if (publisher.ok()) {
      out.publisher = *publisher;
      name.remove_prefix(slash + 1);
    }
  }
  out.key = std::string(name);
  SWARMKV_RETURN_IF_ERROR(CheckRecordFields(out.key, "", false));
  return out;
}

}  // namespace swarmkv
