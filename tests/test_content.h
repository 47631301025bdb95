// Deterministic test content, generated in pieces so that even 100 MiB never sits in memory.
#ifndef SWARMKV_TESTS_TEST_CONTENT_H_
#define SWARMKV_TESTS_TEST_CONTENT_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "base/random.h"
#include "crypto/hash.h"
#include "storage/content_writer.h"

namespace swarmkv {

// Sizes from 0 to ~300 KiB, so content of one chunk and of several both occur.
inline uint64_t TestContentSize(uint64_t seed) { return (seed * 7919) % (300u << 10); }

// Calls `sink(piece)` for consecutive pieces of the content for `seed`.
template <typename Sink>
void GenerateTestContent(uint64_t seed, uint64_t size, Sink&& sink) {
  Random rng(seed);
  std::string piece;
  for (uint64_t done = 0; done < size;) {
    const uint64_t n = std::min<uint64_t>(size - done, 1u << 20);
    piece.resize(n);
    rng.Fill(piece.data(), n);
    sink(piece);
    done += n;
  }
}

inline Digest256 TestContentDigest(uint64_t seed, uint64_t size) {
  Sha256Hasher hasher;
  GenerateTestContent(seed, size, [&](const std::string& p) { hasher.Update(p); });
  return hasher.Finish();
}

inline absl::Status WriteTestContent(uint64_t seed, uint64_t size, ContentWriter& writer) {
  absl::Status status;
  GenerateTestContent(seed, size, [&](const std::string& p) {
    if (status.ok()) status = writer.Write(p);
  });
  return status;
}

}  // namespace swarmkv

#endif  // SWARMKV_TESTS_TEST_CONTENT_H_
