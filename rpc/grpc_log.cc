#include "rpc/grpc_log.h"

#include <cstring>
#include <string>

#include "base/logging.h"
#include "grpc/support/log.h"

namespace swarmkv {
namespace {

void (*listener_failed)() = nullptr;

void OnGrpcLog(gpr_log_func_args* args) {
  const LogLevel level = args->severity == GPR_LOG_SEVERITY_ERROR  ? LogLevel::kError
                         : args->severity == GPR_LOG_SEVERITY_INFO ? LogLevel::kInfo
                                                                   : LogLevel::kDebug;
  LogEvent(level, "grpc",
           {{"message", std::string(args->message)},
            {"at", std::string(args->file) + ":" + std::to_string(args->line)}});
  if (std::strstr(args->message, "Failed accept4") != nullptr) {
    LogEvent(LogLevel::kError, "peer.listener_dead", {{"reason", std::string(args->message)}});
    if (listener_failed != nullptr) listener_failed();
  }
}

}  // namespace

void RouteGrpcLogs(void (*on_listener_failed)()) {
  listener_failed = on_listener_failed;
  gpr_set_log_function(&OnGrpcLog);
}

}  // namespace swarmkv
