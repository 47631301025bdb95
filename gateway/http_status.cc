#include "gateway/http_status.h"

#include "absl/strings/str_cat.h"
#include "httplib.h"

namespace swarmkv {

int HttpStatusFor(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kOk:
      return 200;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kFailedPrecondition:
      return 400;
    case absl::StatusCode::kUnauthenticated:
      return 401;
    case absl::StatusCode::kPermissionDenied:
      return 403;
    case absl::StatusCode::kNotFound:
      return 404;
    case absl::StatusCode::kDataLoss:
      return 410;
    case absl::StatusCode::kOutOfRange:
      return 416;
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kResourceExhausted:
    case absl::StatusCode::kDeadlineExceeded:
      return 503;
    default:
      return 500;
  }
}

void AnswerError(httplib::Response& response, const absl::Status& status) {
  response.status = HttpStatusFor(status);
  if (response.status == 401) response.set_header("WWW-Authenticate", "Bearer");
  if (response.status == 503) response.set_header("Retry-After", "1");
  response.set_content(absl::StrCat(status.message(), "\n"), "text/plain; charset=utf-8");
}

}  // namespace swarmkv
