// Transport: how the swarm talks to other nodes (STYLE rule 4). The real one is GrpcTransport
// (mutual TLS over gRPC, docs/wire-protocol.md); tests substitute fakes. Every request goes to a
// contact whose NodeId the transport checks on the link: a peer that cannot prove that id fails
// the request with UNAVAILABLE, and nothing it says is believed.
//
// Each call completes exactly once by calling `done`, possibly on another thread and possibly
// before the call returns; a request that gets no answer within the transport's deadline
// completes with DEADLINE_EXCEEDED or UNAVAILABLE. Thread safety: implementations are
// thread-safe.
#ifndef SWARMKV_REPLICATION_TRANSPORT_H_
#define SWARMKV_REPLICATION_TRANSPORT_H_

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "crypto/cid.h"
#include "replication/key_space.h"
#include "replication/routing_table.h"

namespace swarmkv {

// The most CIDs one HAVE may ask about (docs/wire-protocol.md).
inline constexpr size_t kMaxHaveBatch = 1024;

// The value of a reply that carries nothing but its status.
struct Acknowledged {};

// The answer to FIND_VALUE: the block, or who provides it, or who is closer.
struct FindValueResult {
  std::optional<std::string> block;  // unverified: the caller checks it against the CID
  std::vector<Contact> providers;
  std::vector<Contact> closer;
};

// The answer to GET_PROVIDERS.
struct ProvidersResult {
  std::vector<Contact> providers;
  std::vector<Contact> closer;
};

// The answer to GET_RECORD: the encoded record held (empty: none) and closer contacts.
struct RecordAnswer {
  std::string record;
  std::vector<Contact> closer;
};

class Transport {
 public:
  using StatusCallback = std::function<void(absl::Status)>;
  template <typename T>
  using Callback = std::function<void(absl::StatusOr<T>)>;

  virtual ~Transport() = default;

  // PING a contact; OK when it answered as the id it claims.
  virtual void Ping(const Contact& to, StatusCallback done) = 0;
  // Dials a bare "host:port" (a bootstrap entry without an id) and pings it; yields the id its
  // certificate proves, recorded from then on.
  virtual void Introduce(const std::string& address, Callback<NodeId> done) = 0;
  virtual void FindNode(const Contact& to, const DhtKey& target,
                        Callback<std::vector<Contact>> done) = 0;
  virtual void FindValue(const Contact& to, const Cid& cid, Callback<FindValueResult> done) = 0;
  virtual void GetProviders(const Contact& to, const Cid& cid, Callback<ProvidersResult> done) = 0;
  // STORE a replica; OK once the peer has verified and stored it.
  virtual void Store(const Contact& to, const Cid& cid, std::string block, StatusCallback done) = 0;
  // ADD_PROVIDER: tells `to` that this node serves `cid`.
  virtual void AddProvider(const Contact& to, const Cid& cid, StatusCallback done) = 0;
  // HAVE: one flag per CID, in order.
  virtual void Have(const Contact& to, std::vector<Cid> cids, Callback<std::vector<bool>> done) = 0;
  // PROVE: the peer's proof that it holds `cid`'s bytes, for `nonce` (replication/possession.h).
  virtual void Prove(const Contact& to, const Cid& cid, std::string nonce,
                     Callback<Digest256> done) = 0;
  // PUT_RECORD: yields "" once the peer holds `record` durably, or the newer record it holds.
  virtual void PutRecord(const Contact& to, std::string record, Callback<std::string> done) = 0;
  // GET_RECORD: the peer's record under `key`, if any, and its closest contacts to the key.
  virtual void GetRecord(const Contact& to, const DhtKey& key, Callback<RecordAnswer> done) = 0;
};

}  // namespace swarmkv

#endif  // SWARMKV_REPLICATION_TRANSPORT_H_
