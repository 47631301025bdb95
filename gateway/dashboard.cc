#include "gateway/dashboard.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "api/api_json.h"
#include "api/content_put.h"
#include "api/node_status.h"
#include "gateway/dashboard_assets.h"
#include "gateway/http_status.h"
#include "httplib.h"
#include "storage/content_writer.h"
#include "storage/manifest.h"

namespace swarmkv {
namespace {

// The page's calls must carry this header: a page on another origin cannot send it without a
// CORS preflight, which this server never grants, so no other site can put through a browser.
constexpr char kDashboardHeader[] = "X-Swarmkv-Dashboard";
constexpr size_t kMaxPinNameBytes = 256;

// The page loads only what this node serves, runs no inline script and is never framed.
constexpr char kPagePolicy[] =
    "default-src 'self'; img-src 'self' blob: data:; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'";

void SetPageHeaders(httplib::Response& response) {
  response.set_header("Content-Security-Policy", kPagePolicy);
  response.set_header("X-Frame-Options", "DENY");
  response.set_header("X-Content-Type-Options", "nosniff");
  response.set_header("Referrer-Policy", "no-referrer");
  // A node upgraded in place serves its new page at once.
  response.set_header("Cache-Control", "no-cache");
}

bool FromThePage(const httplib::Request& request, httplib::Response& response) {
  if (request.get_header_value(kDashboardHeader) == "1") return true;
  AnswerError(response, absl::PermissionDeniedError(absl::StrCat("the dashboard's calls carry '",
                                                                 kDashboardHeader, ": 1'")));
  return false;
}

}  // namespace

void Dashboard::Register(httplib::Server& http) {
  for (const DashboardAsset& asset : DashboardAssets()) {
    const std::string path =
        asset.name == "index.html" ? "/" : absl::StrCat("/dashboard/", asset.name);
    http.Get(path, [&asset](const httplib::Request&, httplib::Response& response) {
      SetPageHeaders(response);
      response.set_content(asset.body.data(), asset.body.size(),
                           std::string(asset.content_type).c_str());
    });
  }
  http.Get("/dashboard/api/status",
           [this](const httplib::Request& request, httplib::Response& response) {
             if (!gate_(request, response) || !FromThePage(request, response)) return;
             ServeStatus(response);
           });
  http.Post("/dashboard/api/put",
            [this](const httplib::Request& request, httplib::Response& response,
                   const httplib::ContentReader& body) {
              if (!gate_(request, response) || !FromThePage(request, response)) return;
              ServeUpload(request, response, body);
            });
}

void Dashboard::ServeStatus(httplib::Response& response) {
  auto slot = context_.TakeSlot();
  if (!slot.ok()) {
    AnswerError(response, slot.status());
    return;
  }
  v1::InfoResponse info;
  FillInfo(context_, &info);
  v1::PeersResponse peers;
  (void)FillPeers(context_, &peers);  // none without peer networking
  std::vector<std::string> peer_json;
  for (const v1::Peer& peer : peers.peers()) peer_json.push_back(ApiJson(peer));
  auto pins = context_.store.ListPins();
  if (!pins.ok()) {
    AnswerError(response, pins.status());
    return;
  }
  std::vector<std::string> pin_json;
  for (const PinnedRoot& pin : *pins) {
    if (pin_json.size() == kDashboardMaxPins) break;
    v1::ListPinsResponse entry;
    entry.set_cid(pin.root.ToString());
    entry.set_name(pin.name);
    entry.set_pinned_at(absl::ToUnixSeconds(pin.pinned_at));
    v1::StatResponse stat;
    (void)FillStat(context_.store, pin.root, &stat);  // a failed read shows as "not here"
    pin_json.push_back(absl::StrCat("{\"pin\":", ApiJson(entry), ",\"stat\":", ApiJson(stat), "}"));
  }
  response.set_header("Cache-Control", "no-store");
  response.set_content(
      absl::StrCat("{\"info\":", ApiJson(info), ",\"peers\":[", absl::StrJoin(peer_json, ","),
                   "],\"pins\":[", absl::StrJoin(pin_json, ","),
                   "],\"pins_truncated\":", pins->size() > pin_json.size() ? "true" : "false", "}"),
      "application/json");
}

void Dashboard::ServeUpload(const httplib::Request& request, httplib::Response& response,
                            const httplib::ContentReader& body) {
  const std::string mode_name =
      request.has_param("mode") ? request.get_param_value("mode") : "random";
  auto mode = ParseContentMode(mode_name);
  if (!mode.ok()) {
    AnswerError(response, mode.status());
    return;
  }
  const std::string name = request.get_param_value("name");
  if (name.size() > kMaxPinNameBytes) {
    AnswerError(response, absl::InvalidArgumentError(
                              absl::StrCat("a pin name is at most ", kMaxPinNameBytes, " bytes")));
    return;
  }
  auto slot = context_.TakeSlot();
  if (!slot.ok()) {
    AnswerError(response, slot.status());
    return;
  }
  ContentWriterOptions options;
  options.mode = *mode;
  options.convergence_secret = &context_.convergence_secret;
  // What a person puts through the page is kept, under the name given (or none).
  options.pin = true;
  options.pin_name = name;
  auto writer = ContentWriter::Create(context_.store, std::move(options));
  if (!writer.ok()) {
    AnswerError(response, writer.status());
    return;
  }
  // The body streams into the writer as it arrives: memory stays at one chunk whatever the size.
  absl::Status written;
  const bool read_all = body([&](const char* data, size_t size) {
    written = (*writer)->Write(absl::string_view(data, size));
    return written.ok();
  });
  if (!written.ok() || !read_all) {
    // An unfinished writer leaves nothing visible (storage/content_writer.h).
    if (response.status == 413) return;  // cpp-httplib: over kDashboardMaxUploadBytes
    AnswerError(response,
                written.ok() ? absl::InvalidArgumentError("the upload ended early") : written);
    return;
  }
  auto placed = FinishAndPlace(context_, **writer, /*pinned=*/true);
  if (!placed.ok()) {
    AnswerError(response, placed.status());
    return;
  }
  v1::PutResponse answer;
  FillPutResponse(*placed, &answer);
  response.set_header("Cache-Control", "no-store");
  response.set_content(ApiJson(answer), "application/json");
}

}  // namespace swarmkv
