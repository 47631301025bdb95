// gRPC's own log lines, sent to the node's log (base/logging.h) instead of stderr, and watched
// for the one that means a listener is gone: gRPC 1.51 logs "Failed accept4" when accept()
// fails with anything but EINTR, EAGAIN or ECONNABORTED (EMFILE, when connections have used up
// the open files), and then never accepts on that port again (issue 15 finding 3: the node
// kept running, unreachable to peers). A daemon that sees it stops with an error, so that its
// supervisor restarts it. Watching the log is exact where a self-check over the network is not:
// a loaded node answers slowly, a dead listener not at all, and the two look alike from outside.
#ifndef SWARMKV_RPC_GRPC_LOG_H_
#define SWARMKV_RPC_GRPC_LOG_H_

namespace swarmkv {

// Routes gRPC's log lines to LogEvent; `on_listener_failed` (which must be async-signal-safe
// enough to run on any gRPC thread) is called at each "Failed accept4". Call once, before any
// server starts.
void RouteGrpcLogs(void (*on_listener_failed)());

}  // namespace swarmkv

#endif  // SWARMKV_RPC_GRPC_LOG_H_
