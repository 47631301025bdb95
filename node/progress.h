// Progress of a long put or get, on one line of stderr that rewrites itself: bytes so far (of
// the total, when known), percent, rate and time left. Shown only when stderr is a terminal,
// only for transfers past a few MiB, at most 5 times a second, and not at all when quiet; a
// script reading stdout never sees it. (Debian has no maintained C++ progress-bar library
// that fits: indicators and the like are not packaged.)
#ifndef SWARMKV_NODE_PROGRESS_H_
#define SWARMKV_NODE_PROGRESS_H_

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

#include "absl/time/time.h"

namespace swarmkv {

// The line itself, e.g. "  12.0 MiB of 100.0 MiB  12%  45.3 MiB/s  0:02 left" (without the
// total: "  12.0 MiB  45.3 MiB/s").
std::string FormatProgress(uint64_t done, std::optional<uint64_t> total, absl::Duration elapsed);

class Progress {
 public:
  // Shown when `enabled` and `out` is a terminal (or `force_terminal`, for tests).
  explicit Progress(bool enabled, FILE* out = stderr, bool force_terminal = false);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void set_total(uint64_t total) { total_ = total; }
  void Update(uint64_t done);

 private:
  FILE* const out_;
  const bool enabled_;
  bool shown_ = false;
  std::optional<uint64_t> total_;
  const absl::Time start_;
  absl::Time last_ = absl::InfinitePast();
};

}  // namespace swarmkv

#endif  // SWARMKV_NODE_PROGRESS_H_
