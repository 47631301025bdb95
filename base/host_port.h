// "host:port" addresses, as every listener and peer entry in the configuration writes them.
#ifndef SWARMKV_BASE_HOST_PORT_H_
#define SWARMKV_BASE_HOST_PORT_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace swarmkv {

struct HostPort {
  std::string host;  // a name, an IPv4 address, or an IPv6 address in brackets
  int port = 0;
};

// `text` split at its last ':' when the host is a name, an IPv4 address or a bracketed IPv6
// address and the port is 1..65535; nullopt otherwise (so no gRPC scheme such as "unix:" or
// "ipv4:" ever passes: addresses from peers are dialled). Callers word the error, since they know
// what the address was for.
std::optional<HostPort> ParseHostPort(absl::string_view text);

}  // namespace swarmkv

#endif  // SWARMKV_BASE_HOST_PORT_H_
