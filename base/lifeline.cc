#include "base/lifeline.h"

#include <utility>

namespace swarmkv {

bool Lifeline::Enter(State& state) {
  absl::MutexLock lock(&state.mu);
  if (state.closed) return false;
  ++state.running;
  return true;
}

void Lifeline::Leave(State& state) {
  absl::MutexLock lock(&state.mu);
  --state.running;
}

std::function<void()> Lifeline::Guard(std::function<void()> task) const {
  return [state = state_, task = std::move(task)] {
    if (!Enter(*state)) return;
    task();
    Leave(*state);
  };
}

void Lifeline::Close() {
  absl::MutexLock lock(&state_->mu);
  state_->closed = true;
  state_->mu.Await(absl::Condition(
      +[](State* s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s->mu) { return s->running == 0; },
      state_.get()));
}

bool Lifeline::closed() const {
  absl::MutexLock lock(&state_->mu);
  return state_->closed;
}

}  // namespace swarmkv
