// What the fuzz targets share: a property check that fails loudly (libFuzzer keeps the input
// that broke it), and quiet logs (a decoder that logs every rejected input would drown the run).
#ifndef SWARMKV_FUZZ_FUZZ_CHECK_H_
#define SWARMKV_FUZZ_FUZZ_CHECK_H_

#include <cstdio>
#include <cstdlib>

#include "base/logging.h"

// A property the target asserts of every input (a round trip, a differential check).
#define FUZZ_CHECK(condition)                                                                  \
  do {                                                                                         \
    if (!(condition)) {                                                                        \
      std::fprintf(stderr, "FUZZ_CHECK failed: %s (%s:%d)\n", #condition, __FILE__, __LINE__); \
      std::abort();                                                                            \
    }                                                                                          \
  } while (0)

// libFuzzer calls this once before the first input.
#define SWARMKV_FUZZ_QUIET_LOGS()                      \
  extern "C" int LLVMFuzzerInitialize(int*, char***) { \
    ::swarmkv::SetLogLevel(::swarmkv::LogLevel::kOff); \
    return 0;                                          \
  }

#endif  // SWARMKV_FUZZ_FUZZ_CHECK_H_
