#include "node/client_commands.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/algorithm/container.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "api/api_json.h"
#include "base/status_macros.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "node/progress.h"
#include "swarmkv/v1/node.grpc.pb.h"

namespace swarmkv {
namespace {

// Unary calls that should answer at once get this long.
constexpr absl::Duration kUnaryDeadline = absl::Seconds(30);
constexpr size_t kPutMessageBytes = 256u << 10;

// One answer as one line of JSON (api/api_json.h).
void PrintJsonLine(const google::protobuf::Message& message) {
  std::printf("%s\n", ApiJson(message).c_str());
}

std::shared_ptr<grpc::Channel> Connect(const ApiFlags& api) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(4 << 20);
  return grpc::CreateCustomChannel(api.target, grpc::InsecureChannelCredentials(), args);
}

void Prepare(const ApiFlags& api, grpc::ClientContext* context, bool with_deadline) {
  if (!api.token.empty()) context->AddMetadata("authorization", "Bearer " + api.token);
  if (with_deadline) {
    context->set_deadline(std::chrono::system_clock::now() +
                          absl::ToChronoNanoseconds(kUnaryDeadline));
  }
}

absl::Status FromGrpc(const grpc::Status& status, const ApiFlags& api) {
  if (status.ok()) return absl::OkStatus();
  std::string message = status.error_message();
  // UNAVAILABLE comes from gRPC when the node is unreachable, or from the node itself when its
  // peers are (then the node's message says so and is shown as is).
  const bool unreachable = absl::StrContains(message, "failed to connect") ||
                           absl::StrContains(message, "Socket closed") ||
                           absl::StrContains(message, "Connection refused");
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE && unreachable) {
    message = absl::StrCat("cannot reach the node at ", api.target, " (", message,
                           "); is `swarmkv daemon` running?");
  }
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), message);
}

std::string JsonEscape(const std::string& in) {
  std::string out;
  for (unsigned char c : in) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c < 0x20) {
      out.append(absl::StrFormat("\\u%04x", c));
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

std::string Base64(const std::string& in) { return absl::Base64Escape(in); }

absl::StatusOr<v1::EncryptionMode> ModeToProto(const std::string& mode) {
  if (mode == "random") return v1::ENCRYPTION_MODE_RANDOM;
  if (mode == "convergent") return v1::ENCRYPTION_MODE_CONVERGENT;
  if (mode == "plain") return v1::ENCRYPTION_MODE_PLAIN;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown encryption mode \"", mode, "\"; use random, convergent or plain"));
}

// One unary call of the Node service with the token and the usual deadline.
template <typename Request, typename Response>
absl::Status CallNode(const ApiFlags& api,
                      grpc::Status (v1::Node::Stub::*method)(grpc::ClientContext*, const Request&,
                                                             Response*),
                      const Request& request, Response* response) {
  auto stub = v1::Node::NewStub(Connect(api));
  grpc::ClientContext context;
  Prepare(api, &context, true);
  return FromGrpc(((*stub).*method)(&context, request, response), api);
}

}  // namespace

absl::Status RunPut(const ApiFlags& api, const PutFlags& flags) {
  SWARMKV_ASSIGN_OR_RETURN(v1::EncryptionMode mode, ModeToProto(flags.mode));
  FILE* in = stdin;
  if (flags.input != "-") {
    in = std::fopen(flags.input.c_str(), "rb");
    if (in == nullptr) {
      return absl::NotFoundError(
          absl::StrCat("cannot open ", flags.input, ": ", std::strerror(errno)));
    }
  }
  std::unique_ptr<FILE, int (*)(FILE*)> closer(in == stdin ? nullptr : in, &std::fclose);

  auto stub = v1::Node::NewStub(Connect(api));
  grpc::ClientContext context;
  Prepare(api, &context, false);
  v1::PutResponse response;
  std::unique_ptr<grpc::ClientWriter<v1::PutRequest>> writer = stub->Put(&context, &response);
  v1::PutRequest request;
  v1::PutHeader* header = request.mutable_header();
  header->set_mode(mode);
  header->set_pin(flags.pin);
  header->set_name(flags.name.empty() && flags.input != "-" ? flags.input : flags.name);
  header->set_chunk_size(flags.chunk_size);
  bool streaming = writer->Write(request);
  Progress progress(!flags.quiet);
  if (struct stat info; in != stdin && fstat(fileno(in), &info) == 0 && S_ISREG(info.st_mode)) {
    progress.set_total(static_cast<uint64_t>(info.st_size));
  }
  uint64_t sent = 0;
  std::string buffer(kPutMessageBytes, '\0');
  while (streaming) {
    const size_t n = std::fread(buffer.data(), 1, buffer.size(), in);
    if (n > 0) {
      request.set_chunk(buffer.data(), n);
      streaming = writer->Write(request);
      sent += n;
      progress.Update(sent);
    }
    if (n < buffer.size()) {
      if (std::ferror(in)) {
        context.TryCancel();
        return absl::DataLossError(absl::StrCat("error reading ", flags.input));
      }
      break;
    }
  }
  writer->WritesDone();
  SWARMKV_RETURN_IF_ERROR(FromGrpc(writer->Finish(), api));
  if (api.json) {
    PrintJsonLine(response);
  } else {
    std::printf("%s\n", response.capability().c_str());
  }
  return absl::OkStatus();
}

absl::Status RunGet(const ApiFlags& api, const GetFlags& flags) {
  auto stub = v1::Node::NewStub(Connect(api));
  grpc::ClientContext context;
  Prepare(api, &context, false);
  v1::GetRequest request;
  request.set_target(flags.target);
  request.set_offset(flags.offset);
  request.set_local_only(flags.local_only);
  if (flags.length) request.set_length(*flags.length);
  std::unique_ptr<grpc::ClientReader<v1::GetResponse>> reader = stub->Get(&context, request);
  v1::GetResponse response;
  // The output is created only once the first message arrived, so a failed get leaves no file.
  FILE* out = nullptr;
  bool write_failed = false;
  Progress progress(!flags.quiet);
  uint64_t received = 0;
  while (reader->Read(&response)) {
    if (out == nullptr) {
      const uint64_t rest = response.total_size() - std::min(flags.offset, response.total_size());
      progress.set_total(flags.length.has_value() ? std::min(*flags.length, rest) : rest);
      out = flags.output == "-" ? stdout : std::fopen(flags.output.c_str(), "wb");
      if (out == nullptr) {
        context.TryCancel();
        reader->Finish().ok();
        return absl::PermissionDeniedError(
            absl::StrCat("cannot create ", flags.output, ": ", std::strerror(errno)));
      }
    }
    const std::string& chunk = response.chunk();
    if (std::fwrite(chunk.data(), 1, chunk.size(), out) != chunk.size()) {
      write_failed = true;
      context.TryCancel();
      break;
    }
    received += chunk.size();
    progress.Update(received);
  }
  const grpc::Status status = reader->Finish();
  if (out != nullptr && out != stdout) std::fclose(out);
  if (out == stdout) std::fflush(stdout);
  if (write_failed) return absl::UnavailableError(absl::StrCat("cannot write ", flags.output));
  return FromGrpc(status, api);
}

namespace {

// The target's StatResponse as one line of JSON.
absl::Status PrintStatJson(const ApiFlags& api, const std::string& target) {
  v1::StatRequest request;
  request.set_target(target);
  v1::StatResponse response;
  SWARMKV_RETURN_IF_ERROR(CallNode(api, &v1::Node::Stub::Stat, request, &response));
  PrintJsonLine(response);
  return absl::OkStatus();
}

}  // namespace

absl::Status RunStat(const ApiFlags& api, const std::string& target) {
  if (api.json) return PrintStatJson(api, target);
  v1::StatRequest request;
  request.set_target(target);
  v1::StatResponse response;
  SWARMKV_RETURN_IF_ERROR(CallNode(api, &v1::Node::Stub::Stat, request, &response));
  std::printf("cid      %s\ncodec    %s\npresent  %s\npinned   %s\n", response.cid().c_str(),
              response.codec().c_str(), response.present() ? "yes" : "no",
              response.pinned() ? "yes" : "no");
  if (response.present()) {
    std::printf("size     %s\nmode     %s\nblocks   %s\n", absl::StrCat(response.size()).c_str(),
                response.mode().c_str(), absl::StrCat(response.blocks()).c_str());
  }
  return absl::OkStatus();
}

absl::Status RunPin(const ApiFlags& api, const std::string& target, const std::string& name) {
  v1::PinRequest request;
  request.set_target(target);
  request.set_name(name);
  v1::PinResponse response;
  SWARMKV_RETURN_IF_ERROR(CallNode(api, &v1::Node::Stub::Pin, request, &response));
  if (api.json) return PrintStatJson(api, target);  // `pinned` shows the change
  std::printf("pinned\n");
  return absl::OkStatus();
}

absl::Status RunUnpin(const ApiFlags& api, const std::string& target) {
  v1::UnpinRequest request;
  request.set_target(target);
  v1::UnpinResponse response;
  SWARMKV_RETURN_IF_ERROR(CallNode(api, &v1::Node::Stub::Unpin, request, &response));
  if (api.json) return PrintStatJson(api, target);  // `pinned` shows the change
  std::printf("unpinned\n");
  return absl::OkStatus();
}

absl::Status RunListPins(const ApiFlags& api) {
  auto stub = v1::Node::NewStub(Connect(api));
  grpc::ClientContext context;
  Prepare(api, &context, true);
  std::unique_ptr<grpc::ClientReader<v1::ListPinsResponse>> reader =
      stub->ListPins(&context, v1::ListPinsRequest());
  v1::ListPinsResponse pin;
  while (reader->Read(&pin)) {
    if (api.json) {
      PrintJsonLine(pin);
      continue;
    }
    std::printf("%s  %s  %s\n", pin.cid().c_str(),
                absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromUnixSeconds(pin.pinned_at()),
                                 absl::UTCTimeZone())
                    .c_str(),
                pin.name().c_str());
  }
  return FromGrpc(reader->Finish(), api);
}

absl::Status RunId(const ApiFlags& api) {
  v1::InfoResponse info;
  SWARMKV_RETURN_IF_ERROR(CallNode(api, &v1::Node::Stub::Info, v1::InfoRequest(), &info));
  if (api.json) {
    PrintJsonLine(info);
    return absl::OkStatus();
  }
  std::printf("node id  %s\nversion  %s\n", info.node_id().c_str(), info.version().c_str());
  for (const std::string& a : info.api_addresses()) std::printf("api      %s\n", a.c_str());
  for (const std::string& a : info.peer_addresses()) std::printf("peer     %s\n", a.c_str());
  std::printf("peers    %u known\n", info.known_peers());
  std::printf("store    %s blocks, %s bytes, %s pins\n",
              absl::StrCat(info.store().blocks()).c_str(),
              absl::StrCat(info.store().stored_bytes()).c_str(),
              absl::StrCat(info.store().pinned_roots()).c_str());
  const v1::ScrubCounts& scrub = info.scrub();
  std::printf("scrub    %s passes, %s blocks checked, %s damaged, %s repaired, %s lost\n",
              absl::StrCat(scrub.passes()).c_str(), absl::StrCat(scrub.blocks_checked()).c_str(),
              absl::StrCat(scrub.damaged()).c_str(), absl::StrCat(scrub.repaired()).c_str(),
              absl::StrCat(scrub.lost()).c_str());
  return absl::OkStatus();
}

absl::Status RunScrub(const ApiFlags& api) {
  auto stub = v1::Node::NewStub(Connect(api));
  grpc::ClientContext context;
  Prepare(api, &context, /*with_deadline=*/false);
  v1::ScrubResponse report;
  SWARMKV_RETURN_IF_ERROR(FromGrpc(stub->Scrub(&context, v1::ScrubRequest(), &report), api));
  const v1::ScrubCounts& c = report.counts();
  if (api.json) {
    PrintJsonLine(report);
  } else {
    std::printf("checked   %s blocks, %s bytes in %.1f s\n",
                absl::StrCat(c.blocks_checked()).c_str(), absl::StrCat(c.bytes_checked()).c_str(),
                report.seconds());
    std::printf("damaged   %s (repaired from peers %s, lost %s)\n",
                absl::StrCat(c.damaged()).c_str(), absl::StrCat(c.repaired()).c_str(),
                absl::StrCat(c.lost()).c_str());
    for (const std::string& cid : report.lost()) std::printf("lost      %s\n", cid.c_str());
  }
  if (c.lost() > 0) {
    return absl::DataLossError(
        absl::StrCat(c.lost(),
                     " damaged block(s) were removed and no peer had a copy; content holding them "
                     "can no longer be read in full"));
  }
  return absl::OkStatus();
}

absl::Status RunPeers(const ApiFlags& api) {
  v1::PeersResponse peers;
  SWARMKV_RETURN_IF_ERROR(CallNode(api, &v1::Node::Stub::Peers, v1::PeersRequest(), &peers));
  if (api.json) {
    PrintJsonLine(peers);
    return absl::OkStatus();
  }
  if (peers.peers().empty()) std::printf("no peers\n");
  for (const v1::Peer& peer : peers.peers()) {
    std::printf("%s %s\n", peer.node_id().c_str(),
                peer.addresses().empty() ? "-" : peer.addresses(0).c_str());
  }
  return absl::OkStatus();
}

absl::Status RunHealth(const ApiFlags& api) {
  auto stub = grpc::health::v1::Health::NewStub(Connect(api));
  grpc::ClientContext context;
  Prepare(api, &context, true);
  grpc::health::v1::HealthCheckRequest request;
  grpc::health::v1::HealthCheckResponse response;
  SWARMKV_RETURN_IF_ERROR(FromGrpc(stub->Check(&context, request, &response), api));
  if (api.json) {
    PrintJsonLine(response);
  } else {
    std::printf(
        "%s\n",
        grpc::health::v1::HealthCheckResponse::ServingStatus_Name(response.status()).c_str());
  }
  if (response.status() != grpc::health::v1::HealthCheckResponse::SERVING) {
    return absl::UnavailableError("the node is not serving");
  }
  return absl::OkStatus();
}

namespace {

// `argument` itself, or stdin for "-": read up to one byte past `limit`, so that the node
// refuses what is too large with its own clear message.
std::string ArgumentOrStdin(const std::string& argument, size_t limit) {
  if (argument != "-") return argument;
  std::string in;
  char buffer[1 << 16];
  size_t n;
  while (in.size() <= limit && (n = std::fread(buffer, 1, sizeof(buffer), stdin)) > 0) {
    in.append(buffer, n);
  }
  return in;
}

}  // namespace

absl::Status RunPub(const ApiFlags& api, const std::string& topic, const std::string& data) {
  v1::PublishRequest request;
  request.set_topic(topic);
  request.set_data(ArgumentOrStdin(data, 1u << 20));
  v1::PublishResponse response;
  SWARMKV_RETURN_IF_ERROR(CallNode(api, &v1::Node::Stub::Publish, request, &response));
  if (api.json) {
    PrintJsonLine(response);
  } else {
    std::printf("%s\n", response.message_id().c_str());
  }
  return absl::OkStatus();
}

absl::Status RunSub(const ApiFlags& api, const std::string& topic, bool json) {
  auto stub = v1::Node::NewStub(Connect(api));
  grpc::ClientContext context;
  Prepare(api, &context, /*with_deadline=*/false);
  v1::SubscribeRequest request;
  request.set_topic(topic);
  std::unique_ptr<grpc::ClientReader<v1::SubscribeResponse>> reader =
      stub->Subscribe(&context, request);
  v1::SubscribeResponse message;
  while (reader->Read(&message)) {
    if (json) {
      std::printf("{\"topic\":\"%s\",\"origin\":\"%s\",\"message_id\":\"%s\",\"data\":\"%s\"}\n",
                  JsonEscape(message.topic()).c_str(), message.origin().c_str(),
                  message.message_id().c_str(), Base64(message.data()).c_str());
    } else {
      std::fwrite(message.data().data(), 1, message.data().size(), stdout);
      std::fputc('\n', stdout);
    }
    std::fflush(stdout);
  }
  return FromGrpc(reader->Finish(), api);
}

namespace {

// "key=value" items as a map (STATS answers).
std::map<std::string, std::string> ItemFields(const v1::QueryResponse& answer) {
  std::map<std::string, std::string> fields;
  for (const std::string& item : answer.items()) {
    const size_t eq = item.find('=');
    if (eq != std::string::npos) fields[item.substr(0, eq)] = item.substr(eq + 1);
  }
  return fields;
}

void PrintStatsTable(std::vector<v1::QueryResponse> answers) {
  std::sort(answers.begin(), answers.end(),
            [](const auto& a, const auto& b) { return a.responder() < b.responder(); });
  const char* format = "%-60s %-9s %10s %14s %6s %6s\n";
  std::printf(format, "NODE", "VERSION", "BLOCKS", "STORED_BYTES", "PINS", "PEERS");
  for (const v1::QueryResponse& answer : answers) {
    std::map<std::string, std::string> f = ItemFields(answer);
    std::printf(format, answer.responder().c_str(), f["version"].c_str(), f["blocks"].c_str(),
                f["stored_bytes"].c_str(), f["pinned_roots"].c_str(), f["peers"].c_str());
  }
}

}  // namespace

absl::Status RunQuery(const ApiFlags& api, const QueryFlags& flags) {
  v1::QueryRequest request;
  request.set_kind(flags.kind);
  request.set_argument(flags.argument);
  request.set_limit(flags.limit);
  if (!flags.deadline.empty()) {
    absl::Duration deadline;
    if (!absl::ParseDuration(flags.deadline, &deadline) || deadline <= absl::ZeroDuration()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--deadline takes a duration such as 2s or 500ms, not \"", flags.deadline, "\""));
    }
    request.set_deadline_ms(
        static_cast<uint32_t>(std::min<int64_t>(absl::ToInt64Milliseconds(deadline), UINT32_MAX)));
  }
  auto stub = v1::Node::NewStub(Connect(api));
  grpc::ClientContext context;
  Prepare(api, &context, /*with_deadline=*/false);
  const absl::Time started = absl::Now();
  std::unique_ptr<grpc::ClientReader<v1::QueryResponse>> reader = stub->Query(&context, request);
  const bool table = !(flags.json || api.json) && flags.kind == "STATS";
  std::vector<v1::QueryResponse> answers;
  v1::QueryResponse answer;
  while (reader->Read(&answer)) {
    if ((flags.json || api.json)) {
      std::string items;
      for (const std::string& item : answer.items()) {
        absl::StrAppend(&items, items.empty() ? "" : ",", "\"", JsonEscape(item), "\"");
      }
      std::printf("{\"responder\":\"%s\",\"items\":[%s],\"hops\":%u,\"truncated\":%s}\n",
                  answer.responder().c_str(), items.c_str(), answer.hops(),
                  answer.truncated() ? "true" : "false");
    } else if (flags.kind == "HAS") {
      const bool pinned = absl::c_linear_search(answer.items(), "pinned=true");
      std::printf("%s %s\n", answer.responder().c_str(), pinned ? "pinned" : "unpinned");
    } else if (!table) {
      for (const std::string& item : answer.items()) {
        std::printf("%s %s\n", answer.responder().c_str(), item.c_str());
      }
    }
    std::fflush(stdout);
    answers.push_back(std::move(answer));
  }
  SWARMKV_RETURN_IF_ERROR(FromGrpc(reader->Finish(), api));
  if (table) PrintStatsTable(answers);
  std::fflush(stdout);  // the table before the count on stderr
  std::fprintf(
      stderr, "%zu node%s answered in %s\n", answers.size(), answers.size() == 1 ? "" : "s",
      absl::FormatDuration(absl::Trunc(absl::Now() - started, absl::Milliseconds(1))).c_str());
  return absl::OkStatus();
}

namespace {

// The bytes of a record secret file (the node checks their length).
absl::StatusOr<std::string> ReadSecretFile(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("cannot read secret file ", path, ": ", std::strerror(errno)));
  }
  std::string secret(65, '\0');
  secret.resize(std::fread(secret.data(), 1, secret.size(), f));
  std::fclose(f);
  return secret;
}

}  // namespace

absl::Status RunSet(const ApiFlags& api, const std::string& key, const std::string& value,
                    uint64_t sequence, const std::string& secret_file) {
  v1::PutRecordRequest request;
  request.set_key(key);
  request.set_value(ArgumentOrStdin(value, 64 * 1024));
  request.set_sequence(sequence);
  if (!secret_file.empty()) {
    SWARMKV_ASSIGN_OR_RETURN(*request.mutable_secret(), ReadSecretFile(secret_file));
  }
  v1::PutRecordResponse response;
  SWARMKV_RETURN_IF_ERROR(CallNode(api, &v1::Node::Stub::PutRecord, request, &response));
  if (api.json) {
    PrintJsonLine(response);
    return absl::OkStatus();
  }
  std::printf("%s sequence %llu on %u nodes\n", response.name().c_str(),
              static_cast<unsigned long long>(response.sequence()), response.replicas());
  return absl::OkStatus();
}

namespace {

std::string RecordJson(const v1::GetRecordResponse& r) {
  return absl::StrFormat(
      "{\"name\":\"%s\",\"publisher\":\"%s\",\"sequence\":%d,\"expires_at\":%d,"
      "\"encrypted\":%s,\"value_base64\":\"%s\"}",
      JsonEscape(r.name()), r.publisher(), r.sequence(), r.expires_at_unix(),
      r.encrypted() ? "true" : "false", Base64(r.value()));
}

}  // namespace

absl::Status RunResolve(const ApiFlags& api, const std::string& name, bool json,
                        const std::string& secret_file) {
  v1::GetRecordRequest request;
  request.set_key(name);
  if (!secret_file.empty()) {
    SWARMKV_ASSIGN_OR_RETURN(*request.mutable_secret(), ReadSecretFile(secret_file));
  }
  v1::GetRecordResponse response;
  SWARMKV_RETURN_IF_ERROR(CallNode(api, &v1::Node::Stub::GetRecord, request, &response));
  if (json) {
    std::printf("%s\n", RecordJson(response).c_str());
  } else {
    std::fwrite(response.value().data(), 1, response.value().size(), stdout);
    // A value meant for a terminal ends its line; bytes for a pipe pass through unchanged.
    if (isatty(fileno(stdout)) && !absl::EndsWith(response.value(), "\n")) std::printf("\n");
  }
  return absl::OkStatus();
}

absl::Status RunUnset(const ApiFlags& api, const std::string& key) {
  v1::DeleteRecordRequest request;
  request.set_key(key);
  v1::DeleteRecordResponse response;
  SWARMKV_RETURN_IF_ERROR(CallNode(api, &v1::Node::Stub::DeleteRecord, request, &response));
  if (api.json) {
    PrintJsonLine(response);
    return absl::OkStatus();
  }
  std::printf("deleted %s (sequence %llu)\n", response.name().c_str(),
              static_cast<unsigned long long>(response.sequence()));
  return absl::OkStatus();
}

absl::Status RunKeys(const ApiFlags& api, const std::string& prefix, bool json) {
  v1::ListRecordsRequest request;
  request.set_prefix(prefix);
  v1::ListRecordsResponse response;
  SWARMKV_RETURN_IF_ERROR(CallNode(api, &v1::Node::Stub::ListRecords, request, &response));
  if (!json && response.records().empty()) std::printf("no records\n");
  for (const v1::GetRecordResponse& r : response.records()) {
    if (json) {
      std::printf("%s\n", RecordJson(r).c_str());
    } else {
      std::printf("%s\n", r.name().c_str());
    }
  }
  if (response.truncated()) std::fprintf(stderr, "(more records match; narrow the prefix)\n");
  return absl::OkStatus();
}

}  // namespace swarmkv
