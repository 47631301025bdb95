#include "node/progress.h"

#include <unistd.h>

#include "absl/strings/str_format.h"
#include "absl/time/clock.h"

namespace swarmkv {
namespace {
// Transfers smaller than this finish before a display would help.
constexpr uint64_t kShowFromBytes = 8u << 20;
constexpr absl::Duration kRedrawEvery = absl::Milliseconds(200);
constexpr double kMiB = 1048576.0;
}  // namespace

std::string FormatProgress(uint64_t done, std::optional<uint64_t> total, absl::Duration elapsed) {
  const double seconds = absl::ToDoubleSeconds(elapsed);
  const double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0.0;
  if (!total.has_value() || *total == 0) {
    return absl::StrFormat("%8.1f MiB  %7.1f MiB/s", done / kMiB, rate / kMiB);
  }
  const uint64_t shown_total = std::max(*total, done);
  const int percent = static_cast<int>(100.0 * static_cast<double>(done) / shown_total);
  std::string left = "--:--";
  if (rate > 0) {
    const int64_t secs = static_cast<int64_t>((shown_total - done) / rate + 0.5);
    left = absl::StrFormat("%d:%02d", secs / 60, secs % 60);
  }
  return absl::StrFormat("%8.1f MiB of %.1f MiB  %3d%%  %7.1f MiB/s  %s left", done / kMiB,
                         shown_total / kMiB, percent, rate / kMiB, left);
}

Progress::Progress(bool enabled, FILE* out, bool force_terminal)
    : out_(out),
      enabled_(enabled && (force_terminal || isatty(fileno(out)))),
      start_(absl::Now()) {}

Progress::~Progress() {
  if (shown_) std::fputs("\n", out_);
}

void Progress::Update(uint64_t done) {
  if (!enabled_ || done < kShowFromBytes) return;
  const absl::Time now = absl::Now();
  const bool finished = total_.has_value() && done >= *total_;
  if (now - last_ < kRedrawEvery && !finished) return;
  last_ = now;
  // "\r" and the clear-to-end-of-line code: a shorter line leaves nothing of the longer one.
  std::fprintf(out_, "\r%s\033[K", FormatProgress(done, total_, now - start_).c_str());
  std::fflush(out_);
  shown_ = true;
}

}  // namespace swarmkv
