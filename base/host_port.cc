#include "base/host_port.h"

#include "absl/strings/numbers.h"

namespace swarmkv {

std::optional<HostPort> ParseHostPort(absl::string_view text) {
  const size_t colon = text.rfind(':');
  int port = 0;
  if (colon == absl::string_view::npos || colon == 0 ||
      !absl::SimpleAtoi(text.substr(colon + 1), &port) || port < 1 || port > 65535) {
    return std::nullopt;
  }
  return HostPort{std::string(text.substr(0, colon)), port};
}

}  // namespace swarmkv
