#include "api/metrics.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"

namespace swarmkv {
namespace {

const char* CodeName(int code) {
  static constexpr const char* kNames[] = {"OK",
                                           "CANCELLED",
                                           "UNKNOWN",
                                           "INVALID_ARGUMENT",
                                           "DEADLINE_EXCEEDED",
                                           "NOT_FOUND",
                                           "ALREADY_EXISTS",
                                           "PERMISSION_DENIED",
                                           "RESOURCE_EXHAUSTED",
                                           "FAILED_PRECONDITION",
                                           "ABORTED",
                                           "OUT_OF_RANGE",
                                           "UNIMPLEMENTED",
                                           "INTERNAL",
                                           "UNAVAILABLE",
                                           "DATA_LOSS",
                                           "UNAUTHENTICATED"};
  return code >= 0 && code <= 16 ? kNames[code] : "UNKNOWN";
}

uint64_t ResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  uint64_t size = 0, resident = 0;
  statm >> size >> resident;
  return resident * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

class MetricsInterceptor : public grpc::experimental::Interceptor {
 public:
  MetricsInterceptor(ApiMetrics& metrics, std::string method)
      : metrics_(metrics), method_(std::move(method)), start_(absl::Now()) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::PRE_SEND_STATUS)) {
      metrics_.Record(method_, methods->GetSendStatus().error_code(), absl::Now() - start_);
    }
    methods->Proceed();
  }

 private:
  ApiMetrics& metrics_;
  std::string method_;
  absl::Time start_;
};

}  // namespace

void ApiMetrics::Record(const std::string& method, grpc::StatusCode code, absl::Duration latency) {
  const double seconds = absl::ToDoubleSeconds(latency);
  absl::MutexLock lock(&mu_);
  ++requests_[{method, static_cast<int>(code)}];
  Histogram& h = latency_[method];
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) ++h.buckets[i];
  }
  ++h.count;
  h.sum += seconds;
}

std::string ApiMetrics::Render(const BlockStoreStats& store) const {
  std::string out;
  absl::StrAppend(&out,
                  "# HELP swarmkv_api_requests_total API calls by method and status code.\n"
                  "# TYPE swarmkv_api_requests_total counter\n");
  absl::MutexLock lock(&mu_);
  for (const auto& [key, count] : requests_) {
    absl::StrAppend(&out, "swarmkv_api_requests_total{method=\"", key.first, "\",code=\"",
                    CodeName(key.second), "\"} ", count, "\n");
  }
  absl::StrAppend(&out,
                  "# HELP swarmkv_api_request_duration_seconds API call latency by method.\n"
                  "# TYPE swarmkv_api_request_duration_seconds histogram\n");
  for (const auto& [method, h] : latency_) {
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      absl::StrAppend(&out, "swarmkv_api_request_duration_seconds_bucket{method=\"", method,
                      "\",le=\"", kBuckets[i], "\"} ", h.buckets[i], "\n");
    }
    absl::StrAppend(&out, "swarmkv_api_request_duration_seconds_bucket{method=\"", method,
                    "\",le=\"+Inf\"} ", h.count, "\n");
    absl::StrAppend(&out, "swarmkv_api_request_duration_seconds_sum{method=\"", method, "\"} ",
                    absl::StrFormat("%.6f", h.sum), "\n");
    absl::StrAppend(&out, "swarmkv_api_request_duration_seconds_count{method=\"", method, "\"} ",
                    h.count, "\n");
  }
  absl::StrAppend(
      &out,
      "# HELP swarmkv_store_blocks Blocks in the local store.\n# TYPE swarmkv_store_blocks gauge\n",
      "swarmkv_store_blocks ", store.blocks, "\n",
      "# HELP swarmkv_store_bytes Sealed bytes in the local store.\n"
      "# TYPE swarmkv_store_bytes gauge\n",
      "swarmkv_store_bytes ", store.stored_bytes, "\n",
      "# HELP swarmkv_store_pinned_roots Pinned contents.\n"
      "# TYPE swarmkv_store_pinned_roots gauge\n",
      "swarmkv_store_pinned_roots ", store.pinned_roots, "\n",
      "# HELP process_resident_memory_bytes Resident memory of the node process.\n"
      "# TYPE process_resident_memory_bytes gauge\n",
      "process_resident_memory_bytes ", ResidentBytes(), "\n");
  return out;
}

grpc::experimental::Interceptor* MetricsInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  std::string method = info->method();
  if (!method.empty() && method[0] == '/') method.erase(0, 1);
  return new MetricsInterceptor(metrics_, std::move(method));
}

std::string RenderScrubMetrics(const ScrubCounts& counts) {
  struct Counter {
    const char* name;
    const char* help;
    uint64_t value;
  };
  std::string out;
  for (const Counter& c : {
           Counter{"blocks_checked", "Blocks the scrub re-hashed against their CIDs.",
                   counts.blocks_checked},
           Counter{"bytes_checked", "Sealed bytes the scrub read.", counts.bytes_checked},
           Counter{"damaged", "Blocks the scrub found damaged and removed.", counts.damaged},
           Counter{"repaired", "Damaged blocks fetched again from a peer.", counts.repaired},
           Counter{"lost", "Damaged blocks no peer had a copy of.", counts.lost},
           Counter{"passes", "Whole scrub passes over the store.", counts.passes},
       }) {
    absl::StrAppend(&out, "# HELP swarmkv_scrub_", c.name, "_total ", c.help, "\n",
                    "# TYPE swarmkv_scrub_", c.name, "_total counter\n", "swarmkv_scrub_", c.name,
                    "_total ", c.value, "\n");
  }
  return out;
}

}  // namespace swarmkv
