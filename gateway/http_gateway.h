// The daemon's HTTP side (docs/gateway.md), on cpp-httplib: content as an IPFS path gateway
// serves it, GET /ipfs/<cid> for plain content (or its raw block, for clients that verify it
// themselves), GET /swarmkv/<cid> for encrypted content with the key in a request header, and
// the Prometheus /metrics, and the web dashboard at / (gateway/dashboard.h).
//
// Reads go through the API's service layer (ServiceContext): the same store and swarm, the same
// limit on concurrent calls, refused once the node is stopping.
//
// Thread safety: requests are served on cpp-httplib's worker threads; the object is used by the
// daemon's thread only (Start, port, destruction).
#ifndef SWARMKV_GATEWAY_HTTP_GATEWAY_H_
#define SWARMKV_GATEWAY_HTTP_GATEWAY_H_

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "api/service_context.h"
#include "gateway/dashboard.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace swarmkv {

struct HttpGatewayOptions {
  // "host:port"; port 0 takes any free port (see port()).
  std::string listen;
  // When set, content requests must carry `Authorization: Bearer <token>` (the daemon sets the
  // API token on any address other hosts can reach). /metrics stays open for Prometheus.
  std::string bearer_token;
  // A connection that sends nothing for this long is closed; a client that reads nothing for
  // write_timeout is dropped.
  absl::Duration read_timeout = absl::Seconds(10);
  absl::Duration write_timeout = absl::Seconds(60);
};

class HttpGateway {
 public:
  // Binds and starts serving. `render_metrics` writes the /metrics text; called on the worker
  // threads. `context` must outlive the gateway. UNAVAILABLE when the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<HttpGateway>> Start(
      ServiceContext& context, HttpGatewayOptions options,
      std::function<std::string()> render_metrics);
  ~HttpGateway();  // stops serving, waits for the workers

  // The bound port (the one chosen, for port 0).
  int port() const { return port_; }

 private:
  enum class Route { kIpfs, kSwarmkv };
  HttpGateway(ServiceContext& context, HttpGatewayOptions options,
              std::function<std::string()> render_metrics);
  void Register();
  bool Authorized(const httplib::Request& request, httplib::Response& response) const;
  // The dashboard's guard against DNS rebinding (see the definition).
  bool HostAllowed(const httplib::Request& request, httplib::Response& response) const;
  void ServeContent(Route route, const httplib::Request& request, httplib::Response& response);
  void ServeRawBlock(const std::string& cid_text, const httplib::Request& request,
                     httplib::Response& response);

  ServiceContext& context_;
  const HttpGatewayOptions options_;
  const std::function<std::string()> render_metrics_;
  std::unique_ptr<httplib::Server> http_;
  Dashboard dashboard_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace swarmkv

#endif  // SWARMKV_GATEWAY_HTTP_GATEWAY_H_
