// Executor: somewhere to run a task. The event loop hands blocking work (RocksDB, AEAD on large
// blocks) to one, which runs it off the loop thread; the ThreadPool is the daemon's, and the
// simulator uses InlineExecutor so blocking work runs at once, deterministically, on the loop.
//
// Thread safety: implementations are thread-safe.
#ifndef SWARMKV_BASE_EXECUTOR_H_
#define SWARMKV_BASE_EXECUTOR_H_

#include <functional>

namespace swarmkv {

class Executor {
 public:
  virtual ~Executor() = default;
  // Runs `task` once, on some thread, possibly before Post returns.
  virtual void Post(std::function<void()> task) = 0;
};

// Runs every task inside Post, on the caller's thread.
class InlineExecutor final : public Executor {
 public:
  void Post(std::function<void()> task) override { task(); }
};

}  // namespace swarmkv

#endif  // SWARMKV_BASE_EXECUTOR_H_
