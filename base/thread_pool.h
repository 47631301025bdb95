// ThreadPool: a fixed set of worker threads running posted tasks in FIFO order.
//
// gRPC's callback reactors must never block, while RocksDB and the crypto do; reactors post that
// work here and resume the call from the task.
//
// Thread safety: Post is safe from any thread, including from a task.
#ifndef SWARMKV_BASE_THREAD_POOL_H_
#define SWARMKV_BASE_THREAD_POOL_H_

#include <cstddef>
#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "base/executor.h"

namespace swarmkv {

class ThreadPool final : public Executor {
 public:
  // REQUIRES: threads >= 1.
  explicit ThreadPool(size_t threads);
  // Runs every task already posted, then joins the workers.
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  void Post(std::function<void()> task) override;

 private:
  void Work();

  absl::Mutex mu_;
  std::deque<std::function<void()>> tasks_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> workers_;
};

}  // namespace swarmkv

#endif  // SWARMKV_BASE_THREAD_POOL_H_
