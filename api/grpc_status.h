// The one mapping from absl::Status to grpc::Status (STYLE rule 9). Codes carry over unchanged
// (both follow google.rpc.Code); messages are kept, as they are written for people.
#ifndef SWARMKV_API_GRPC_STATUS_H_
#define SWARMKV_API_GRPC_STATUS_H_

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace swarmkv {

grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace swarmkv

#endif  // SWARMKV_API_GRPC_STATUS_H_
