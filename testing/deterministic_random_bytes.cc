#include "testing/deterministic_random_bytes.h"

#include <sodium.h>

#include <cstdlib>
#include <cstring>

namespace swarmkv::testing {
namespace {

// The stream: block i is randombytes_buf_deterministic under (seed, i). Single-threaded use is
// what makes it deterministic; the simulator is single-threaded.
uint64_t g_seed = 0;
uint64_t g_counter = 0;

void Buf(void* out, size_t size) {
  unsigned char key[randombytes_SEEDBYTES] = {};
  std::memcpy(key, &g_seed, sizeof(g_seed));
  std::memcpy(key + sizeof(g_seed), &g_counter, sizeof(g_counter));
  ++g_counter;
  randombytes_buf_deterministic(out, size, key);
}

uint32_t Random() {
  uint32_t value;
  Buf(&value, sizeof(value));
  return value;
}

const char* Name() { return "swarmkv-simulator-deterministic"; }

randombytes_implementation g_implementation = {
    Name, Random, /*stir=*/nullptr, /*uniform=*/nullptr, Buf, /*close=*/nullptr};

}  // namespace

void UseDeterministicRandomBytes(uint64_t seed) {
  randombytes_set_implementation(&g_implementation);
  // libsodium's one-time set-up draws a canary; it happens here, before the stream starts, so
  // the first seed of a process draws the same stream as every later one.
  if (sodium_init() < 0) std::abort();
  g_seed = seed;
  g_counter = 0;
}

}  // namespace swarmkv::testing
