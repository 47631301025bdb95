#include "base/random.h"

#include <cstdlib>
#include <cstring>

namespace swarmkv {

uint64_t Random::Uniform(uint64_t n) {
  if (n == 0) std::abort();
  // Rejection sampling removes the modulo bias of `Next() % n`.
  const uint64_t limit = UINT64_MAX - (UINT64_MAX % n);
  uint64_t v;
  do {
    v = Next();
  } while (v >= limit);
  return v % n;
}

double Random::UniformDouble() {
  return static_cast<double>(Next() >> 11) * (1.0 / 9007199254740992.0);  // 53 bits
}

std::string Random::Bytes(size_t n) {
  std::string out(n, '\0');
  Fill(out.data(), n);
  return out;
}

void Random::Fill(char* out, size_t n) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const uint64_t v = Next();
    std::memcpy(out + i, &v, 8);
  }
  if (i < n) {
    const uint64_t v = Next();
    std::memcpy(out + i, &v, n - i);
  }
}

}  // namespace swarmkv
