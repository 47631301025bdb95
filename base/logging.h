// Structured logging on spdlog: one line per event, `logfmt` style, on stderr.
//
//   LogEvent(LogLevel::kInfo, "store.opened", {{"path", dir}, {"blocks", count}});
//   -> 2026-11-24T20:00:00.123Z info store.opened path=/var/lib/swarmkv blocks=12
//
// An event name is a fixed, dotted identifier; everything variable goes in fields. Values are
// quoted and escaped when needed, so input from the network cannot forge a line.
// Secrets cannot be logged by accident: `LogField` has no constructor for `SecretBytes`.
// Thread safety: all functions are thread-safe.
#ifndef SWARMKV_BASE_LOGGING_H_
#define SWARMKV_BASE_LOGGING_H_

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace spdlog::sinks {
class sink;
}

namespace swarmkv {

enum class LogLevel { kDebug, kInfo, kWarn, kError, kOff };

// One `key=value` pair. The key must be a fixed identifier; the value is any text.
class LogField {
 public:
  LogField(absl::string_view key, absl::string_view value);
  LogField(absl::string_view key, const char* value) : LogField(key, absl::string_view(value)) {}
  LogField(absl::string_view key, const std::string& value)
      : LogField(key, absl::string_view(value)) {}
  LogField(absl::string_view key, int64_t value);
  LogField(absl::string_view key, uint64_t value);
  LogField(absl::string_view key, int value) : LogField(key, static_cast<int64_t>(value)) {}
  LogField(absl::string_view key, unsigned value) : LogField(key, static_cast<uint64_t>(value)) {}
  LogField(absl::string_view key, double value);
  LogField(absl::string_view key, bool value);
  // Logs the code and the message of the status.
  LogField(absl::string_view key, const absl::Status& status);

  const std::string& text() const { return text_; }

 private:
  std::string text_;  // "key=value", escaped.
};

// Writes one line if `level` is at or above the current level.
void LogEvent(LogLevel level, absl::string_view event, std::initializer_list<LogField> fields = {});

// Parses "debug", "info", "warn", "error" or "off".
absl::Status SetLogLevel(absl::string_view level);
void SetLogLevel(LogLevel level);
bool LogEnabled(LogLevel level);

// Sends log lines to `sink` instead of stderr (tests capture output this way); nullptr restores
// stderr.
void SetLogSink(std::shared_ptr<spdlog::sinks::sink> sink);

}  // namespace swarmkv

#endif  // SWARMKV_BASE_LOGGING_H_
