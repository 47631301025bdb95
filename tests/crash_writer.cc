// Test helper for storage_e2e_test's crash test: writes deterministic content into a store with
// sync on, forever, printing "<seed> <capability>" for each put once Finish() has returned
// (i.e. once it is acknowledged as durable). The test SIGKILLs it mid-stream.
//
// usage: crash_writer <data dir>
#include <cstdio>
#include <string>

#include "base/random.h"
#include "crypto/key_file.h"
#include "storage/block_store.h"
#include "storage/content_writer.h"
#include "tests/test_content.h"

int main(int argc, char** argv) {
  using namespace swarmkv;
  if (argc != 2) return 2;
  const std::string dir = argv[1];
  auto key = ReadKeyFile(dir + "/storage.key", KeyKind::kStorage);
  if (!key.ok()) return 3;
  auto store = BlockStore::Open(dir + "/store", *key);
  if (!store.ok()) return 4;
  for (uint64_t seed = 1;; ++seed) {
    ContentWriterOptions options;
    options.chunk_size = 64u << 10;
    options.pin = true;
    auto writer = ContentWriter::Create(**store, options);
    if (!writer.ok()) return 5;
    if (!WriteTestContent(seed, TestContentSize(seed), **writer).ok()) return 6;
    auto info = (*writer)->Finish();
    if (!info.ok()) return 7;
    std::printf("%llu %s\n", static_cast<unsigned long long>(seed),
                info->capability.ToUri().c_str());
    std::fflush(stdout);
  }
}
