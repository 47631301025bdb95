// Requests from peers (replication/peer_service.h), driven in-process through the real path: a
// node (store, Swarm, PeerService behind its PeerServer) listens on 127.0.0.1 with mutual TLS,
// and raw clients with valid identities send it whatever the input decodes to. The first byte
// picks the method, the rest is the request message. The node must answer every request with a
// status (never crash, never hang past the deadline), and stay up.
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/event_loop.h"
#include "base/thread_pool.h"
#include "crypto/secret_bytes.h"
#include "fuzz/fuzz_check.h"
#include "grpcpp/grpcpp.h"
#include "replication/swarm_service.h"
#include "rpc/peer_tls.h"
#include "swarmkv/peer/v1/peer.grpc.pb.h"
#include "testing/temp_dir.h"

SWARMKV_FUZZ_QUIET_LOGS()

namespace swarmkv {
namespace {

using peer::v1::Peer;

// Built on the first input and kept for the run: a node per input would cost a TLS handshake
// and a RocksDB open each time.
class Node {
 public:
  Node() {
    BlockStoreOptions store_options;
    store_options.sync_writes = false;
    store_ = *BlockStore::Open(dir_.Sub("store"), SecretBytes::Random(32), store_options);
    // Blocks for HAVE, PROVE and FIND_VALUE to find: the seed corpus names their CIDs.
    for (const char* block : {"hello world", "swarmkv fuzz block"}) {
      store_->Put(Codec::kRaw, block).IgnoreError();
    }
    PeerServerOptions options;
    options.listen = "127.0.0.1:0";
    // The fuzzer is one client sending as fast as it can: no request budget to run out of.
    options.limits.requests = RateLimit{1e9, 1e9};
    options.limits.bytes = RateLimit{1e12, 1e12};
    server_ = *PeerServer::Create(identity_, RealClock::Instance(), options);
    SwarmServiceOptions swarm_options;
    swarm_options.transport.timeout = absl::Milliseconds(200);
    service_ = std::make_unique<SwarmService>(identity_.node_id(), *server_, *store_, loop_,
                                              swarm_io_, pool_, swarm_options);
    FUZZ_CHECK(server_->Start().ok());
    service_->OnListening(server_->port());
    // Several callers: a caller the swarm penalized is refused from then on, which would hide
    // every later request of that one.
    for (int i = 0; i < 8; ++i) {
      auto cert = MakeSelfSignedCertificate(Identity::Generate(), absl::Now());
      FUZZ_CHECK(cert.ok());
      stubs_.push_back(Peer::NewStub(
          grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->port()),
                              PeerChannelCredentials(*cert, identity_.node_id(), nullptr))));
    }
  }

  Peer::Stub& Caller(uint8_t which) { return *stubs_[which % stubs_.size()]; }

 private:
  ::swarmkv::testing::TempDir dir_;
  Identity identity_ = Identity::Generate();
  ThreadPool pool_{2};
  ThreadPool swarm_io_{2};
  RealEventLoop loop_;
  std::unique_ptr<BlockStore> store_;
  std::unique_ptr<PeerServer> server_;
  std::unique_ptr<SwarmService> service_;
  std::vector<std::unique_ptr<Peer::Stub>> stubs_;
};

// Sends `bytes` as a `Request` to `method`; the answer's status must be a real one.
template <typename Request, typename Response, typename Method>
void Send(Peer::Stub& stub, Method method, absl::string_view bytes) {
  Request request;
  if (!request.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return;
  Response response;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  const grpc::Status status = (stub.*method)(&context, request, &response);
  // The node answered, whatever it said; a deadline means it hung on this request.
  FUZZ_CHECK(status.error_code() != grpc::StatusCode::DEADLINE_EXCEEDED);
  FUZZ_CHECK(status.error_code() != grpc::StatusCode::UNAVAILABLE);
}

}  // namespace
}  // namespace swarmkv

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace swarmkv;            // NOLINT: the request types below
  using namespace swarmkv::peer::v1;  // NOLINT
  static Node* node = new Node();     // lives for the run (destroying gRPC at exit is not tested)
  if (size < 2) return 0;
  Peer::Stub& stub = node->Caller(data[1]);
  const absl::string_view bytes(reinterpret_cast<const char*>(data) + 2, size - 2);
  switch (data[0] % 10) {
    case 0:
      Send<PingRequest, PingResponse>(stub, &Peer::Stub::Ping, bytes);
      break;
    case 1:
      Send<FindNodeRequest, FindNodeResponse>(stub, &Peer::Stub::FindNode, bytes);
      break;
    case 2:
      Send<FindValueRequest, FindValueResponse>(stub, &Peer::Stub::FindValue, bytes);
      break;
    case 3:
      Send<StoreRequest, StoreResponse>(stub, &Peer::Stub::Store, bytes);
      break;
    case 4:
      Send<AddProviderRequest, AddProviderResponse>(stub, &Peer::Stub::AddProvider, bytes);
      break;
    case 5:
      Send<GetProvidersRequest, GetProvidersResponse>(stub, &Peer::Stub::GetProviders, bytes);
      break;
    case 6:
      Send<HaveRequest, HaveResponse>(stub, &Peer::Stub::Have, bytes);
      break;
    case 7:
      Send<ProveRequest, ProveResponse>(stub, &Peer::Stub::Prove, bytes);
      break;
    case 8:
      Send<PutRecordRequest, PutRecordResponse>(stub, &Peer::Stub::PutRecord, bytes);
      break;
    case 9:
      Send<GetRecordRequest, GetRecordResponse>(stub, &Peer::Stub::GetRecord, bytes);
      break;
  }
  return 0;
}
