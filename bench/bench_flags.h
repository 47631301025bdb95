// "--name value" flags for the benchmark programs (they take a few numbers, nothing more).
#ifndef SWARMKV_BENCH_BENCH_FLAGS_H_
#define SWARMKV_BENCH_BENCH_FLAGS_H_

#include <string>

namespace swarmkv {

// The value after `name` on the command line, or `fallback`.
inline std::string FlagValue(int argc, char** argv, const std::string& name,
                             const std::string& fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (name == argv[i]) return argv[i + 1];
  }
  return fallback;
}

}  // namespace swarmkv

#endif  // SWARMKV_BENCH_BENCH_FLAGS_H_
