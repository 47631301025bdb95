#include "replication/key_space.h"

namespace swarmkv {

DhtKey Distance(const DhtKey& a, const DhtKey& b) {
  DhtKey d;
  for (size_t i = 0; i < d.size(); ++i) d[i] = a[i] ^ b[i];
  return d;
}

int CommonPrefixLength(const DhtKey& a, const DhtKey& b) {
  for (size_t i = 0; i < a.size(); ++i) {
    const uint8_t x = a[i] ^ b[i];
    if (x != 0) return static_cast<int>(i * 8) + __builtin_clz(x) - 24;
  }
  return 256;
}

bool Closer(const DhtKey& target, const DhtKey& a, const DhtKey& b) {
  for (size_t i = 0; i < target.size(); ++i) {
    const uint8_t da = a[i] ^ target[i];
    const uint8_t db = b[i] ^ target[i];
    if (da != db) return da < db;
  }
  return false;
}

}  // namespace swarmkv
