// The one mapping between absl::Status and grpc::Status (STYLE rule 9). Codes carry over unchanged
// (both follow google.rpc.Code); messages are kept, as they are written for people.
#ifndef SWARMKV_RPC_GRPC_STATUS_H_
#define SWARMKV_RPC_GRPC_STATUS_H_

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace swarmkv {

grpc::Status ToGrpcStatus(const absl::Status& status);
// The reverse, for clients of other nodes: a peer's error becomes ours, message kept.
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace swarmkv

#endif  // SWARMKV_RPC_GRPC_STATUS_H_
