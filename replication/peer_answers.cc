#include "replication/peer_answers.h"

#include <optional>
#include <utility>

#include "base/host_port.h"
#include "crypto/hash.h"

namespace swarmkv {

std::vector<Contact> ContactsFromAnswer(
    const google::protobuf::RepeatedPtrField<peer::v1::PeerContact>& contacts, size_t max) {
  std::vector<Contact> out;
  for (const peer::v1::PeerContact& c : contacts) {
    if (out.size() >= max) break;
    const std::optional<Digest256> id = DigestFromBytes(c.id());
    if (!id.has_value() || c.address().size() > kMaxAddressBytes ||
        !ParseHostPort(c.address()).has_value()) {
      continue;  // malformed, or no host:port (a "unix:" target): ignored, never dialled
    }
    out.push_back(Contact{NodeId(*id), c.address(), absl::InfinitePast()});
  }
  return out;
}

FindValueResult FindValueFromAnswer(peer::v1::FindValueResponse* response, size_t max_contacts) {
  FindValueResult result;
  if (response->has_block()) result.block = std::move(*response->mutable_block());
  result.providers = ContactsFromAnswer(response->providers(), max_contacts);
  result.closer = ContactsFromAnswer(response->closer(), max_contacts);
  return result;
}

ProvidersResult ProvidersFromAnswer(const peer::v1::GetProvidersResponse& response,
                                    size_t max_contacts) {
  return ProvidersResult{ContactsFromAnswer(response.providers(), max_contacts),
                         ContactsFromAnswer(response.closer(), max_contacts)};
}

std::vector<bool> HaveFromAnswer(const peer::v1::HaveResponse& response) {
  return std::vector<bool>(response.have().begin(), response.have().end());
}

absl::StatusOr<Digest256> ProofFromAnswer(const peer::v1::ProveResponse& response) {
  const std::optional<Digest256> proof = DigestFromBytes(response.proof());
  if (!proof.has_value()) return absl::DataLossError("a PROVE answer is not 32 bytes");
  return *proof;
}

RecordAnswer RecordFromAnswer(const peer::v1::GetRecordResponse& response, size_t max_contacts) {
  return RecordAnswer{response.record(), ContactsFromAnswer(response.closer(), max_contacts)};
}

}  // namespace swarmkv
