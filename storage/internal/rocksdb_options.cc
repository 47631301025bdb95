#include "storage/internal/rocksdb_options.h"

#include "rocksdb/cache.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/table.h"
#include "storage/internal/rocksdb_logger.h"

namespace swarmkv::storage_internal {

RocksDbSetup MakeRocksDbSetup(const BlockStoreOptions& options) {
  RocksDbSetup setup;
  setup.db.create_if_missing = true;
  setup.db.create_missing_column_families = true;
  setup.db.paranoid_checks = true;
  if (options.env != nullptr) setup.db.env = options.env;
  // No LOG file: RocksDB's warnings go to the node's log (rocksdb_logger.h).
  setup.db.info_log = MakeRocksDbLogger();
  // RocksDB's defaults (64 MiB memtables, two per column family) would let a 1 GiB put hold
  // ~128 MiB of memtable; one budget across all families keeps memory flat.
  setup.db.db_write_buffer_size = options.memtable_bytes;
  // A WAL file is deleted only once every family with writes in it has flushed. The small
  // families (pins, meta) take a write with every put but rarely fill a memtable, so without a
  // cap they keep every WAL alive: a 256 MiB put left 256 MiB of WAL beside 256 MiB of blob
  // files until a restart (issue 14: data dir 2.0x Kubo's). Past this total, RocksDB flushes the
  // families that hold the oldest WAL.
  setup.db.max_total_wal_size = options.memtable_bytes;

  // Sealed values are random bytes: compression would only cost CPU. Bloom filters make the
  // "is this block new?" check on every put cheap.
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  rocksdb::ColumnFamilyOptions cf;
  cf.compression = rocksdb::kNoCompression;
  cf.write_buffer_size = options.memtable_bytes / 4;
  cf.max_write_buffer_number = 2;
  // The same for keys still in the memtable: without a memtable filter, every miss (a new block,
  // a block's first refcount) walks the skiplist; profiled at 8 % of the API's 1 KiB put path.
  cf.memtable_prefix_bloom_size_ratio = 0.02;
  cf.memtable_whole_key_filtering = true;
  cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  for (const char* name : kFamilyNames) setup.families.emplace_back(name, cf);

  // Blocks are large, random and written once: RocksDB's integrated blob files keep them out of
  // the LSM tree, so compaction moves only keys instead of rewriting every block several times.
  // Blob garbage collection stays off in ordinary compactions: it copies every block of the
  // oldest quarter of blob files whether or not any block near it was deleted, and cost 11 % of
  // the CPU of a 256 MiB API put. BlockStore::ReclaimSpace runs it once deletions warrant it.
  rocksdb::ColumnFamilyOptions& blocks = setup.families[kBlocks].options;
  blocks.enable_blob_files = true;
  blocks.min_blob_size = 4096;
  blocks.blob_file_size = 64u << 20;
  blocks.enable_blob_garbage_collection = false;

  setup.write.sync = options.sync_writes;
  return setup;
}

}  // namespace swarmkv::storage_internal
