#include "storage/internal/rocksdb_status.h"

#include "absl/strings/str_cat.h"

namespace swarmkv::storage_internal {

absl::Status FromRocksDb(const rocksdb::Status& status, absl::string_view context) {
  if (status.ok()) return absl::OkStatus();
  const std::string msg = absl::StrCat(context, ": ", status.ToString());
  if (status.IsNotFound()) return absl::NotFoundError(msg);
  if (status.IsCorruption()) return absl::DataLossError(msg);
  if (status.IsNoSpace()) return absl::ResourceExhaustedError(msg);
  if (status.IsInvalidArgument()) return absl::InvalidArgumentError(msg);
  if (status.IsBusy() || status.IsTimedOut() || status.IsTryAgain()) {
    return absl::UnavailableError(msg);
  }
  if (status.IsIOError()) {
    // Includes "lock held by another process": the data dir is in use.
    return absl::UnavailableError(msg);
  }
  return absl::InternalError(msg);
}

}  // namespace swarmkv::storage_internal
