// What every call of the Node service needs: the store, the node's keys, the worker pool and
// the limits. Shared by the service and its reactors.
#ifndef SWARMKV_API_SERVICE_CONTEXT_H_
#define SWARMKV_API_SERVICE_CONTEXT_H_

#include <atomic>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "base/thread_pool.h"
#include "crypto/identity.h"
#include "crypto/secret_bytes.h"
#include "grpcpp/server_context.h"
#include "pubsub/pubsub.h"
#include "pubsub/query_engine.h"
#include "records/records.h"
#include "replication/swarm.h"
#include "storage/block_store.h"
#include "storage/scrubber.h"

namespace swarmkv {

// API limits, each with a default that suits one node on one host.
struct ApiOptions {
  // Largest chunk a Put message may carry, and so the gRPC message limit (plus framing).
  size_t max_chunk_bytes = 1u << 20;
  // Calls served at once across all clients; more are refused with RESOURCE_EXHAUSTED.
  int max_concurrent_calls = 256;
  // When set, every call must carry `authorization: Bearer <token>` (for TCP listeners).
  std::string bearer_token;
  // Reported by Info.
  std::vector<std::string> api_addresses;
  std::vector<std::string> peer_addresses;
};

// A call's place under the concurrency limit. Move-only; freed by Release() or when destroyed.
// Reactors release it right before Finish, so a client's next call never meets its own finished
// one under the limit.
class CallSlot {
 public:
  CallSlot() = default;
  explicit CallSlot(std::atomic<int>* in_flight) : in_flight_(in_flight) {}
  CallSlot(CallSlot&& other) noexcept : in_flight_(std::exchange(other.in_flight_, nullptr)) {}
  CallSlot& operator=(CallSlot&& other) noexcept {
    Release();
    in_flight_ = std::exchange(other.in_flight_, nullptr);
    return *this;
  }
  ~CallSlot() { Release(); }

  void Release() {
    if (in_flight_ != nullptr) --*in_flight_;
    in_flight_ = nullptr;
  }

 private:
  std::atomic<int>* in_flight_ = nullptr;
};

// Borrowed references; everything must outlive the server.
struct ServiceContext {
  BlockStore& store;
  const Identity& identity;
  const SecretBytes& convergence_secret;
  ThreadPool& pool;
  // The node's part in the swarm; null when peer networking is off (a single node).
  Swarm* swarm;
  // The node's pubsub (with peer networking off it serves this node's own subscribers).
  PubsubNode* pubsub;
  // Broadcast queries on the pubsub (alone, this node answers its own).
  QueryEngine* queries;
  // Signed records; null when peer networking is off (they live in the swarm).
  Records* records;
  ApiOptions options;
  std::atomic<int> calls_in_flight{0};
  // Set when the node begins to stop: new calls are refused (UNAVAILABLE), so the calls in
  // flight drain even while clients keep calling.
  std::atomic<bool> stopping{false};
  // The store's scrubber (Scrub, and the counts Info reports); null: Scrub is UNAVAILABLE.
  Scrubber* scrubber = nullptr;

  // Checks the bearer token (when one is set), that the node is not stopping and the
  // concurrent-call limit; the slot counts the call until it is released.
  absl::StatusOr<CallSlot> Admit(const grpc::CallbackServerContext& call);
  // The same without the token (callers that are not gRPC calls check their own): UNAVAILABLE
  // when stopping, RESOURCE_EXHAUSTED at the limit.
  absl::StatusOr<CallSlot> TakeSlot();
};

// Whether an `authorization` value is "Bearer <token>", compared in constant time.
bool BearerTokenMatches(absl::string_view authorization, const std::string& token);

}  // namespace swarmkv

#endif  // SWARMKV_API_SERVICE_CONTEXT_H_
