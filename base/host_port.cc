#include "base/host_port.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"

namespace swarmkv {
namespace {

// A DNS name or an IPv4 address: letters, digits, '-', '.', '_' (as Docker's service names
// have), at most 253 bytes. Nothing that a gRPC target would read as a scheme ("unix:",
// "ipv4:"), a path or credentials.
bool IsNameOrIpv4(absl::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  for (char c : host) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.' && c != '_') {
      return false;
    }
  }
  return true;
}

// "[...]" holding hex digits, ':' and '.' (an IPv4 tail), at most 45 of them.
bool IsBracketedIpv6(absl::string_view host) {
  if (host.size() < 4 || host.size() > 47 || host.front() != '[' || host.back() != ']') {
    return false;
  }
  for (char c : host.substr(1, host.size() - 2)) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(c)) && c != ':' && c != '.') return false;
  }
  return true;
}

}  // namespace

std::optional<HostPort> ParseHostPort(absl::string_view text) {
  const size_t colon = text.rfind(':');
  int port = 0;
  if (colon == absl::string_view::npos || colon == 0 ||
      !absl::SimpleAtoi(text.substr(colon + 1), &port) || port < 1 || port > 65535) {
    return std::nullopt;
  }
  const absl::string_view host = text.substr(0, colon);
  if (!IsNameOrIpv4(host) && !IsBracketedIpv6(host)) return std::nullopt;
  return HostPort{std::string(host), port};
}

}  // namespace swarmkv
