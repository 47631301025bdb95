#include "api/service_context.h"

#include <sodium.h>

#include "absl/strings/str_cat.h"

namespace swarmkv {
namespace {

bool TokenMatches(const grpc::CallbackServerContext& call, const std::string& token) {
  const auto& metadata = call.client_metadata();
  auto it = metadata.find("authorization");
  if (it == metadata.end()) return false;
  return BearerTokenMatches(absl::string_view(it->second.data(), it->second.size()), token);
}

}  // namespace

bool BearerTokenMatches(absl::string_view authorization, const std::string& token) {
  const std::string expected = "Bearer " + token;
  if (authorization.size() != expected.size()) return false;
  // Constant time, so the comparison leaks nothing about the token.
  return sodium_memcmp(authorization.data(), expected.data(), expected.size()) == 0;
}

absl::StatusOr<CallSlot> ServiceContext::Admit(const grpc::CallbackServerContext& call) {
  if (!options.bearer_token.empty() && !TokenMatches(call, options.bearer_token)) {
    return absl::UnauthenticatedError(
        "missing or wrong bearer token: send 'authorization: Bearer <token>' (swarmkv "
        "--api-token)");
  }
  return TakeSlot();
}

absl::StatusOr<CallSlot> ServiceContext::TakeSlot() {
  if (stopping.load()) {
    return absl::UnavailableError("the node is shutting down; send the call to another node");
  }
  if (++calls_in_flight > options.max_concurrent_calls) {
    --calls_in_flight;
    return absl::ResourceExhaustedError(absl::StrCat("the node is serving its limit of ",
                                                     options.max_concurrent_calls,
                                                     " concurrent calls; retry shortly"));
  }
  return CallSlot(&calls_in_flight);
}

}  // namespace swarmkv
