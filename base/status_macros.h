// Status propagation macros. Debian's Abseil 20220623 ships none, so swarmkv has its own.
//
//   SWARMKV_RETURN_IF_ERROR(store.Write(batch));
//   SWARMKV_ASSIGN_OR_RETURN(Cid cid, Cid::Parse(text));
//
// Both evaluate their argument exactly once and return the failing absl::Status unchanged.
#ifndef SWARMKV_BASE_STATUS_MACROS_H_
#define SWARMKV_BASE_STATUS_MACROS_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define SWARMKV_RETURN_IF_ERROR(expr)                  \
  do {                                                 \
    ::absl::Status swarmkv_status_ = (expr);           \
    if (!swarmkv_status_.ok()) return swarmkv_status_; \
  } while (false)

#define SWARMKV_STATUS_CONCAT_INNER_(a, b) a##b
#define SWARMKV_STATUS_CONCAT_(a, b) SWARMKV_STATUS_CONCAT_INNER_(a, b)

#define SWARMKV_ASSIGN_OR_RETURN(lhs, expr) \
  SWARMKV_ASSIGN_OR_RETURN_IMPL_(SWARMKV_STATUS_CONCAT_(swarmkv_statusor_, __LINE__), lhs, expr)

#define SWARMKV_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr) \
  auto statusor = (expr);                                   \
  if (!statusor.ok()) return std::move(statusor).status();  \
  lhs = std::move(statusor).value()

#endif  // SWARMKV_BASE_STATUS_MACROS_H_
