// SimDisk: a simulated node's disk. RocksDB's in-memory Env, plus what a crash does to a real
// disk: bytes written to a file but not yet synced are lost (Crash), while synced ones survive.
// The files outlive the node's store, so a restarted node finds what it had synced, as after a
// SIGKILL or a power cut.
//
// Thread safety: thread-safe like any Env (RocksDB's background threads use it).
#ifndef SWARMKV_TESTING_SIM_DISK_H_
#define SWARMKV_TESTING_SIM_DISK_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "rocksdb/env.h"

namespace swarmkv::testing {

class SimDisk final : public rocksdb::EnvWrapper {
 public:
  SimDisk();

  rocksdb::Status NewWritableFile(const std::string& name,
                                  std::unique_ptr<rocksdb::WritableFile>* result,
                                  const rocksdb::EnvOptions& options) override;
  rocksdb::Status ReopenWritableFile(const std::string& name,
                                     std::unique_ptr<rocksdb::WritableFile>* result,
                                     const rocksdb::EnvOptions& options) override;
  rocksdb::Status ReuseWritableFile(const std::string& name, const std::string& old_name,
                                    std::unique_ptr<rocksdb::WritableFile>* result,
                                    const rocksdb::EnvOptions& options) override;
  rocksdb::Status RenameFile(const std::string& from, const std::string& to) override;
  rocksdb::Status DeleteFile(const std::string& name) override;

  // Every file loses what was written to it since its last sync. REQUIRES: no file is open
  // (the store on this disk is closed). Returns the bytes lost.
  uint64_t Crash();

  // A full disk: a write that would take the files past `bytes` fails with NoSpace (as ENOSPC
  // does). 0: no limit. Raising it is space freed by someone else.
  void set_capacity(uint64_t bytes);
  // Capacity minus the bytes every file holds (UINT64_MAX without a capacity).
  uint64_t free_bytes();

 private:
  class File;
  struct Extent {
    uint64_t written = 0;
    uint64_t synced = 0;
  };
  void Wrap(const std::string& name, uint64_t synced, std::unique_ptr<rocksdb::WritableFile>* file);

  absl::Mutex mu_;
  // Whether `more` bytes fit. REQUIRES: mu_ held.
  bool FitsLocked(uint64_t more) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  uint64_t FreeLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::flat_hash_map<std::string, Extent> files_ ABSL_GUARDED_BY(mu_);
  uint64_t capacity_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace swarmkv::testing

#endif  // SWARMKV_TESTING_SIM_DISK_H_
