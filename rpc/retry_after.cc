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
constexpr char kPayloadType[] = "type.swarmkv.dev/swarmkv.RetryAfterUs";
// A peer cannot make this node wait longer than this for one request.
constexpr int64_t kMaxRetryAfterUs = 60'000'000;

std::optional<int64_t> ParseMicroseconds(absl::string_view text) {
  int64_t us = 0;
  if (!absl::SimpleAtoi(text, &us) || us < 0 || us > kMaxRetryAfterUs) return std::nullopt;
  return us;
}

int64_t CeilMicroseconds(absl::Duration wait) {
  return absl::ToInt64Microseconds(absl::Ceil(wait, absl::Microseconds(1)));
}

}  // namespace

void SetRetryAfter(grpc::ServerContextBase& call, absl::Duration wait) {
  call.AddTrailingMetadata(kRetryAfterTrailer, absl::StrCat(CeilMicroseconds(wait)));
}

absl::Status WithRetryAfter(absl::Status status, const grpc::ClientContext& call) {
  if (!absl::IsResourceExhausted(status)) return status;
  const auto& trailers = call.GetServerTrailingMetadata();
  auto found = trailers.find(kRetryAfterTrailer);
  if (found == trailers.end()) return status;
  const std::optional<int64_t> us =
      ParseMicroseconds(absl::string_view(found->second.data(), found->second.size()));
  if (!us.has_value()) return status;  // nonsense from the peer: a plain refusal
  return WithRetryAfter(std::move(status), absl::Microseconds(*us));
}

absl::Status WithRetryAfter(absl::Status status, absl::Duration wait) {
  if (!absl::IsResourceExhausted(status)) return status;
  const int64_t us = std::min(kMaxRetryAfterUs, CeilMicroseconds(wait));
  status.SetPayload(kPayloadType, absl::Cord(absl::StrCat(us)));
  return status;
}

std::optional<absl::Duration> RetryAfter(const absl::Status& status) {
  if (!absl::IsResourceExhausted(status)) return std::nullopt;
  auto payload = status.GetPayload(kPayloadType);  // absl::optional in this Abseil
  if (!payload.has_value()) return std::nullopt;
  std::optional<int64_t> us = ParseMicroseconds(std::string(*payload));
  if (!us.has_value()) return std::nullopt;
  return absl::Microseconds(*us);
}

}  // namespace swarmkv
