#include "rpc/connection_cap.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "base/logging.h"

namespace swarmkv {
namespace {

// "0100007F:1CF4" -> host "0100007F", port 0x1CF4.
bool ParseEndpoint(absl::string_view text, std::string* host, uint16_t* port) {
  const size_t colon = text.find(':');
  if (colon == absl::string_view::npos) return false;
  const absl::string_view hex = text.substr(0, colon);
  if (hex.size() != 8 && hex.size() != 32) return false;
  uint32_t value = 0;
  if (!absl::SimpleHexAtoi(text.substr(colon + 1), &value) || value > 65535) return false;
  *host = std::string(hex);
  *port = static_cast<uint16_t>(value);
  return true;
}

std::string ReadFile(const char* path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The local and remote ports of a descriptor, when it is a TCP socket.
bool SocketPorts(int fd, uint16_t* local, uint16_t* remote) {
  sockaddr_storage address;
  socklen_t size = sizeof(address);
  auto port_of = [](const sockaddr_storage& a) -> int {
    if (a.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in&>(a).sin_port);
    if (a.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6&>(a).sin6_port);
    return -1;
  };
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) != 0) return false;
  const int local_port = port_of(address);
  size = sizeof(address);
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&address), &size) != 0) return false;
  const int remote_port = port_of(address);
  if (local_port < 0 || remote_port < 0) return false;
  *local = static_cast<uint16_t>(local_port);
  *remote = static_cast<uint16_t>(remote_port);
  return true;
}

}  // namespace

std::vector<TcpSocket> ParseTcpTable(absl::string_view table) {
  std::vector<TcpSocket> out;
  for (absl::string_view line : absl::StrSplit(table, '\n')) {
    std::vector<absl::string_view> fields = absl::StrSplit(line, ' ', absl::SkipEmpty());
    if (fields.size() < 10 || !absl::EndsWith(fields[0], ":")) continue;
    TcpSocket socket;
    std::string local_host;
    uint32_t state = 0;
    if (!ParseEndpoint(fields[1], &local_host, &socket.local_port) ||
        !ParseEndpoint(fields[2], &socket.remote_host, &socket.remote_port) ||
        !absl::SimpleHexAtoi(fields[3], &state) || !absl::SimpleAtoi(fields[9], &socket.inode)) {
      continue;
    }
    socket.established = state == 0x01;  // TCP_ESTABLISHED
    out.push_back(std::move(socket));
  }
  return out;
}

std::vector<TcpSocket> ConnectionsOverCap(std::vector<TcpSocket> sockets, uint16_t local_port,
                                          size_t cap, const ConnectionAges& ages) {
  std::vector<TcpSocket> over;
  if (cap == 0) return over;
  absl::flat_hash_map<std::string, std::vector<TcpSocket>> by_host;
  for (TcpSocket& s : sockets) {
    // inode 0: a socket the kernel no longer ties to a descriptor (closing); nothing to do.
    if (!s.established || s.local_port != local_port || s.inode == 0) continue;
    by_host[s.remote_host].push_back(std::move(s));
  }
  for (auto& [host, connections] : by_host) {
    if (connections.size() <= cap) continue;
    auto age = [&ages](const TcpSocket& s) {
      auto it = ages.find(s.inode);
      return it != ages.end() ? it->second : UINT64_MAX;
    };
    std::sort(connections.begin(), connections.end(), [&](const TcpSocket& a, const TcpSocket& b) {
      return std::make_pair(age(a), a.inode) < std::make_pair(age(b), b.inode);
    });
    over.insert(over.end(), std::make_move_iterator(connections.begin() + cap),
                std::make_move_iterator(connections.end()));
  }
  return over;
}

std::string TableHostToText(absl::string_view hex) {
  // Each 8-digit group is a 32-bit word as the kernel stores it: in this host's byte order.
  unsigned char bytes[16];
  const size_t words = hex.size() / 8;
  if ((words != 1 && words != 4) || hex.size() % 8 != 0) return std::string(hex);
  for (size_t w = 0; w < words; ++w) {
    uint32_t word = 0;
    if (!absl::SimpleHexAtoi(hex.substr(w * 8, 8), &word)) return std::string(hex);
    std::memcpy(bytes + w * 4, &word, 4);
  }
  char text[INET6_ADDRSTRLEN];
  if (inet_ntop(words == 1 ? AF_INET : AF_INET6, bytes, text, sizeof(text)) == nullptr) {
    return std::string(hex);
  }
  return text;
}

size_t ConnectionCapEnforcer::EnforceOnce(uint16_t port, size_t cap, ConnectionAges* ages,
                                          uint64_t check) {
  std::vector<TcpSocket> sockets = ParseTcpTable(ReadFile("/proc/net/tcp"));
  std::vector<TcpSocket> v6 = ParseTcpTable(ReadFile("/proc/net/tcp6"));
  sockets.insert(sockets.end(), std::make_move_iterator(v6.begin()),
                 std::make_move_iterator(v6.end()));
  if (ages != nullptr) {
    ConnectionAges seen;
    for (const TcpSocket& s : sockets) {
      if (!s.established || s.local_port != port || s.inode == 0) continue;
      auto it = ages->find(s.inode);
      seen[s.inode] = it != ages->end() ? it->second : check;
    }
    *ages = std::move(seen);
  }
  const std::vector<TcpSocket> over =
      ConnectionsOverCap(std::move(sockets), port, cap, ages != nullptr ? *ages : ConnectionAges{});
  if (over.empty()) return 0;

  absl::flat_hash_map<uint64_t, const TcpSocket*> wanted;
  for (const TcpSocket& s : over) wanted[s.inode] = &s;
  absl::flat_hash_map<std::string, size_t> closed_by_host;
  size_t closed = 0;
  DIR* fds = opendir("/proc/self/fd");
  if (fds == nullptr) return 0;
  while (dirent* entry = readdir(fds)) {
    int fd = 0;
    if (!absl::SimpleAtoi(entry->d_name, &fd)) continue;
    char target[64];
    const std::string link = std::string("/proc/self/fd/") + entry->d_name;
    const ssize_t n = readlink(link.c_str(), target, sizeof(target) - 1);
    if (n <= 0) continue;
    target[n] = '\0';
    uint64_t inode = 0;
    absl::string_view text(target, static_cast<size_t>(n));
    if (!absl::ConsumePrefix(&text, "socket:[") || !absl::ConsumeSuffix(&text, "]") ||
        !absl::SimpleAtoi(text, &inode)) {
      continue;
    }
    auto it = wanted.find(inode);
    if (it == wanted.end()) continue;
    // The descriptor may have been closed and reused since readlink: shut down only the same
    // connection (same local and remote port), never another socket that took its number.
    uint16_t local = 0, remote = 0;
    if (!SocketPorts(fd, &local, &remote) || local != port || remote != it->second->remote_port) {
      continue;
    }
    if (shutdown(fd, SHUT_RDWR) == 0) {
      ++closed;
      ++closed_by_host[it->second->remote_host];
    }
  }
  closedir(fds);
  for (const auto& [host, count] : closed_by_host) {
    LogEvent(LogLevel::kWarn, "peer.connections_capped",
             {{"host", TableHostToText(host)},
              {"closed", static_cast<uint64_t>(count)},
              {"cap", static_cast<uint64_t>(cap)}});
  }
  return closed;
}

ConnectionCapEnforcer::ConnectionCapEnforcer(uint16_t port, size_t cap, absl::Duration interval)
    : port_(port), cap_(cap), interval_(interval) {
  if (cap_ > 0) thread_ = std::thread([this] { Run(); });
}

ConnectionCapEnforcer::~ConnectionCapEnforcer() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void ConnectionCapEnforcer::Run() {
  absl::MutexLock lock(&mu_);
  while (!mu_.AwaitWithTimeout(absl::Condition(&stopping_), interval_)) {
    mu_.Unlock();
    EnforceOnce(port_, cap_, &ages_, ++checks_);
    mu_.Lock();
  }
}

}  // namespace swarmkv
