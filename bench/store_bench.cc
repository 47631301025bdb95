// Store benchmark: the sealed, verified BlockStore beside raw RocksDB opened with the same
// options (storage/internal/rocksdb_options.h), in the same process, rounds interleaved; and
// content put/get throughput with peak RSS. bench/run_store_bench.sh runs it and prints a table.
//
//   store_bench blocks --size 1024 --count 100000 --sync 0 --rounds 3
//   store_bench content-put --dir D --bytes 1073741824 --mode random --uri-file F
//   store_bench content-get --dir D --uri-file F
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "base/random.h"
#include "bench/bench_flags.h"
#include "crypto/capability.h"
#include "crypto/key_file.h"
#include "rocksdb/db.h"
#include "storage/block_store.h"
#include "storage/content_reader.h"
#include "storage/content_writer.h"
#include "storage/internal/rocksdb_options.h"

namespace swarmkv {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

long PeakRssKib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "store_bench: %s\n", what.c_str());
  std::exit(1);
}

// Value i: shared random bytes with i stamped every 4 KiB, so no two values, and no two chunks
// cut from them, are alike (identical chunks would be deduplicated and flatter the figures).
class Values {
 public:
  Values(size_t size, uint64_t seed) : base_(Random(seed).Bytes(size)) {}
  const std::string& Get(uint64_t i) {
    scratch_ = base_;
    for (size_t at = 0; at < scratch_.size(); at += 4096) {
      const uint64_t stamp = i * 4096 + at / 4096;
      std::memcpy(scratch_.data() + at, &stamp, std::min(sizeof(stamp), scratch_.size() - at));
    }
    return scratch_;
  }

 private:
  std::string base_;
  std::string scratch_;
};

struct Rates {
  double put_ops = 0;
  double get_ops = 0;
  double get_ops_without_crc = 0;  // raw only: reads that skip RocksDB's checksum verification
};

Rates RunRaw(const std::string& dir, const BlockStoreOptions& options, size_t size, size_t count,
             uint64_t seed) {
  storage_internal::RocksDbSetup setup = storage_internal::MakeRocksDbSetup(options);
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  if (!rocksdb::DB::Open(setup.db, dir, setup.families, &handles, &raw).ok()) Die("open raw");
  std::unique_ptr<rocksdb::DB> db(raw);
  rocksdb::ColumnFamilyHandle* blocks = handles[storage_internal::kBlocks];
  Values values(size, seed);
  std::vector<std::string> keys(count);
  Clock::time_point start = Clock::now();
  for (size_t i = 0; i < count; ++i) {
    keys[i] = std::string("raw-key-") + std::to_string(i * 2654435761u);
    if (!db->Put(setup.write, blocks, keys[i], values.Get(i)).ok()) Die("raw put");
  }
  Rates rates;
  rates.put_ops = count / Seconds(start);
  Random rng(seed);
  std::shuffle(keys.begin(), keys.end(), std::mt19937_64(rng.Next()));
  start = Clock::now();
  rocksdb::PinnableSlice value;
  for (const std::string& key : keys) {
    value.Reset();
    if (!db->Get(rocksdb::ReadOptions(), blocks, key, &value).ok()) Die("raw get");
  }
  rates.get_ops = count / Seconds(start);
  // The sealed store skips RocksDB's CRC on block reads (its AEAD tag and CID check replace
  // it); this shows what raw RocksDB gets from skipping it too, with no integrity check at all.
  rocksdb::ReadOptions without_crc;
  without_crc.verify_checksums = false;
  start = Clock::now();
  for (const std::string& key : keys) {
    value.Reset();
    if (!db->Get(without_crc, blocks, key, &value).ok()) Die("raw get");
  }
  rates.get_ops_without_crc = count / Seconds(start);
  for (auto* h : handles) db->DestroyColumnFamilyHandle(h).PermitUncheckedError();
  return rates;
}

Rates RunSealed(const std::string& dir, const BlockStoreOptions& options, size_t size, size_t count,
                uint64_t seed) {
  auto store = BlockStore::Open(dir, SecretBytes::Random(32), options);
  if (!store.ok()) Die(std::string(store.status().message()));
  Values values(size, seed);
  std::vector<Cid> cids;
  cids.reserve(count);
  Clock::time_point start = Clock::now();
  for (size_t i = 0; i < count; ++i) {
    auto cid = (*store)->Put(Codec::kRaw, values.Get(i));
    if (!cid.ok()) Die("sealed put");
    cids.push_back(*cid);
  }
  Rates rates;
  rates.put_ops = count / Seconds(start);
  Random rng(seed);
  std::shuffle(cids.begin(), cids.end(), std::mt19937_64(rng.Next()));
  start = Clock::now();
  for (const Cid& cid : cids) {
    if (!(*store)->Get(cid).ok()) Die("sealed get");
  }
  rates.get_ops = count / Seconds(start);
  return rates;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

int Blocks(int argc, char** argv) {
  const size_t size = std::stoul(FlagValue(argc, argv, "--size", "1024"));
  const size_t count = std::stoul(FlagValue(argc, argv, "--count", "20000"));
  const int rounds = std::stoi(FlagValue(argc, argv, "--rounds", "3"));
  BlockStoreOptions options;
  options.sync_writes = FlagValue(argc, argv, "--sync", "1") == "1";
  options.verify_hash_on_read = FlagValue(argc, argv, "--hash-on-read", "1") == "1";
  const std::string root = FlagValue(argc, argv, "--dir", "/tmp/swarmkv-bench");
  std::vector<double> raw_put, raw_get, raw_get_without_crc, sealed_put, sealed_get;
  for (int r = 0; r < rounds; ++r) {
    // Alternate which runs first, so neither always gets the warmer page cache.
    for (int which = 0; which < 2; ++which) {
      const bool raw = (which + r) % 2 == 0;
      const std::string dir = root + (raw ? "/raw" : "/sealed");
      std::filesystem::remove_all(dir);
      const Rates rates = raw ? RunRaw(dir, options, size, count, 100 + r)
                              : RunSealed(dir, options, size, count, 100 + r);
      (raw ? raw_put : sealed_put).push_back(rates.put_ops);
      (raw ? raw_get : sealed_get).push_back(rates.get_ops);
      if (raw) raw_get_without_crc.push_back(rates.get_ops_without_crc);
      std::filesystem::remove_all(dir);
    }
  }
  // One line for the script, ops/s:
  // size sync count raw_put raw_get sealed_put sealed_get raw_get_without_crc
  std::printf("%zu %d %zu %.0f %.0f %.0f %.0f %.0f\n", size, options.sync_writes ? 1 : 0, count,
              Median(raw_put), Median(raw_get), Median(sealed_put), Median(sealed_get),
              Median(raw_get_without_crc));
  return 0;
}

SecretBytes BenchKey(const std::string& dir) {
  std::filesystem::create_directories(dir);
  auto key = LoadOrCreateKeyFile(dir + "/storage.key", KeyKind::kStorage, 32);
  if (!key.ok()) Die(std::string(key.status().message()));
  return std::move(key).value();
}

int ContentPut(int argc, char** argv) {
  const std::string dir = FlagValue(argc, argv, "--dir", "/tmp/swarmkv-bench/content");
  const uint64_t bytes = std::stoull(FlagValue(argc, argv, "--bytes", "1073741824"));
  ContentWriterOptions options;
  auto mode = ParseContentMode(FlagValue(argc, argv, "--mode", "random"));
  if (!mode.ok()) Die("bad --mode");
  options.mode = *mode;
  const SecretBytes secret = SecretBytes::Random(32);
  options.convergence_secret = &secret;
  const SecretBytes key = BenchKey(dir);
  auto store = BlockStore::Open(dir + "/store", key);
  if (!store.ok()) Die(std::string(store.status().message()));
  auto writer = ContentWriter::Create(**store, options);
  if (!writer.ok()) Die("writer");
  Values values(1u << 20, 7);
  const Clock::time_point start = Clock::now();
  for (uint64_t done = 0, i = 0; done < bytes; ++i) {
    const std::string& piece = values.Get(i);
    const size_t n = std::min<uint64_t>(piece.size(), bytes - done);
    if (!(*writer)->Write(absl::string_view(piece.data(), n)).ok()) Die("write");
    done += n;
  }
  auto info = (*writer)->Finish();
  if (!info.ok()) Die("finish");
  const double seconds = Seconds(start);
  std::ofstream(FlagValue(argc, argv, "--uri-file", dir + "/uri")) << info->capability.ToUri();
  std::printf("%.1f %ld\n", bytes / seconds / 1e6, PeakRssKib());
  return 0;
}

int ContentGet(int argc, char** argv) {
  const std::string dir = FlagValue(argc, argv, "--dir", "/tmp/swarmkv-bench/content");
  std::string uri;
  std::ifstream(FlagValue(argc, argv, "--uri-file", dir + "/uri")) >> uri;
  auto cap = Capability::Parse(uri);
  if (!cap.ok()) Die("bad uri");
  const SecretBytes key = BenchKey(dir);
  auto store = BlockStore::Open(dir + "/store", key);
  if (!store.ok()) Die(std::string(store.status().message()));
  const Clock::time_point start = Clock::now();
  auto reader = ContentReader::Open(**store, *cap);
  if (!reader.ok()) Die("open reader");
  uint64_t bytes = 0;
  std::string piece;
  while (true) {
    auto more = (*reader)->Next(&piece);
    if (!more.ok()) Die(std::string(more.status().message()));
    if (!*more) break;
    bytes += piece.size();
  }
  std::printf("%.1f %ld\n", bytes / Seconds(start) / 1e6, PeakRssKib());
  return 0;
}

}  // namespace
}  // namespace swarmkv

int main(int argc, char** argv) {
  const std::string cmd = argc > 1 ? argv[1] : "";
  if (cmd == "blocks") return swarmkv::Blocks(argc, argv);
  if (cmd == "content-put") return swarmkv::ContentPut(argc, argv);
  if (cmd == "content-get") return swarmkv::ContentGet(argc, argv);
  std::fprintf(stderr, "usage: store_bench blocks|content-put|content-get [flags]\n");
  return 2;
}
