#include "storage/internal/rocksdb_logger.h"

#include <cstdarg>
#include <cstdio>
#include <string>

#include "base/logging.h"

namespace swarmkv::storage_internal {
namespace {

class NodeLogger final : public rocksdb::Logger {
 public:
  NodeLogger() : rocksdb::Logger(rocksdb::InfoLogLevel::WARN_LEVEL) {}

  using rocksdb::Logger::Logv;
  void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override {
    if (level < GetInfoLogLevel() || level == rocksdb::InfoLogLevel::HEADER_LEVEL) return;
    char line[1024];
    std::vsnprintf(line, sizeof(line), format, ap);
    LogEvent(level >= rocksdb::InfoLogLevel::ERROR_LEVEL ? LogLevel::kError : LogLevel::kWarn,
             "rocksdb", {{"message", std::string(line)}});
  }
};

}  // namespace

std::shared_ptr<rocksdb::Logger> MakeRocksDbLogger() { return std::make_shared<NodeLogger>(); }

}  // namespace swarmkv::storage_internal
