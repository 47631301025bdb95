// What every call of the Node service needs: the store, the node's keys, the worker pool and
// the limits. Shared by the service and its reactors.
#ifndef SWARMKV_API_SERVICE_CONTEXT_H_
#define SWARMKV_API_SERVICE_CONTEXT_H_

#include <atomic>
#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "base/thread_pool.h"
#include "crypto/identity.h"
#include "crypto/secret_bytes.h"
#include "grpcpp/server_context.h"
#include "storage/block_store.h"

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
};

// Borrowed references; everything must outlive the server.
struct ServiceContext {
  BlockStore& store;
  const Identity& identity;
  const SecretBytes& convergence_secret;
  ThreadPool& pool;
  ApiOptions options;
  std::atomic<int> calls_in_flight{0};

  // Checks the bearer token (when one is set) and the concurrent-call limit, counting the call
  // as started. Calls that pass must call EndCall() once when they finish.
  absl::Status BeginCall(const grpc::CallbackServerContext& call);
  void EndCall() { --calls_in_flight; }
};

}  // namespace swarmkv

#endif  // SWARMKV_API_SERVICE_CONTEXT_H_
