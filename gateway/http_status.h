// The HTTP status the gateway answers for a failed operation.
#ifndef SWARMKV_GATEWAY_HTTP_STATUS_H_
#define SWARMKV_GATEWAY_HTTP_STATUS_H_

#include "absl/status/status.h"

namespace httplib {
struct Response;
}  // namespace httplib

namespace swarmkv {

// By what the client can do next, as the API's gRPC codes are chosen (docs/gateway.md):
//   400 INVALID_ARGUMENT, FAILED_PRECONDITION   fix the request (a bad CID, a key needed)
//   401 UNAUTHENTICATED                         send the token
//   403 PERMISSION_DENIED                       the key does not open the content
//   404 NOT_FOUND                               nobody has it
//   410 DATA_LOSS                               it was stored here, damaged, and not served
//   416 OUT_OF_RANGE                            the byte range is outside the content
//   503 UNAVAILABLE, RESOURCE_EXHAUSTED,        retry later (stopping, at the limit, a slow swarm)
//       DEADLINE_EXCEEDED
//   500 anything else
int HttpStatusFor(const absl::Status& status);

// Answers `response` with that status and the status's message as one line of plain text (plus
// WWW-Authenticate for 401, Retry-After for 503).
void AnswerError(httplib::Response& response, const absl::Status& status);

}  // namespace swarmkv

#endif  // SWARMKV_GATEWAY_HTTP_STATUS_H_
