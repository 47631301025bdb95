#include "replication/network_block_source.h"

#include <algorithm>

#include "base/logging.h"

namespace swarmkv {
namespace {
constexpr size_t kMaxHints = 2;
}  // namespace

absl::StatusOr<std::string> NetworkBlockSource::Get(const Cid& cid) const {
  if (auto it = ahead_.find(cid); it != ahead_.end()) {
    std::string block = std::move(it->second);
    ahead_.erase(it);
    return block;
  }
  absl::StatusOr<std::string> local = store_.Get(cid);
  if (swarm_ == nullptr || !absl::IsNotFound(local.status())) return local;

  std::vector<Contact> hints = hints_;
  absl::StatusOr<std::string> fetched = swarm_->Fetch(cid, &hints);
  if (!fetched.ok()) return fetched.status();
  Remember(std::move(hints));
  Keep(cid, *fetched);
  return fetched;
}

void NetworkBlockSource::WillRead(const std::vector<Cid>& cids) const {
  if (swarm_ == nullptr) return;
  std::vector<Cid> missing;
  for (const Cid& cid : cids) {
    auto held = store_.Has(cid);
    if (held.ok() && !*held && !ahead_.contains(cid)) missing.push_back(cid);
  }
  if (missing.size() < 2) return;  // nothing to gain over a plain Get
  std::vector<Contact> hints = hints_;
  std::vector<absl::StatusOr<std::string>> blocks = swarm_->FetchMany(missing, &hints);
  Remember(std::move(hints));
  for (size_t i = 0; i < missing.size(); ++i) {
    if (!blocks[i].ok()) continue;  // Get will try again and report
    Keep(missing[i], *blocks[i]);
    ahead_.emplace(missing[i], *std::move(blocks[i]));
  }
}

void NetworkBlockSource::Keep(const Cid& cid, const std::string& block) const {
  if (!swarm_->options().cache_fetched_blocks) return;
  // A cache: not worth an fsync, since losing it costs only a refetch.
  absl::Status cached = store_.PutVerified(cid, block, BlockStore::Durability::kDeferred);
  if (!cached.ok()) {
    LogEvent(LogLevel::kWarn, "swarm.cache_failed", {{"cid", cid.ToString()}, {"status", cached}});
  }
}

void NetworkBlockSource::Remember(std::vector<Contact> hints) const {
  // The swarm drops hints that lied and appends the peers that served blocks; the newest
  // server goes first, without repeats.
  std::vector<Contact> ordered(hints.rbegin(), hints.rend());
  hints_.clear();
  for (const Contact& c : ordered) {
    if (hints_.size() == kMaxHints) break;
    if (std::none_of(hints_.begin(), hints_.end(),
                     [&](const Contact& h) { return h.id == c.id; })) {
      hints_.push_back(c);
    }
  }
}

}  // namespace swarmkv
