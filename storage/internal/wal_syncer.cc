#include "storage/internal/wal_syncer.h"

#include <algorithm>

namespace swarmkv::storage_internal {

rocksdb::Status WalSyncer::SyncWrittenSoFar() {
  // A write's log record reaches the file before its sequence number is published, so every
  // write numbered up to `needed` is in the file, ready for SyncWAL.
  const rocksdb::SequenceNumber needed = db_->GetLatestSequenceNumber();
  absl::MutexLock lock(&mu_);
  while (synced_ < needed) {
    if (syncing_) {
      mu_.Await(absl::Condition(
          +[](bool* syncing) { return !*syncing; }, &syncing_));
      continue;  // that sync may have covered `needed`; if not, this caller starts the next
    }
    syncing_ = true;
    const rocksdb::SequenceNumber covered = db_->GetLatestSequenceNumber();
    mu_.Unlock();
    rocksdb::Status s = db_->SyncWAL();
    mu_.Lock();
    syncing_ = false;
    if (!s.ok()) return s;
    synced_ = std::max(synced_, covered);
  }
  return rocksdb::Status::OK();
}

}  // namespace swarmkv::storage_internal
