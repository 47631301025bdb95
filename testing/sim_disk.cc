#include "testing/sim_disk.h"

#include <algorithm>
#include <utility>
#include <vector>

namespace swarmkv::testing {

// A writable file that tells the disk how far it was written and how far synced.
class SimDisk::File final : public rocksdb::WritableFileWrapper {
 public:
  File(SimDisk& disk, std::string name, uint64_t size, std::unique_ptr<rocksdb::WritableFile> file)
      : WritableFileWrapper(file.get()),
        disk_(disk),
        name_(std::move(name)),
        size_(size),
        file_(std::move(file)) {}

  rocksdb::Status Append(const rocksdb::Slice& data) override {
    if (!Wrote(size_ + data.size())) return NoSpace();
    return file_->Append(data);
  }
  rocksdb::Status Append(const rocksdb::Slice& data,
                         const rocksdb::DataVerificationInfo& info) override {
    if (!Wrote(size_ + data.size())) return NoSpace();
    return file_->Append(data, info);
  }
  rocksdb::Status PositionedAppend(const rocksdb::Slice& data, uint64_t offset) override {
    if (!Wrote(offset + data.size())) return NoSpace();
    return file_->PositionedAppend(data, offset);
  }
  rocksdb::Status Truncate(uint64_t size) override {
    size_ = size;
    absl::MutexLock lock(&disk_.mu_);
    Extent& extent = disk_.files_[name_];
    extent.written = size;
    extent.synced = std::min(extent.synced, size);
    return file_->Truncate(size);
  }
  rocksdb::Status Sync() override { return Synced(file_->Sync()); }
  rocksdb::Status Fsync() override { return Synced(file_->Fsync()); }
  // The in-memory file's sync is a no-op, safe from any thread; RocksDB's SyncWAL needs this.
  bool IsSyncThreadSafe() const override { return true; }

 private:
  static rocksdb::Status NoSpace() { return rocksdb::Status::NoSpace("no space left on device"); }
  // False (and nothing written) when the disk is full.
  bool Wrote(uint64_t end) {
    absl::MutexLock lock(&disk_.mu_);
    Extent& extent = disk_.files_[name_];
    if (end > extent.written && !disk_.FitsLocked(end - extent.written)) return false;
    size_ = std::max(size_, end);
    extent.written = std::max(extent.written, end);
    return true;
  }
  rocksdb::Status Synced(rocksdb::Status status) {
    if (!status.ok()) return status;
    absl::MutexLock lock(&disk_.mu_);
    Extent& extent = disk_.files_[name_];
    extent.synced = extent.written;
    return status;
  }

  SimDisk& disk_;
  const std::string name_;
  uint64_t size_;  // how far this file has been written
  const std::unique_ptr<rocksdb::WritableFile> file_;
};

SimDisk::SimDisk()
    : EnvWrapper(std::unique_ptr<rocksdb::Env>(rocksdb::NewMemEnv(rocksdb::Env::Default()))) {}

void SimDisk::Wrap(const std::string& name, uint64_t synced,
                   std::unique_ptr<rocksdb::WritableFile>* file) {
  {
    absl::MutexLock lock(&mu_);
    files_[name] = Extent{synced, synced};
  }
  *file = std::make_unique<File>(*this, name, synced, std::move(*file));
}

rocksdb::Status SimDisk::NewWritableFile(const std::string& name,
                                         std::unique_ptr<rocksdb::WritableFile>* result,
                                         const rocksdb::EnvOptions& options) {
  rocksdb::Status s = target()->NewWritableFile(name, result, options);
  if (s.ok()) Wrap(name, 0, result);
  return s;
}

rocksdb::Status SimDisk::ReopenWritableFile(const std::string& name,
                                            std::unique_ptr<rocksdb::WritableFile>* result,
                                            const rocksdb::EnvOptions& options) {
  rocksdb::Status s = target()->ReopenWritableFile(name, result, options);
  if (s.ok()) {
    uint64_t size = 0;
    s = target()->GetFileSize(name, &size);
    if (s.ok()) Wrap(name, size, result);  // what is there has survived
  }
  return s;
}

rocksdb::Status SimDisk::ReuseWritableFile(const std::string& name, const std::string& old_name,
                                           std::unique_ptr<rocksdb::WritableFile>* result,
                                           const rocksdb::EnvOptions& options) {
  rocksdb::Status s = target()->ReuseWritableFile(name, old_name, result, options);
  if (s.ok()) {
    {
      absl::MutexLock lock(&mu_);
      files_.erase(old_name);
    }
    Wrap(name, 0, result);
  }
  return s;
}

rocksdb::Status SimDisk::RenameFile(const std::string& from, const std::string& to) {
  rocksdb::Status s = target()->RenameFile(from, to);
  if (s.ok()) {
    absl::MutexLock lock(&mu_);
    auto it = files_.find(from);
    if (it != files_.end()) {
      const Extent extent = it->second;  // copied first: inserting may move the table
      files_.erase(it);
      files_[to] = extent;
    }
  }
  return s;
}

rocksdb::Status SimDisk::DeleteFile(const std::string& name) {
  rocksdb::Status s = target()->DeleteFile(name);
  if (s.ok()) {
    absl::MutexLock lock(&mu_);
    files_.erase(name);
  }
  return s;
}

void SimDisk::set_capacity(uint64_t bytes) {
  absl::MutexLock lock(&mu_);
  capacity_ = bytes;
}

uint64_t SimDisk::FreeLocked() const {
  if (capacity_ == 0) return UINT64_MAX;
  uint64_t used = 0;
  for (const auto& [name, extent] : files_) used += extent.written;
  return used >= capacity_ ? 0 : capacity_ - used;
}

bool SimDisk::FitsLocked(uint64_t more) const { return more <= FreeLocked(); }

uint64_t SimDisk::free_bytes() {
  absl::MutexLock lock(&mu_);
  return FreeLocked();
}

uint64_t SimDisk::Crash() {
  std::vector<std::pair<std::string, uint64_t>> cut;
  {
    absl::MutexLock lock(&mu_);
    for (auto& [name, extent] : files_) {
      if (extent.synced < extent.written) cut.emplace_back(name, extent.synced);
      extent.written = extent.synced;
    }
  }
  uint64_t lost = 0;
  for (const auto& [name, keep] : cut) {
    std::string data;
    if (!rocksdb::ReadFileToString(target(), name, &data).ok()) continue;
    if (data.size() <= keep) continue;
    lost += data.size() - keep;
    data.resize(keep);
    std::unique_ptr<rocksdb::WritableFile> file;
    if (!target()->NewWritableFile(name, &file, rocksdb::EnvOptions()).ok()) continue;
    if (!data.empty()) file->Append(data).PermitUncheckedError();
    file->Close().PermitUncheckedError();
  }
  return lost;
}

}  // namespace swarmkv::testing
