// The web dashboard (docs/gateway.md, Dashboard): its static files at / and /dashboard/<file>,
// and the two calls its page makes, GET /dashboard/api/status (node, store, peers, pins) and
// POST /dashboard/api/put (a file, streamed into the store as Node.Put stores content).
#ifndef SWARMKV_GATEWAY_DASHBOARD_H_
#define SWARMKV_GATEWAY_DASHBOARD_H_

#include <functional>

#include "api/service_context.h"

namespace httplib {
class Server;
class ContentReader;
struct Request;
struct Response;
}  // namespace httplib

namespace swarmkv {

// The most pins the status lists (each costs a read of its root).
inline constexpr size_t kDashboardMaxPins = 100;
// The largest file the page may put (the server's request body limit).
inline constexpr size_t kDashboardMaxUploadBytes = size_t{1} << 30;

class Dashboard {
 public:
  // Decides whether a request may go on, answering it when not (token, Host check).
  using Gate = std::function<bool(const httplib::Request&, httplib::Response&)>;

  // `context` must outlive the dashboard.
  Dashboard(ServiceContext& context, Gate gate) : context_(context), gate_(std::move(gate)) {}

  void Register(httplib::Server& http);

 private:
  void ServeStatus(httplib::Response& response);
  void ServeUpload(const httplib::Request& request, httplib::Response& response,
                   const httplib::ContentReader& body);

  ServiceContext& context_;
  const Gate gate_;
};

}  // namespace swarmkv

#endif  // SWARMKV_GATEWAY_DASHBOARD_H_
