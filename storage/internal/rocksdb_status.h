// Maps RocksDB statuses to absl::Status codes by what the caller should do next.
#ifndef SWARMKV_STORAGE_INTERNAL_ROCKSDB_STATUS_H_
#define SWARMKV_STORAGE_INTERNAL_ROCKSDB_STATUS_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "rocksdb/status.h"

namespace swarmkv::storage_internal {

// `context` says what was being done ("open store /var/lib/x", "write block b...").
absl::Status FromRocksDb(const rocksdb::Status& status, absl::string_view context);

}  // namespace swarmkv::storage_internal

#endif  // SWARMKV_STORAGE_INTERNAL_ROCKSDB_STATUS_H_
