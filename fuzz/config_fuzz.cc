// config.toml (node/config.h): any text is applied or refused with INVALID_ARGUMENT, and what is
// applied is then validated; neither crashes nor hangs.
#include <cstdint>
#include <string>

#include "fuzz/fuzz_check.h"
#include "node/config.h"

SWARMKV_FUZZ_QUIET_LOGS()

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  swarmkv::NodeConfig config;
  const absl::Status applied = swarmkv::ApplyConfigToml(text, "fuzz.toml", &config);
  if (!applied.ok()) {
    FUZZ_CHECK(absl::IsInvalidArgument(applied));
    return 0;
  }
  const absl::Status valid = swarmkv::ValidateConfig(config);
  FUZZ_CHECK(valid.ok() || absl::IsInvalidArgument(valid));
  return 0;
}
