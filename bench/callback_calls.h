// The calls of bench/api_load.cc on gRPC's callback API: N calls in flight without N client
// threads, each call starting the next from its completion (a closed loop per slot).
#ifndef SWARMKV_BENCH_CALLBACK_CALLS_H_
#define SWARMKV_BENCH_CALLBACK_CALLS_H_

#include <chrono>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/support/client_callback.h"

namespace swarmkv {

// Called once per finished call with its status.
using CallDone = std::function<void(const grpc::Status&)>;

// Deletes a finished call, then reports it: the last report lets api_load tear down its
// channel and exit, so the call (its ClientContext) must be gone by then (reporting first
// raced with that teardown: a double free at exit, seen once in a report run).
template <class Call>
void FinishAndDelete(Call* call, CallDone& done, const grpc::Status& status) {
  CallDone report = std::move(done);
  const grpc::Status copy = status;  // `status` may belong to the call
  delete call;
  report(copy);
}

// A client-streaming call that sends `first` then `last` (with the half-close in the same
// batch) and reports its status; deletes itself. `Start` is the stub's async() method, bound.
template <class Request, class Response>
class UploadCall final : public grpc::ClientWriteReactor<Request> {
 public:
  template <class Start>
  static void Run(const Start& start, Request first, Request last, CallDone done) {
    auto* call = new UploadCall(std::move(first), std::move(last), std::move(done));
    start(&call->context_, &call->response_, call);
    call->StartWrite(&call->first_);
    call->StartCall();
  }
  void OnWriteDone(bool ok) override {
    if (ok && !sent_last_) {
      sent_last_ = true;
      this->StartWriteLast(&last_, grpc::WriteOptions());
    }
  }
  void OnDone(const grpc::Status& status) override { FinishAndDelete(this, done_, status); }

 private:
  UploadCall(Request first, Request last, CallDone done)
      : first_(std::move(first)), last_(std::move(last)), done_(std::move(done)) {}
  grpc::ClientContext context_;
  Request first_, last_;
  Response response_;
  bool sent_last_ = false;
  CallDone done_;
};

// A server-streaming call that reads every message and reports its status; deletes itself.
template <class Request, class Response>
class DownloadCall final : public grpc::ClientReadReactor<Response> {
 public:
  template <class Start>
  static void Run(const Start& start, Request request, CallDone done) {
    auto* call = new DownloadCall(std::move(request), std::move(done));
    start(&call->context_, &call->request_, call);
    call->StartRead(&call->response_);
    call->StartCall();
  }
  void OnReadDone(bool ok) override {
    if (ok) this->StartRead(&response_);
  }
  void OnDone(const grpc::Status& status) override { FinishAndDelete(this, done_, status); }

 private:
  DownloadCall(Request request, CallDone done)
      : request_(std::move(request)), done_(std::move(done)) {}
  grpc::ClientContext context_;
  Request request_;
  Response response_;
  CallDone done_;
};

// A unary call; deletes its state when done.
template <class Request, class Response>
struct UnaryCall {
  template <class Start>
  static void Run(const Start& start, Request request, CallDone done) {
    auto* call = new UnaryCall{{}, std::move(request), {}, std::move(done)};
    start(&call->context, &call->request, &call->response,
          [call](grpc::Status status) { FinishAndDelete(call, call->done, status); });
  }
  grpc::ClientContext context;
  Request request;
  Response response;
  CallDone done;
};

// Keeps `inflight` calls going for a while: each slot starts a call, and when it finishes,
// records its latency and starts the next, until the time is up.
class ClosedLoop {
 public:
  // Starts one call of slot `slot`; the call must invoke `done` exactly once when it ends.
  using Starter = std::function<void(int slot, CallDone done)>;

  ClosedLoop(int inflight, Starter start) : inflight_(inflight), start_(std::move(start)) {}

  // Runs for `seconds` (then waits for the calls still in flight) and returns every call's
  // latency in microseconds, plus the measured window in seconds. A failed call aborts the
  // run: `failure` gets its status.
  std::vector<double> Run(double seconds, double* elapsed, grpc::Status* failure) {
    const auto begin = Clock::now();
    {
      absl::MutexLock lock(&mu_);
      active_ = inflight_;
    }
    for (int slot = 0; slot < inflight_; ++slot) StartOne(slot);
    {
      absl::MutexLock lock(&mu_);
      mu_.AwaitWithTimeout(absl::Condition(&stop_), absl::Seconds(seconds));
      stop_ = true;
      *elapsed = std::chrono::duration<double>(Clock::now() - begin).count();
      mu_.Await(absl::Condition(
          +[](int* active) { return *active == 0; }, &active_));
      *failure = failure_;
      return std::move(latencies_);
    }
  }

 private:
  using Clock = std::chrono::steady_clock;

  void StartOne(int slot) {
    const auto started = Clock::now();
    start_(slot, [this, slot, started](const grpc::Status& status) {
      const double micros =
          std::chrono::duration<double, std::micro>(Clock::now() - started).count();
      {
        absl::MutexLock lock(&mu_);
        if (!status.ok() && failure_.ok()) {
          failure_ = status;
          stop_ = true;
        }
        if (!stop_) latencies_.push_back(micros);
        if (stop_) {
          --active_;
          return;
        }
      }
      StartOne(slot);
    });
  }

  const int inflight_;
  const Starter start_;
  absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  int active_ ABSL_GUARDED_BY(mu_) = 0;
  grpc::Status failure_ ABSL_GUARDED_BY(mu_);
  std::vector<double> latencies_ ABSL_GUARDED_BY(mu_);
};

}  // namespace swarmkv

#endif  // SWARMKV_BENCH_CALLBACK_CALLS_H_
