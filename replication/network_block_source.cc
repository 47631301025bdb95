#include "replication/network_block_source.h"

#include <algorithm>

#include "base/logging.h"

namespace swarmkv {
namespace {
constexpr size_t kMaxHints = 2;
}  // namespace

absl::StatusOr<std::string> NetworkBlockSource::Get(const Cid& cid) const {
  absl::StatusOr<std::string> local = store_.Get(cid);
  if (swarm_ == nullptr || !absl::IsNotFound(local.status())) return local;

  std::vector<Contact> hints = hints_;
  absl::StatusOr<std::string> fetched = swarm_->Fetch(cid, &hints);
  if (!fetched.ok()) return fetched.status();
  // Keep the one that served it (appended last) at the front, without repeats.
  if (hints.size() > hints_.size()) {
    const Contact served = hints.back();
    hints_.erase(std::remove_if(hints_.begin(), hints_.end(),
                                [&](const Contact& c) { return c.id == served.id; }),
                 hints_.end());
    hints_.insert(hints_.begin(), served);
    if (hints_.size() > kMaxHints) hints_.pop_back();
  }
  if (swarm_->options().cache_fetched_blocks) {
    // A cache: not worth an fsync, since losing it costs only a refetch.
    absl::Status cached = store_.PutVerified(cid, *fetched, BlockStore::Durability::kDeferred);
    if (!cached.ok()) {
      LogEvent(LogLevel::kWarn, "swarm.cache_failed",
               {{"cid", cid.ToString()}, {"status", cached}});
    }
  }
  return fetched;
}

}  // namespace swarmkv
