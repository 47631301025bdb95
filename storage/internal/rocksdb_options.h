// The RocksDB options the BlockStore opens with, in one place so the benchmark's raw-RocksDB
// baseline runs with exactly the same ones.
#ifndef SWARMKV_STORAGE_INTERNAL_ROCKSDB_OPTIONS_H_
#define SWARMKV_STORAGE_INTERNAL_ROCKSDB_OPTIONS_H_

#include <vector>

#include "rocksdb/db.h"
#include "rocksdb/options.h"
#include "storage/block_store.h"

namespace swarmkv::storage_internal {

// Column families (DESIGN §4), in the order their handles come back from DB::Open.
enum Family : int { kDefault = 0, kBlocks, kPins, kRecords, kProviders, kMeta, kFamilyCount };
inline constexpr const char* kFamilyNames[kFamilyCount] = {"default", "blocks",    "pins",
                                                           "records", "providers", "meta"};

struct RocksDbSetup {
  rocksdb::DBOptions db;
  std::vector<rocksdb::ColumnFamilyDescriptor> families;  // indexed by Family
  rocksdb::WriteOptions write;
};

RocksDbSetup MakeRocksDbSetup(const BlockStoreOptions& options);

}  // namespace swarmkv::storage_internal

#endif  // SWARMKV_STORAGE_INTERNAL_ROCKSDB_OPTIONS_H_
