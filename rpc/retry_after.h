// "Slow down, and ask again in this long": how a node that refuses a peer's request for its rate
// limits (RESOURCE_EXHAUSTED) tells the peer when to ask again, and how the peer hears it. The
// server sets a trailer on the call; the client's absl::Status carries it as a payload, so code
// above the transport (replication/paced_transport.h) can wait and retry without knowing gRPC.
#ifndef SWARMKV_RPC_RETRY_AFTER_H_
#define SWARMKV_RPC_RETRY_AFTER_H_

#include <optional>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "grpcpp/client_context.h"
#include "grpcpp/server_context.h"

namespace swarmkv {

// The trailer, in whole microseconds (a budget of 2,000 requests/s refills one every 500 us, so
// milliseconds would tell a paced sender half the rate). Ours, not gRPC's reserved
// grpc-retry-pushback-ms, which gRPC's own retry machinery may consume.
inline constexpr char kRetryAfterTrailer[] = "swarmkv-retry-after-us";

// On the server: asks the caller to wait `wait` (rounded up to a microsecond) before retrying.
void SetRetryAfter(grpc::ServerContextBase& call, absl::Duration wait);

// On the client, for a call that ended with `status`: the same status, carrying the server's
// retry-after when it sent one.
absl::Status WithRetryAfter(absl::Status status, const grpc::ClientContext& call);
// A RESOURCE_EXHAUSTED `status` carrying `wait` (what the overload above makes of a trailer).
absl::Status WithRetryAfter(absl::Status status, absl::Duration wait);

// How long the peer asked to wait; nullopt when it did not (the refusal is final, or it was no
// refusal at all).
std::optional<absl::Duration> RetryAfter(const absl::Status& status);

}  // namespace swarmkv

#endif  // SWARMKV_RPC_RETRY_AFTER_H_
