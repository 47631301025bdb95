// RocksDB's info log, sent to the node's own log instead of a LOG file in the store. A LOG file
// that hit ENOSPC ended in an assertion inside RocksDB that killed the daemon (issue 15
// finding 1), and it grew without bound besides. Warnings and errors only: RocksDB's info level
// is a line per flush and compaction.
#ifndef SWARMKV_STORAGE_INTERNAL_ROCKSDB_LOGGER_H_
#define SWARMKV_STORAGE_INTERNAL_ROCKSDB_LOGGER_H_

#include <memory>

#include "rocksdb/env.h"

namespace swarmkv::storage_internal {

std::shared_ptr<rocksdb::Logger> MakeRocksDbLogger();

}  // namespace swarmkv::storage_internal

#endif  // SWARMKV_STORAGE_INTERNAL_ROCKSDB_LOGGER_H_
