#include "base/logging.h"

#include <memory>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "spdlog/sinks/stdout_sinks.h"
#include "spdlog/spdlog.h"

namespace swarmkv {
namespace {

// Quotes a value when it holds anything but plain printable non-space characters, and escapes
// control characters so a value can never start a new line.
std::string EscapeValue(absl::string_view value) {
  bool needs_quotes = value.empty();
  for (unsigned char c : value) {
    if (c <= ' ' || c == '"' || c == '=' || c == '\\' || c >= 0x7f) {
      needs_quotes = true;
      break;
    }
  }
  if (!needs_quotes) return std::string(value);
  std::string out = "\"";
  for (unsigned char c : value) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out += absl::StrFormat("\\x%02x", c);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out += "\"";
  return out;
}

spdlog::level::level_enum ToSpdlog(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return spdlog::level::debug;
    case LogLevel::kInfo:
      return spdlog::level::info;
    case LogLevel::kWarn:
      return spdlog::level::warn;
    case LogLevel::kError:
      return spdlog::level::err;
    case LogLevel::kOff:
      return spdlog::level::off;
  }
  return spdlog::level::info;
}

class LoggerHolder {
 public:
  LoggerHolder() { Reset(nullptr); }

  std::shared_ptr<spdlog::logger> Get() {
    absl::MutexLock lock(&mu_);
    return logger_;
  }

  void Reset(std::shared_ptr<spdlog::sinks::sink> sink) {
    if (sink == nullptr) sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    auto logger = std::make_shared<spdlog::logger>("swarmkv", std::move(sink));
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc);
    absl::MutexLock lock(&mu_);
    logger->set_level(logger_ ? logger_->level() : spdlog::level::info);
    logger->flush_on(spdlog::level::trace);  // one event = one complete line, at once
    logger_ = std::move(logger);
  }

 private:
  absl::Mutex mu_;
  std::shared_ptr<spdlog::logger> logger_ ABSL_GUARDED_BY(mu_);
};

LoggerHolder& Holder() {
  static LoggerHolder* holder = new LoggerHolder();
  return *holder;
}

}  // namespace

LogField::LogField(absl::string_view key, absl::string_view value)
    : text_(absl::StrCat(key, "=", EscapeValue(value))) {}
LogField::LogField(absl::string_view key, int64_t value) : text_(absl::StrCat(key, "=", value)) {}
LogField::LogField(absl::string_view key, uint64_t value) : text_(absl::StrCat(key, "=", value)) {}
LogField::LogField(absl::string_view key, double value) : text_(absl::StrCat(key, "=", value)) {}
LogField::LogField(absl::string_view key, bool value)
    : text_(absl::StrCat(key, "=", value ? "true" : "false")) {}
LogField::LogField(absl::string_view key, const absl::Status& status)
    : text_(status.ok() ? absl::StrCat(key, "=OK")
                        : absl::StrCat(key, "=", absl::StatusCodeToString(status.code()), " ", key,
                                       "_message=", EscapeValue(status.message()))) {}

void LogEvent(LogLevel level, absl::string_view event, std::initializer_list<LogField> fields) {
  auto logger = Holder().Get();
  const auto spd_level = ToSpdlog(level);
  if (!logger->should_log(spd_level)) return;
  std::string line(event);
  for (const LogField& field : fields) absl::StrAppend(&line, " ", field.text());
  logger->log(spd_level, line);
}

absl::Status SetLogLevel(absl::string_view level) {
  const std::string lower = absl::AsciiStrToLower(level);
  if (lower == "debug") {
    SetLogLevel(LogLevel::kDebug);
  } else if (lower == "info") {
    SetLogLevel(LogLevel::kInfo);
  } else if (lower == "warn" || lower == "warning") {
    SetLogLevel(LogLevel::kWarn);
  } else if (lower == "error") {
    SetLogLevel(LogLevel::kError);
  } else if (lower == "off") {
    SetLogLevel(LogLevel::kOff);
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown log level \"", level, "\"; use debug, info, warn, error or off"));
  }
  return absl::OkStatus();
}

void SetLogLevel(LogLevel level) { Holder().Get()->set_level(ToSpdlog(level)); }

bool LogEnabled(LogLevel level) { return Holder().Get()->should_log(ToSpdlog(level)); }

void SetLogSink(std::shared_ptr<spdlog::sinks::sink> sink) { Holder().Reset(std::move(sink)); }

}  // namespace swarmkv
