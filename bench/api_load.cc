// Load client for bench/run_api_bench.sh: drives the node's API or the bare echo service with
// the same call shapes and prints one line of figures. Small calls: N in flight on gRPC's
// callback API (bench/callback_calls.h), one shared channel = one HTTP/2 connection. Streams:
// one synchronous stream.
//
//   api_load small  --target T --service node|echo --op put|get --size 1024 --inflight 16
//                   --seconds 3 [--shape unary|stream]
//     -> "<ops/s> <p50 us> <p99 us>"
//   api_load stream --target T --service node|echo --op put|get --bytes 268435456
//     -> "<MB/s>"
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "base/random.h"
#include "bench/bench_flags.h"
#include "bench/callback_calls.h"
#include "grpcpp/grpcpp.h"
#include "swarmkv/bench/echo.grpc.pb.h"
#include "swarmkv/v1/node.grpc.pb.h"

namespace swarmkv {
namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kMessage = 256u << 10;

[[noreturn]] void Die(const std::string& what, const grpc::Status& s) {
  std::fprintf(stderr, "api_load: %s: %s\n", what.c_str(), s.error_message().c_str());
  std::exit(1);
}

std::shared_ptr<grpc::Channel> Connect(const std::string& target) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(4 << 20);
  return grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
}

// Puts `data` through the node's API and returns the capability.
std::string NodePut(v1::Node::Stub& stub, const std::string& data) {
  grpc::ClientContext context;
  v1::PutResponse response;
  auto writer = stub.Put(&context, &response);
  v1::PutRequest request;
  request.mutable_header()->set_pin(true);
  writer->Write(request);
  for (size_t at = 0; at < data.size(); at += kMessage) {
    request.set_chunk(data.substr(at, kMessage));
    if (!writer->Write(request)) break;
  }
  writer->WritesDone();
  grpc::Status s = writer->Finish();
  if (!s.ok()) Die("put", s);
  return response.capability();
}

uint64_t NodeGet(v1::Node::Stub& stub, const std::string& capability) {
  grpc::ClientContext context;
  v1::GetRequest request;
  request.set_target(capability);
  auto reader = stub.Get(&context, request);
  v1::GetResponse response;
  uint64_t bytes = 0;
  while (reader->Read(&response)) bytes += response.chunk().size();
  grpc::Status s = reader->Finish();
  if (!s.ok()) Die("get", s);
  return bytes;
}

int Small(int argc, char** argv) {
  const std::string target = FlagValue(argc, argv, "--target", "");
  const bool node = FlagValue(argc, argv, "--service", "node") == "node";
  const bool put = FlagValue(argc, argv, "--op", "put") == "put";
  const size_t size = std::stoul(FlagValue(argc, argv, "--size", "1024"));
  const int inflight = std::stoi(FlagValue(argc, argv, "--inflight", "1"));
  const double seconds = std::stod(FlagValue(argc, argv, "--seconds", "3"));
  // echo only: "unary" (one Echo call) or "stream" (the node's call shapes: a Put-like upload of
  // a small first message and the data, a Get-like download of the data in one message).
  const bool streamed = FlagValue(argc, argv, "--shape", "unary") == "stream";
  auto channel = Connect(target);
  auto node_stub = v1::Node::NewStub(channel);
  auto echo_stub = bench::Echo::NewStub(channel);
  const std::string payload = Random(1).Bytes(size);
  std::string capability;
  if (node && !put) capability = NodePut(*node_stub, payload);

  // Per slot: its own generator, so every put carries distinct content (no dedup).
  std::vector<Random> rngs;
  for (int t = 0; t < inflight; ++t) rngs.emplace_back(100 + t);
  auto* echo = echo_stub->async();
  auto* api = node_stub->async();
  auto next_payload = [&](int slot) {
    std::string data = payload;
    rngs[slot].Fill(data.data(), std::min<size_t>(8, data.size()));
    return data;
  };
  ClosedLoop loop(inflight, [&](int slot, CallDone done) {
    if (!node) {
      bench::Blob blob;
      blob.set_data(put ? next_payload(slot) : payload);
      if (!streamed) {
        UnaryCall<bench::Blob, bench::Blob>::Run(
            [echo](auto&&... args) { echo->Echo(std::forward<decltype(args)>(args)...); },
            std::move(blob), std::move(done));
      } else if (put) {
        bench::Blob header;
        header.set_total(size);  // stands in for the Put header
        UploadCall<bench::Blob, bench::Blob>::Run([echo](auto*... args) { echo->Upload(args...); },
                                                  std::move(header), std::move(blob),
                                                  std::move(done));
      } else {
        blob.set_total(size);
        DownloadCall<bench::Blob, bench::Blob>::Run(
            [echo](auto*... args) { echo->Download(args...); }, std::move(blob), std::move(done));
      }
    } else if (put) {
      v1::PutRequest header, chunk;
      header.mutable_header()->set_pin(true);
      chunk.set_chunk(next_payload(slot));
      UploadCall<v1::PutRequest, v1::PutResponse>::Run([api](auto*... args) { api->Put(args...); },
                                                       std::move(header), std::move(chunk),
                                                       std::move(done));
    } else {
      v1::GetRequest request;
      request.set_target(capability);
      DownloadCall<v1::GetRequest, v1::GetResponse>::Run(
          [api](auto*... args) { api->Get(args...); }, std::move(request), std::move(done));
    }
  });
  double elapsed = 0;
  grpc::Status failure;
  std::vector<double> all = loop.Run(seconds, &elapsed, &failure);
  if (!failure.ok()) Die(node ? "node call" : "echo call", failure);
  std::sort(all.begin(), all.end());
  std::printf("%.0f %.0f %.0f\n", all.size() / elapsed, all[all.size() / 2],
              all[std::min(all.size() - 1, all.size() * 99 / 100)]);
  return 0;
}

int Stream(int argc, char** argv) {
  const std::string target = FlagValue(argc, argv, "--target", "");
  const bool node = FlagValue(argc, argv, "--service", "node") == "node";
  const bool put = FlagValue(argc, argv, "--op", "put") == "put";
  const uint64_t bytes = std::stoull(FlagValue(argc, argv, "--bytes", "268435456"));
  auto channel = Connect(target);
  std::string message = Random(2).Bytes(kMessage);
  std::string capability;
  auto node_stub = v1::Node::NewStub(channel);
  auto echo_stub = bench::Echo::NewStub(channel);
  auto stream_put = [&]() {
    grpc::ClientContext context;
    if (node) {
      v1::PutResponse response;
      auto writer = node_stub->Put(&context, &response);
      v1::PutRequest request;
      request.mutable_header()->set_pin(true);
      writer->Write(request);
      for (uint64_t sent = 0, i = 0; sent < bytes; sent += kMessage, ++i) {
        std::memcpy(message.data(), &i, sizeof(i));  // distinct chunks: no dedup
        request.set_chunk(message);
        writer->Write(request);
      }
      writer->WritesDone();
      grpc::Status s = writer->Finish();
      if (!s.ok()) Die("stream put", s);
      capability = response.capability();
    } else {
      bench::Blob response, request;
      auto writer = echo_stub->Upload(&context, &response);
      request.set_data(message);
      for (uint64_t sent = 0; sent < bytes; sent += kMessage) writer->Write(request);
      writer->WritesDone();
      grpc::Status s = writer->Finish();
      if (!s.ok()) Die("upload", s);
    }
  };
  if (!put && node) stream_put();
  const auto start = Clock::now();
  if (put) {
    stream_put();
  } else if (node) {
    NodeGet(*node_stub, capability);
  } else {
    grpc::ClientContext context;
    bench::Blob request, response;
    request.set_data(message);
    request.set_total(bytes);
    auto reader = echo_stub->Download(&context, request);
    while (reader->Read(&response)) {
    }
    grpc::Status s = reader->Finish();
    if (!s.ok()) Die("download", s);
  }
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf("%.1f\n", bytes / elapsed / 1e6);
  return 0;
}

}  // namespace
}  // namespace swarmkv

int main(int argc, char** argv) {
  const std::string cmd = argc > 1 ? argv[1] : "";
  if (cmd == "small") return swarmkv::Small(argc, argv);
  if (cmd == "stream") return swarmkv::Stream(argc, argv);
  std::fprintf(stderr, "usage: api_load small|stream [flags]\n");
  return 2;
}
