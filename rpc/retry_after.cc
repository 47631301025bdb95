#include "rpc/retry_after.h"

#include <algorithm>
#include <cstdint>
#include <string>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace swarmkv {
namespace {

// The payload's type URL (absl::Status payloads are keyed like google.protobuf.Any).
constexpr char kPayloadType[] = "type.swarmkv.dev/swarmkv.RetryAfterMs";
// A peer cannot make this node wait longer than this for one request.
constexpr int64_t kMaxRetryAfterMs = 60'000;

std::optional<int64_t> ParseMilliseconds(absl::string_view text) {
  int64_t ms = 0;
  if (!absl::SimpleAtoi(text, &ms) || ms < 0 || ms > kMaxRetryAfterMs) return std::nullopt;
  return ms;
}

}  // namespace

void SetRetryAfter(grpc::ServerContextBase& call, absl::Duration wait) {
  const int64_t ms = absl::ToInt64Milliseconds(absl::Ceil(wait, absl::Milliseconds(1)));
  call.AddTrailingMetadata(kRetryAfterTrailer, absl::StrCat(ms));
}

absl::Status WithRetryAfter(absl::Status status, const grpc::ClientContext& call) {
  if (!absl::IsResourceExhausted(status)) return status;
  const auto& trailers = call.GetServerTrailingMetadata();
  auto found = trailers.find(kRetryAfterTrailer);
  if (found == trailers.end()) return status;
  const std::optional<int64_t> ms =
      ParseMilliseconds(absl::string_view(found->second.data(), found->second.size()));
  if (!ms.has_value()) return status;  // nonsense from the peer: a plain refusal
  return WithRetryAfter(std::move(status), absl::Milliseconds(*ms));
}

absl::Status WithRetryAfter(absl::Status status, absl::Duration wait) {
  if (!absl::IsResourceExhausted(status)) return status;
  const int64_t ms = std::min(kMaxRetryAfterMs,
                              absl::ToInt64Milliseconds(absl::Ceil(wait, absl::Milliseconds(1))));
  status.SetPayload(kPayloadType, absl::Cord(absl::StrCat(ms)));
  return status;
}

std::optional<absl::Duration> RetryAfter(const absl::Status& status) {
  if (!absl::IsResourceExhausted(status)) return std::nullopt;
  auto payload = status.GetPayload(kPayloadType);  // absl::optional in this Abseil
  if (!payload.has_value()) return std::nullopt;
  std::optional<int64_t> ms = ParseMilliseconds(std::string(*payload));
  if (!ms.has_value()) return std::nullopt;
  return absl::Milliseconds(*ms);
}

}  // namespace swarmkv
