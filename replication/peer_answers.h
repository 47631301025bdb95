// How answers from peers become what the Swarm sees (the Transport's types): the checks every
// answer passes before it is believed. Contacts with a malformed id or address are dropped and
// lists capped; a PROVE answer must be 32 bytes. Used by GrpcTransport, and by the fuzz target
// that feeds the Swarm arbitrary answers (fuzz/peer_answers_fuzz.cc).
#ifndef SWARMKV_REPLICATION_PEER_ANSWERS_H_
#define SWARMKV_REPLICATION_PEER_ANSWERS_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "replication/transport.h"
#include "swarmkv/peer/v1/peer.pb.h"

namespace swarmkv {

// At most `max` contacts, each with a 32-byte id and a host:port address of at most
// kMaxAddressBytes (a "unix:" target or garbage is never dialled).
std::vector<Contact> ContactsFromAnswer(
    const google::protobuf::RepeatedPtrField<peer::v1::PeerContact>& contacts, size_t max);
// Takes the block out of `response`.
FindValueResult FindValueFromAnswer(peer::v1::FindValueResponse* response, size_t max_contacts);
ProvidersResult ProvidersFromAnswer(const peer::v1::GetProvidersResponse& response,
                                    size_t max_contacts);
std::vector<bool> HaveFromAnswer(const peer::v1::HaveResponse& response);
// DATA_LOSS unless the proof is 32 bytes.
absl::StatusOr<Digest256> ProofFromAnswer(const peer::v1::ProveResponse& response);
RecordAnswer RecordFromAnswer(const peer::v1::GetRecordResponse& response, size_t max_contacts);

}  // namespace swarmkv

#endif  // SWARMKV_REPLICATION_PEER_ANSWERS_H_
