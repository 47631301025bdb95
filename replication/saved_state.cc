#include "replication/saved_state.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "crypto/varint.h"

namespace swarmkv {
namespace {

// A varint of the stored value; malformed is DATA_LOSS (the value came from disk).
absl::StatusOr<uint64_t> ReadNumber(absl::string_view* in, absl::string_view what) {
  absl::StatusOr<uint64_t> number = ReadVarint(in, what);
  if (!number.ok()) return absl::DataLossError(number.status().message());
  return number;
}

void AppendContact(const Contact& contact, std::string* out) {
  out->append(reinterpret_cast<const char*>(contact.id.bytes().data()), contact.id.bytes().size());
  AppendVarint(contact.address.size(), out);
  out->append(contact.address);
}

absl::StatusOr<Contact> ReadContact(absl::string_view* in, absl::Time now, absl::string_view what) {
  Digest256 id;
  if (in->size() < id.size()) return absl::DataLossError(absl::StrCat(what, " is truncated"));
  std::copy(in->begin(), in->begin() + id.size(), id.begin());
  in->remove_prefix(id.size());
  SWARMKV_ASSIGN_OR_RETURN(uint64_t length, ReadNumber(in, what));
  if (length > kMaxAddressBytes || in->size() < length) {
    return absl::DataLossError(absl::StrCat(what, " is malformed"));
  }
  Contact contact{NodeId(id), std::string(in->substr(0, length)), now};
  in->remove_prefix(length);
  return contact;
}

// The count that starts both formats, checked against `max` before anything is reserved.
absl::StatusOr<uint64_t> ReadCount(absl::string_view* in, uint64_t max, absl::string_view what) {
  SWARMKV_ASSIGN_OR_RETURN(uint64_t count, ReadNumber(in, what));
  if (count > max) return absl::DataLossError(absl::StrCat(what, " holds too many entries"));
  return count;
}

// Unix seconds as saved: times before 1970 are 0, and values past int64's range (which would
// overflow FromUnixSeconds' argument) are clamped.
uint64_t SavedSeconds(absl::Time time) {
  return static_cast<uint64_t>(std::max<int64_t>(0, absl::ToUnixSeconds(time)));
}
absl::Time FromSavedSeconds(uint64_t seconds) {
  return absl::FromUnixSeconds(static_cast<int64_t>(std::min<uint64_t>(seconds, INT64_MAX)));
}

}  // namespace

std::string EncodeSavedContacts(const std::vector<Contact>& contacts) {
  std::string value;
  AppendVarint(contacts.size(), &value);
  for (const Contact& c : contacts) AppendContact(c, &value);
  return value;
}

absl::StatusOr<std::vector<Contact>> DecodeSavedContacts(absl::string_view value, absl::Time now) {
  constexpr absl::string_view kWhat = "the saved routing table";
  SWARMKV_ASSIGN_OR_RETURN(uint64_t count, ReadCount(&value, kMaxSavedContacts, kWhat));
  std::vector<Contact> contacts;
  for (uint64_t i = 0; i < count; ++i) {
    SWARMKV_ASSIGN_OR_RETURN(Contact contact, ReadContact(&value, now, kWhat));
    contacts.push_back(std::move(contact));
  }
  if (!value.empty()) return absl::DataLossError(absl::StrCat(kWhat, " has trailing bytes"));
  return contacts;
}

std::string EncodeProviderRecord(const std::vector<ProviderTable::Record>& records) {
  std::string value;
  AppendVarint(records.size(), &value);
  for (const ProviderTable::Record& p : records) {
    AppendContact(p.contact, &value);
    AppendVarint(SavedSeconds(p.expires), &value);
  }
  return value;
}

absl::StatusOr<std::vector<ProviderTable::Record>> DecodeProviderRecord(absl::string_view value,
                                                                        absl::Time now,
                                                                        uint64_t max_providers) {
  constexpr absl::string_view kWhat = "a provider record";
  SWARMKV_ASSIGN_OR_RETURN(uint64_t count, ReadCount(&value, max_providers, kWhat));
  std::vector<ProviderTable::Record> records;
  for (uint64_t i = 0; i < count; ++i) {
    SWARMKV_ASSIGN_OR_RETURN(Contact contact, ReadContact(&value, now, kWhat));
    SWARMKV_ASSIGN_OR_RETURN(uint64_t expires, ReadNumber(&value, kWhat));
    records.push_back(ProviderTable::Record{std::move(contact), FromSavedSeconds(expires)});
  }
  if (!value.empty()) return absl::DataLossError(absl::StrCat(kWhat, " has trailing bytes"));
  return records;
}

std::string EncodeRepublishSweep(const RepublishSweep& sweep) {
  std::string value;
  AppendVarint(SavedSeconds(sweep.started), &value);
  AppendVarint(sweep.listed, &value);
  AppendVarint(sweep.at_end ? 1 : 0, &value);
  const std::string after = sweep.after.has_value() ? sweep.after->ToBytes() : std::string();
  AppendVarint(after.size(), &value);
  value.append(after);
  return value;
}

absl::StatusOr<RepublishSweep> DecodeRepublishSweep(absl::string_view value) {
  constexpr absl::string_view kWhat = "the saved republish sweep";
  // A CID is a few dozen bytes; anything much longer is not one.
  constexpr uint64_t kMaxCidBytes = 256;
  RepublishSweep sweep;
  SWARMKV_ASSIGN_OR_RETURN(uint64_t started, ReadNumber(&value, kWhat));
  sweep.started = FromSavedSeconds(started);
  SWARMKV_ASSIGN_OR_RETURN(sweep.listed, ReadNumber(&value, kWhat));
  SWARMKV_ASSIGN_OR_RETURN(uint64_t at_end, ReadNumber(&value, kWhat));
  if (at_end > 1) return absl::DataLossError(absl::StrCat(kWhat, " is malformed"));
  sweep.at_end = at_end == 1;
  SWARMKV_ASSIGN_OR_RETURN(uint64_t length, ReadNumber(&value, kWhat));
  if (length > kMaxCidBytes || value.size() != length) {
    return absl::DataLossError(absl::StrCat(kWhat, " is malformed"));
  }
  if (length > 0) {
    absl::StatusOr<Cid> after = Cid::FromBytes(value);
    if (!after.ok()) {
      return absl::DataLossError(absl::StrCat(kWhat, ": ", after.status().message()));
    }
    sweep.after = *std::move(after);
  }
  return sweep;
}

}  // namespace swarmkv
