// ApiMetrics: request counts and latency histograms by method and status code, and a renderer
// for the Prometheus text exposition format (there is no prometheus-cpp in Debian 12; the format
// is small). Fed by MetricsInterceptor; served by the daemon at /metrics.
#ifndef SWARMKV_API_METRICS_H_
#define SWARMKV_API_METRICS_H_

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grpcpp/support/server_interceptor.h"
#include "storage/block_store.h"
#include "storage/scrubber.h"

namespace swarmkv {

// Thread safety: thread-safe.
class ApiMetrics {
 public:
  // Upper bounds of the latency buckets, in seconds.
  static constexpr std::array<double, 12> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,   0.1,   0.25,   0.5,   1,    5};

  void Record(const std::string& method, grpc::StatusCode code, absl::Duration latency);
  // All metrics in the Prometheus text format, with the store's figures and the process RSS.
  std::string Render(const BlockStoreStats& store) const;

 private:
  struct Histogram {
    std::array<uint64_t, kBuckets.size()> buckets{};
    uint64_t count = 0;
    double sum = 0;
  };
  mutable absl::Mutex mu_;
  std::map<std::pair<std::string, int>, uint64_t> requests_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, Histogram> latency_ ABSL_GUARDED_BY(mu_);
};

// The scrub's counts since the node started, as Prometheus counters (swarmkv_scrub_*_total).
std::string RenderScrubMetrics(const ScrubCounts& counts);

// Creates one interceptor per call that records the call in `metrics` when its status is sent.
class MetricsInterceptorFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit MetricsInterceptorFactory(ApiMetrics& metrics) : metrics_(metrics) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;

 private:
  ApiMetrics& metrics_;
};

}  // namespace swarmkv

#endif  // SWARMKV_API_METRICS_H_
