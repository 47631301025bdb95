// ConnectionCap: at most N established connections to the peer port from one remote address
// (issue 15: one host with many free identities, or none, must not hold the node's descriptors).
//
// gRPC 1.51 takes an accepted connection straight into its transport with no hook for the
// application (its fd hand-over API accepts insecure credentials only), so the cap is enforced
// beside it: about once a second the kernel's table of this network namespace's TCP sockets
// (/proc/net/tcp and /proc/net/tcp6) is read, and when one remote address holds more
// established connections to the peer port than the cap, the newest beyond it are shut down:
// those first seen by a later check, and within one check those with the higher socket inode
// (the kernel numbers inodes in per-CPU batches, so the inode alone does not order them). The
// descriptor is found through /proc/self/fd and its addresses checked with getsockname/getpeername
// just before shutdown(2); gRPC then sees the connection end and closes it itself, so no descriptor
// is ever closed behind its back. Operators who want the cap at SYN time use the firewall
// (docs/wire-protocol.md has the iptables connlimit line).
//
// Thread safety: ParseTcpTable and ConnectionsOverCap are pure. ConnectionCapEnforcer runs one
// thread of its own; construct and destroy it from one thread.
#ifndef SWARMKV_RPC_CONNECTION_CAP_H_
#define SWARMKV_RPC_CONNECTION_CAP_H_

#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace swarmkv {

// One line of /proc/net/tcp or /proc/net/tcp6.
struct TcpSocket {
  std::string remote_host;  // as the table spells it: 8 (IPv4) or 32 (IPv6) hex digits
  uint16_t local_port = 0;
  uint16_t remote_port = 0;
  bool established = false;
  uint64_t inode = 0;
};

// The sockets of one table; lines that do not parse are skipped (the header among them).
std::vector<TcpSocket> ParseTcpTable(absl::string_view table);

// When each connection (by socket inode) was first seen: the number of the check.
using ConnectionAges = absl::flat_hash_map<uint64_t, uint64_t>;

// The established connections to `local_port` beyond the first `cap` from each remote host,
// oldest first by `ages` (a connection not in it counts as newest), then by inode; in no
// particular order. cap 0 means no cap.
std::vector<TcpSocket> ConnectionsOverCap(std::vector<TcpSocket> sockets, uint16_t local_port,
                                          size_t cap, const ConnectionAges& ages = {});

// "10.0.0.7" or "2001:db8::1" for a table's hex address, for logs.
std::string TableHostToText(absl::string_view hex);

class ConnectionCapEnforcer {
 public:
  // Starts checking `port` every `interval`. cap 0: does nothing.
  ConnectionCapEnforcer(uint16_t port, size_t cap, absl::Duration interval);
  ~ConnectionCapEnforcer();

  ConnectionCapEnforcer(const ConnectionCapEnforcer&) = delete;
  ConnectionCapEnforcer& operator=(const ConnectionCapEnforcer&) = delete;

  // One check now: the connections shut down. With `ages`, the connections to the port are
  // recorded in it as first seen by check number `check` (and the gone ones forgotten).
  static size_t EnforceOnce(uint16_t port, size_t cap, ConnectionAges* ages = nullptr,
                            uint64_t check = 0);

 private:
  void Run();

  const uint16_t port_;
  const size_t cap_;
  const absl::Duration interval_;
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  // Used by the enforcing thread only.
  ConnectionAges ages_;
  uint64_t checks_ = 0;
  std::thread thread_;
};

}  // namespace swarmkv

#endif  // SWARMKV_RPC_CONNECTION_CAP_H_
