// ListenerProbe: proves, every `interval`, that this node's peer listener still accepts new
// connections, by a standard health check to itself over a fresh TLS connection (its own
// identity certificate, the listener's id expected). gRPC 1.51 stops accepting for good when one
// accept() fails with EMFILE (issue 15 finding 3: ~1,100 idle TCP connections did it); the node
// then looked healthy while no peer could reach it. After `failures` probes in a row fail,
// `on_dead` is called once, so the daemon can exit non-zero and its supervisor restart it.
//
// Thread safety: thread-safe. Probes are timers on `loop`; `on_dead` runs on the loop. The loop
// must outlive the probe.
#ifndef SWARMKV_RPC_LISTENER_PROBE_H_
#define SWARMKV_RPC_LISTENER_PROBE_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/time/time.h"
#include "base/event_loop.h"
#include "base/lifeline.h"
#include "crypto/identity.h"
#include "crypto/tls_certificate.h"

namespace swarmkv {

struct ListenerProbeOptions {
  absl::Duration interval = absl::Seconds(30);
  absl::Duration timeout = absl::Seconds(10);
  int failures = 3;
};

class ListenerProbe {
 public:
  // `address` is where to reach the listener ("127.0.0.1:7420" for one on 0.0.0.0).
  ListenerProbe(const TlsCertificate& own, NodeId self, std::string address, EventLoop& loop,
                ListenerProbeOptions options, std::function<void()> on_dead);
  ~ListenerProbe() { lifeline_.Close(); }

  void Start();

  // The address to probe for a listener on `listen` that got `port`: a wildcard host becomes
  // loopback.
  static std::string LocalAddress(const std::string& listen, int port);

 private:
  void Probe();
  void OnResult(bool ok);

  const TlsCertificate& own_;
  const NodeId self_;
  const std::string address_;
  EventLoop& loop_;
  const ListenerProbeOptions options_;
  const std::function<void()> on_dead_;
  Lifeline lifeline_;
  int failed_in_a_row_ = 0;  // on the loop
  bool dead_ = false;        // on the loop
};

}  // namespace swarmkv

#endif  // SWARMKV_RPC_LISTENER_PROBE_H_
