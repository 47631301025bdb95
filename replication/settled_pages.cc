#include "replication/settled_pages.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/container/flat_hash_set.h"

namespace swarmkv {
namespace {

// A CID's bytes end with its multihash digest: uniform for every hash the store takes.
uint64_t TailOf(const std::string& bytes) {
  uint64_t tail = 0;
  const size_t n = std::min<size_t>(8, bytes.size());
  for (size_t i = bytes.size() - n; i < bytes.size(); ++i) {
    tail = (tail << 8) | static_cast<uint8_t>(bytes[i]);
  }
  return tail;
}

}  // namespace

PageMark MarkOf(absl::Span<const Cid> page) {
  PageMark mark{page.front(), page.back(), page.size(), 0};
  for (const Cid& cid : page) {
    // Mixed so that swapping two blocks' tails between pages does not cancel out.
    uint64_t x = TailOf(cid.ToBytes()) * 0x9E3779B97F4A7C15ull;
    mark.fingerprint ^= x ^ (x >> 29);
  }
  return mark;
}

bool EndsPage(const Cid& cid) { return TailOf(cid.ToBytes()) % kPageEndOdds == 0; }

size_t NextPageSize(absl::Span<const Cid> blocks, size_t max_blocks, bool more_follow) {
  const size_t limit = std::min(blocks.size(), max_blocks);
  for (size_t i = 0; i < limit; ++i) {
    if (EndsPage(blocks[i])) return i + 1;
  }
  if (blocks.size() >= max_blocks) return max_blocks;
  return more_follow ? 0 : blocks.size();
}

absl::Duration SettledPages::RecheckOf(const PageMark& mark) const {
  // Between half of recheck_ and all of it, by page.
  return recheck_ / 2 + (recheck_ / 2) * (static_cast<double>(mark.fingerprint % 1024) / 1024);
}

bool SettledPages::Skip(const PageMark& mark, uint64_t table_version, absl::Time now) {
  auto found = last_round_.find(mark.last);
  if (found == last_round_.end()) return false;
  const Settled& settled = found->second;
  const bool still = settled.mark == mark && settled.table_version == table_version &&
                     now - settled.at < RecheckOf(mark);
  if (still) this_round_.insert_or_assign(mark.last, std::move(found->second));
  last_round_.erase(found);
  return still;
}

void SettledPages::Settle(const PageMark& mark, uint64_t table_version, absl::Time now,
                          std::vector<NodeId> peers) {
  this_round_.insert_or_assign(mark.last, Settled{mark, table_version, now, std::move(peers)});
}

void SettledPages::EndRound() {
  last_round_ = std::move(this_round_);
  this_round_.clear();
}

std::vector<NodeId> SettledPages::Peers() const {
  absl::flat_hash_set<NodeId> seen;
  std::vector<NodeId> peers;
  for (const auto* pages : {&last_round_, &this_round_}) {
    for (const auto& [last, settled] : *pages) {
      for (const NodeId& id : settled.peers) {
        if (seen.insert(id).second) peers.push_back(id);
      }
    }
  }
  std::sort(peers.begin(), peers.end());  // the simulator replays a seed only in a fixed order
  return peers;
}

}  // namespace swarmkv
