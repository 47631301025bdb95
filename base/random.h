// Random: seeded, reproducible randomness for simulations, tests and protocol choices (which
// peer to ask, jitter). Never for keys, nonces or tokens: those come only from libsodium
// (STYLE rule 13).
#ifndef SWARMKV_BASE_RANDOM_H_
#define SWARMKV_BASE_RANDOM_H_

#include <cstdint>
#include <random>
#include <string>

namespace swarmkv {

// The same seed gives the same sequence on every machine (std::mt19937_64 is specified exactly;
// the distributions here are written out by hand because std's are not).
// Thread safety: not thread-safe; give each thread or simulated node its own.
class Random {
 public:
  explicit Random(uint64_t seed) : seed_(seed), engine_(seed) {}

  uint64_t seed() const { return seed_; }
  uint64_t Next() { return engine_(); }
  // A value in [0, n). REQUIRES: n > 0.
  uint64_t Uniform(uint64_t n);
  // A value in [0, 1).
  double UniformDouble();
  // True with probability p.
  bool Bernoulli(double p) { return UniformDouble() < p; }
  // `n` pseudo-random bytes (test data, not secrets).
  std::string Bytes(size_t n);
  // Fills `out[0, n)` with pseudo-random bytes.
  void Fill(char* out, size_t n);

 private:
  uint64_t seed_;
  std::mt19937_64 engine_;
};

}  // namespace swarmkv

#endif  // SWARMKV_BASE_RANDOM_H_
