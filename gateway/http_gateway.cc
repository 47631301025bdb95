#include "gateway/http_gateway.h"

#include <optional>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "api/targets.h"
#include "base/host_port.h"
#include "base/logging.h"
#include "crypto/encoding.h"
#include "gateway/content_type.h"
#include "gateway/dashboard.h"
#include "gateway/http_range.h"
#include "gateway/http_status.h"
#include "httplib.h"
#include "replication/network_block_source.h"
#include "storage/content_reader.h"

namespace swarmkv {
namespace {

// The request header that carries the key of encrypted content (base64url, as in a capability):
// a header, never the URL, so no access log or browser history keeps it.
constexpr char kKeyHeader[] = "X-Swarmkv-Key";
constexpr char kRawType[] = "application/vnd.ipld.raw";
// Content is immutable: cached for the longest time RFC 9111 caches honour (336 days, as IPFS
// gateways send).
constexpr char kImmutablePublic[] = "public, max-age=29030400, immutable";
// Decrypted content is kept by no cache: a browser's cache is plaintext on disk, and Chrome
// answered a later request with a wrong key from it despite `Vary` (found with the dashboard).
constexpr char kNoStore[] = "no-store";
constexpr size_t kKeepAliveRequests = 100;
constexpr size_t kHttpWorkers = 32;
// Also what an idle kept-alive connection adds to a stop (cpp-httplib waits it out): a stop
// must end within 2 s of the last call, open connections or not (issue 17).
constexpr time_t kKeepAliveIdleSeconds = 1;

// Headers every content answer carries: the browser must not guess another type, and content
// runs in a sandbox (an opaque origin, no scripts): a page put by anyone must not act as this
// gateway's origin (the dashboard's).
void SetContentSafetyHeaders(httplib::Response& response) {
  response.set_header("X-Content-Type-Options", "nosniff");
  response.set_header("Content-Security-Policy", "sandbox");
}

bool ETagMatches(const httplib::Request& request, const std::string& etag) {
  if (!request.has_header("If-None-Match")) return false;
  for (absl::string_view tag : absl::StrSplit(request.get_header_value("If-None-Match"), ',')) {
    tag = absl::StripAsciiWhitespace(tag);
    if (absl::StartsWith(tag, "W/")) tag.remove_prefix(2);
    if (tag == etag || tag == "*") return true;
  }
  return false;
}

// Sets the answer's ETag and Cache-Control; answers 304, and returns true, when the client's
// If-None-Match already names this ETag (content by CID never changes: nothing is read).
bool AnswerIfUnchanged(const httplib::Request& request, httplib::Response& response,
                       const std::string& etag, const char* cache_control) {
  response.set_header("ETag", etag);
  response.set_header("Cache-Control", cache_control);
  if (!ETagMatches(request, etag)) return false;
  response.status = 304;
  return true;
}

bool WantsRawBlock(const httplib::Request& request) {
  if (request.get_param_value("format") == "raw") return true;
  return absl::StrContains(request.get_header_value("Accept"), kRawType);
}

// A GET's content as it streams: the reader, and the piece read ahead before the headers went.
struct ContentStream {
  ContentStream(BlockStore& store, Swarm* swarm, CallSlot slot)
      : source(store, swarm), slot(std::move(slot)) {}
  NetworkBlockSource source;
  std::unique_ptr<ContentReader> reader;
  std::string ahead;
  CallSlot slot;  // held until the answer is sent
};

}  // namespace

HttpGateway::HttpGateway(ServiceContext& context, HttpGatewayOptions options,
                         std::function<std::string()> render_metrics)
    : context_(context),
      options_(std::move(options)),
      render_metrics_(std::move(render_metrics)),
      http_(std::make_unique<httplib::Server>()),
      dashboard_(context, [this](const httplib::Request& request, httplib::Response& response) {
        return Authorized(request, response) && HostAllowed(request, response);
      }) {}

absl::StatusOr<std::unique_ptr<HttpGateway>> HttpGateway::Start(
    ServiceContext& context, HttpGatewayOptions options,
    std::function<std::string()> render_metrics) {
  const std::optional<HostPort> address = ParseHostPort(options.listen);
  if (!address.has_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat("HTTP listen address \"", options.listen, "\" must be host:port"));
  }
  auto gateway = std::unique_ptr<HttpGateway>(
      new HttpGateway(context, std::move(options), std::move(render_metrics)));
  gateway->Register();
  httplib::Server& http = *gateway->http_;
  if (address->port == 0) {
    gateway->port_ = http.bind_to_any_port(address->host);
  } else if (http.bind_to_port(address->host, address->port)) {
    gateway->port_ = address->port;
  }
  if (gateway->port_ <= 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen for HTTP on ",
                                               gateway->options_.listen,
                                               " (address in use, or not allowed)"));
  }
  gateway->thread_ = std::thread([&http] { http.listen_after_bind(); });
  return gateway;
}

HttpGateway::~HttpGateway() {
  http_->stop();
  if (thread_.joinable()) thread_.join();
}

void HttpGateway::Register() {
  httplib::Server& http = *http_;
  http.set_read_timeout(absl::ToChronoSeconds(options_.read_timeout));
  http.set_write_timeout(absl::ToChronoSeconds(options_.write_timeout));
  // Only the dashboard's upload has a body; it streams into the store.
  http.set_payload_max_length(kDashboardMaxUploadBytes);
  http.set_keep_alive_max_count(kKeepAliveRequests);
  // cpp-httplib gives each connection a worker for as long as it is kept alive, and its default
  // pool is 8 workers: a few browsers' idle connections would leave none for a new request.
  // More workers, and a kept-alive connection that stays idle gives its worker back soon.
  http.new_task_queue = [] { return new httplib::ThreadPool(kHttpWorkers); };
  http.set_keep_alive_timeout(kKeepAliveIdleSeconds);
  // Ranges are ours to serve: cpp-httplib 0.11 applies a Range header to a streamed answer
  // without checking it against the length, and a range past the end crashed the process (found
  // while building this). Dropping its parsed ranges before routing leaves only our parser.
  http.set_pre_routing_handler([](const httplib::Request& request, httplib::Response&) {
    // The Request object itself is not const (the server owns it; only the handler's view is).
    const_cast<httplib::Request&>(request).ranges.clear();
    return httplib::Server::HandlerResponse::Unhandled;
  });
  http.Get("/metrics", [this](const httplib::Request&, httplib::Response& response) {
    response.set_content(render_metrics_(), "text/plain; version=0.0.4");
  });
  dashboard_.Register(http);
  http.Get(R"(/ipfs/(.*))", [this](const httplib::Request& request, httplib::Response& response) {
    ServeContent(Route::kIpfs, request, response);
  });
  http.Get(R"(/swarmkv/(.*))",
           [this](const httplib::Request& request, httplib::Response& response) {
             ServeContent(Route::kSwarmkv, request, response);
           });
}

bool HttpGateway::Authorized(const httplib::Request& request, httplib::Response& response) const {
  if (options_.bearer_token.empty()) return true;
  if (BearerTokenMatches(request.get_header_value("Authorization"), options_.bearer_token)) {
    return true;
  }
  AnswerError(response, absl::UnauthenticatedError(
                            "missing or wrong bearer token: send 'Authorization: Bearer <token>' "
                            "(the node's API token)"));
  return false;
}

bool HttpGateway::HostAllowed(const httplib::Request& request, httplib::Response& response) const {
  // With a token, the token decides. Without one (a loopback listener), a page from another
  // site whose name was made to resolve to 127.0.0.1 (DNS rebinding) would be same-origin to
  // the browser: only this node's loopback names may call the dashboard.
  if (!options_.bearer_token.empty()) return true;
  const std::string host = request.get_header_value("Host");
  const std::string port = absl::StrCat(":", port_);
  for (absl::string_view name : {"localhost", "127.0.0.1", "[::1]"}) {
    if (host == name || host == absl::StrCat(name, port)) return true;
  }
  if (absl::StartsWith(host, "127.") &&
      (absl::EndsWith(host, port) || !absl::StrContains(host, ':'))) {
    return true;
  }
  AnswerError(response, absl::PermissionDeniedError(
                            absl::StrCat("Host \"", host,
                                         "\" is not this node's loopback address; open the "
                                         "dashboard at http://127.0.0.1",
                                         port, "/")));
  return false;
}

void HttpGateway::ServeContent(Route route, const httplib::Request& request,
                               httplib::Response& response) {
  if (!Authorized(request, response)) return;
  // "/ipfs/<cid>" or "/ipfs/<cid>/": content is one file, there are no paths inside it.
  const std::string path = request.matches[1].str();
  std::string cid_text(path.substr(0, path.find('/')));
  if (cid_text.size() + 1 < path.size()) {
    AnswerError(response,
                absl::NotFoundError("swarmkv content is a single file: no path inside it"));
    return;
  }
  if (WantsRawBlock(request)) {
    ServeRawBlock(cid_text, request, response);
    return;
  }
  std::string key;
  if (route == Route::kSwarmkv) {
    if (!request.has_header(kKeyHeader)) {
      AnswerError(response, absl::FailedPreconditionError(absl::StrCat(
                                "encrypted content needs its key: send the capability's key (after "
                                "'#') in the ",
                                kKeyHeader, " header")));
      return;
    }
    auto decoded = Base64UrlDecode(request.get_header_value(kKeyHeader));
    if (!decoded.ok()) {
      AnswerError(response, absl::InvalidArgumentError(
                                absl::StrCat("the ", kKeyHeader, " header is not base64url")));
      return;
    }
    key = std::move(decoded).value();
  }
  auto capability = ParseTarget(cid_text, key);
  if (!capability.ok()) {
    AnswerError(response, capability.status());
    return;
  }
  if (AnswerIfUnchanged(request, response, absl::StrCat("\"", cid_text, "\""),
                        route == Route::kIpfs ? kImmutablePublic : kNoStore)) {
    return;
  }
  auto slot = context_.TakeSlot();
  if (!slot.ok()) {
    AnswerError(response, slot.status());
    return;
  }
  auto stream =
      std::make_shared<ContentStream>(context_.store, context_.swarm, std::move(slot).value());
  auto reader = ContentReader::Open(stream->source, *capability);
  if (!reader.ok()) {
    absl::Status status = reader.status();
    if (route == Route::kIpfs && status.code() == absl::StatusCode::kFailedPrecondition) {
      status = absl::FailedPreconditionError(
          absl::StrCat("this content is encrypted: GET /swarmkv/", cid_text,
                       " with its key in the ", kKeyHeader, " header"));
    }
    AnswerError(response, status);
    return;
  }
  stream->reader = std::move(reader).value();
  const uint64_t size = stream->reader->size();
  // The type comes from the content's first bytes, whatever range is asked for.
  auto first = stream->reader->Next(&stream->ahead);
  if (!first.ok()) {
    AnswerError(response, first.status());
    return;
  }
  const std::string type = SniffContentType(stream->ahead);
  auto range = ParseRangeHeader(request.get_header_value("Range"), size);
  if (!range.ok()) {
    response.set_header("Content-Range", absl::StrCat("bytes */", size));
    AnswerError(response, range.status());
    return;
  }
  uint64_t length = size;
  if (range->has_value()) {
    const HttpRange& r = **range;
    length = r.length;
    response.status = 206;
    response.set_header("Content-Range",
                        absl::StrCat("bytes ", r.offset, "-", r.offset + r.length - 1, "/", size));
    if (r.length != size) {
      // Read the range itself (a reader seeks by the manifest, it does not read what it skips),
      // so that no piece goes past the range's end.
      auto ranged = ContentReader::Open(stream->source, *capability, {r.offset, r.length});
      if (!ranged.ok()) {
        AnswerError(response, ranged.status());
        return;
      }
      stream->reader = std::move(ranged).value();
      stream->ahead.clear();
      auto piece = stream->reader->Next(&stream->ahead);
      if (!piece.ok()) {
        AnswerError(response, piece.status());
        return;
      }
    }
  }
  response.set_header("Accept-Ranges", "bytes");
  if (route == Route::kIpfs) response.set_header("X-Ipfs-Path", absl::StrCat("/ipfs/", cid_text));
  SetContentSafetyHeaders(response);
  // cpp-httplib asks for more until `length` bytes were written; each call sends one piece.
  response.set_content_provider(length, type, [stream](size_t, size_t, httplib::DataSink& sink) {
    if (stream->ahead.empty()) {
      auto more = stream->reader->Next(&stream->ahead);
      if (!more.ok() || !*more) {
        // Mid-answer there is no status left to send: the connection is cut, so the client
        // sees fewer bytes than Content-Length said, never wrong ones.
        LogEvent(
            LogLevel::kWarn, "gateway.read_failed",
            {{"status", more.ok() ? absl::DataLossError("content ended early") : more.status()}});
        return false;
      }
    }
    const bool sent = sink.write(stream->ahead.data(), stream->ahead.size());
    stream->ahead.clear();
    return sent;
  });
}

void HttpGateway::ServeRawBlock(const std::string& cid_text, const httplib::Request& request,
                                httplib::Response& response) {
  auto cid = Cid::Parse(cid_text);
  if (!cid.ok()) {
    AnswerError(response, cid.status());
    return;
  }
  response.set_header("Vary", "Accept");
  if (AnswerIfUnchanged(request, response, absl::StrCat("\"", cid_text, ".raw\""),
                        kImmutablePublic)) {
    return;
  }
  auto slot = context_.TakeSlot();
  if (!slot.ok()) {
    AnswerError(response, slot.status());
    return;
  }
  // The block as addressed: for encrypted content that is ciphertext, which anyone may hold.
  NetworkBlockSource source(context_.store, context_.swarm);
  auto block = source.Get(*cid);
  if (!block.ok()) {
    AnswerError(response, block.status());
    return;
  }
  SetContentSafetyHeaders(response);
  response.set_header("Content-Disposition",
                      absl::StrCat("attachment; filename=\"", cid_text, ".bin\""));
  response.set_content(std::move(block).value(), kRawType);
}

}  // namespace swarmkv
