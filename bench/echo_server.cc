// A bare gRPC echo service on the callback API: the baseline of bench/run_api_bench.sh.
// usage: echo_server host:port
#include <signal.h>

#include <cstdio>
#include <memory>

#include "grpcpp/grpcpp.h"
#include "swarmkv/bench/echo.grpc.pb.h"

namespace {

using swarmkv::bench::Blob;

class EchoService final : public swarmkv::bench::Echo::CallbackService {
  grpc::ServerUnaryReactor* Echo(grpc::CallbackServerContext* call, const Blob* request,
                                 Blob* response) override {
    response->set_data(request->data());
    auto* reactor = call->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }

  grpc::ServerReadReactor<Blob>* Upload(grpc::CallbackServerContext*, Blob* response) override {
    class Reader : public grpc::ServerReadReactor<Blob> {
     public:
      explicit Reader(Blob* response) : response_(response) { StartRead(&blob_); }
      void OnReadDone(bool ok) override {
        if (!ok) {
          response_->set_total(total_);
          Finish(grpc::Status::OK);
          return;
        }
        total_ += blob_.data().size();
        StartRead(&blob_);
      }
      void OnDone() override { delete this; }

     private:
      Blob* response_;
      Blob blob_;
      uint64_t total_ = 0;
    };
    return new Reader(response);
  }

  grpc::ServerWriteReactor<Blob>* Download(grpc::CallbackServerContext*,
                                           const Blob* request) override {
    class Writer : public grpc::ServerWriteReactor<Blob> {
     public:
      explicit Writer(const Blob* request) : left_(request->total()) {
        blob_.set_data(request->data());
        Next();
      }
      void OnWriteDone(bool ok) override {
        if (!ok) {
          Finish(grpc::Status::CANCELLED);
          return;
        }
        Next();
      }
      void OnDone() override { delete this; }

     private:
      void Next() {
        if (left_ == 0 || blob_.data().empty()) {
          Finish(grpc::Status::OK);
          return;
        }
        left_ -= std::min<uint64_t>(left_, blob_.data().size());
        if (left_ == 0) {
          StartWriteAndFinish(&blob_, grpc::WriteOptions(), grpc::Status::OK);  // one batch
          return;
        }
        StartWrite(&blob_);
      }
      Blob blob_;
      uint64_t left_;
    };
    return new Writer(request);
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: echo_server host:port\n");
    return 2;
  }
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  EchoService service;
  grpc::ServerBuilder builder;
  builder.AddListeningPort(argv[1], grpc::InsecureServerCredentials());
  builder.SetMaxReceiveMessageSize(2 << 20);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr) return 1;
  int sig;
  sigwait(&signals, &sig);
  server->Shutdown();
  return 0;
}
