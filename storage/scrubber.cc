#include "storage/scrubber.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "base/logging.h"

namespace swarmkv {
namespace {
// While a full pass runs, or after a failed listing, the background pass looks again after this.
constexpr absl::Duration kRetry = absl::Minutes(1);
// An empty store is looked at again after this (not a whole pass_interval: content put meanwhile
// would go unchecked that long).
constexpr absl::Duration kEmptyStoreRecheck = absl::Minutes(10);
// Blocks listed at a time by a full pass.
constexpr size_t kFullPassPage = 1024;
}  // namespace

absl::Duration ScrubPause(uint64_t bytes, absl::Duration work, uint64_t stored_bytes,
                          const ScrubOptions& options) {
  const double share = std::clamp(options.max_cpu_share, 0.001, 1.0);
  const absl::Duration by_cpu = work * ((1 - share) / share);
  absl::Duration by_rate = absl::ZeroDuration();
  if (stored_bytes > 0) {
    // This slice's part of the pass, spread over its part of the interval.
    const double part =
        std::min(1.0, static_cast<double>(bytes) / static_cast<double>(stored_bytes));
    by_rate = options.pass_interval * part - work;
  }
  return std::max({by_cpu, by_rate, absl::ZeroDuration()});
}

Scrubber::Scrubber(BlockStore& store, Repair repair, ScrubOptions options)
    : store_(store), repair_(std::move(repair)), options_(options) {}

absl::Duration Scrubber::Slice() {
  if (options_.pass_interval <= absl::ZeroDuration()) return absl::InfiniteDuration();
  if (!pass_mu_.TryLock()) return kRetry;  // a full pass is running
  const absl::Time start = absl::Now();
  ScrubReport report;
  absl::StatusOr<std::vector<Cid>> page =
      store_.ListBlocks(cursor_.has_value() ? &*cursor_ : nullptr, options_.slice_blocks);
  if (!page.ok()) {
    pass_mu_.Unlock();
    LogEvent(LogLevel::kWarn, "store.scrub_failed", {{"status", page.status()}});
    return kRetry;
  }
  const bool store_empty = page->empty() && !cursor_.has_value();
  size_t checked = 0;
  for (const Cid& cid : *page) {
    if (report.counts.bytes_checked >= options_.slice_bytes) break;
    Check(cid, &report);
    cursor_ = cid;
    ++checked;
  }
  // The listing reached the end of the store: the pass is complete, the next begins at the start.
  const bool pass_done =
      !store_empty && checked == page->size() && page->size() < options_.slice_blocks;
  if (pass_done) {
    cursor_.reset();
    report.counts.passes = 1;
  }
  pass_mu_.Unlock();
  Add(report.counts);
  if (pass_done) {
    LogEvent(LogLevel::kDebug, "store.scrub_pass", {{"blocks", store_.Stats().blocks}});
  }
  if (store_empty) return kEmptyStoreRecheck;
  return ScrubPause(report.counts.bytes_checked, absl::Now() - start, store_.Stats().stored_bytes,
                    options_);
}

absl::StatusOr<ScrubReport> Scrubber::FullPass(const std::function<bool()>& stop) {
  absl::MutexLock lock(&pass_mu_);
  const absl::Time start = absl::Now();
  ScrubReport report;
  std::optional<Cid> after;
  while (true) {
    absl::StatusOr<std::vector<Cid>> page =
        store_.ListBlocks(after.has_value() ? &*after : nullptr, kFullPassPage);
    if (!page.ok()) {
      Add(report.counts);
      return page.status();
    }
    if (page->empty()) break;
    for (const Cid& cid : *page) {
      if (stop != nullptr && stop()) {
        Add(report.counts);
        return absl::CancelledError(
            absl::StrCat("the scrub stopped after ", report.counts.blocks_checked, " blocks"));
      }
      Check(cid, &report);
    }
    after = page->back();
  }
  report.counts.passes = 1;
  report.elapsed = absl::Now() - start;
  Add(report.counts);
  LogEvent(report.counts.damaged > 0 ? LogLevel::kWarn : LogLevel::kInfo, "store.scrubbed",
           {{"blocks", report.counts.blocks_checked},
            {"bytes", report.counts.bytes_checked},
            {"damaged", report.counts.damaged},
            {"repaired", report.counts.repaired},
            {"lost", report.counts.lost},
            {"seconds", absl::ToDoubleSeconds(report.elapsed)}});
  return report;
}

void Scrubber::Check(const Cid& cid, ScrubReport* report) {
  absl::StatusOr<uint64_t> checked = store_.CheckBlock(cid);
  if (absl::IsNotFound(checked.status())) return;  // deleted since it was listed
  ++report->counts.blocks_checked;
  if (checked.ok()) {
    report->counts.bytes_checked += *checked;
    return;
  }
  if (!absl::IsDataLoss(checked.status())) {
    // Not a verdict on the block (an I/O error, say): it stays, for the next pass.
    LogEvent(LogLevel::kWarn, "store.scrub_read_failed",
             {{"cid", cid.ToString()}, {"status", checked.status()}});
    return;
  }
  LogEvent(LogLevel::kError, "store.block_damaged",
           {{"cid", cid.ToString()}, {"status", checked.status()}, {"found_by", "scrub"}});
  absl::StatusOr<bool> removed = store_.RemoveDamagedBlock(cid);
  if (!removed.ok()) {
    LogEvent(LogLevel::kError, "store.scrub_remove_failed",
             {{"cid", cid.ToString()}, {"status", removed.status()}});
    return;
  }
  if (!*removed) return;  // sound after all: rewritten meanwhile
  ++report->counts.damaged;
  absl::Status repaired = absl::FailedPreconditionError("no peers to repair from");
  if (repair_ != nullptr) {
    absl::StatusOr<std::string> copy = repair_(cid);
    repaired = copy.ok() ? store_.PutVerified(cid, *copy) : copy.status();
  }
  if (repaired.ok()) {
    ++report->counts.repaired;
    LogEvent(LogLevel::kInfo, "store.block_repaired", {{"cid", cid.ToString()}});
    return;
  }
  ++report->counts.lost;
  if (report->lost.size() < kMaxReportedLost) report->lost.push_back(cid);
  LogEvent(LogLevel::kError, "store.block_lost", {{"cid", cid.ToString()}, {"status", repaired}});
}

void Scrubber::Add(const ScrubCounts& counts) {
  absl::MutexLock lock(&totals_mu_);
  totals_.blocks_checked += counts.blocks_checked;
  totals_.bytes_checked += counts.bytes_checked;
  totals_.damaged += counts.damaged;
  totals_.repaired += counts.repaired;
  totals_.lost += counts.lost;
  totals_.passes += counts.passes;
}

ScrubCounts Scrubber::Totals() const {
  absl::MutexLock lock(&totals_mu_);
  return totals_;
}

}  // namespace swarmkv
