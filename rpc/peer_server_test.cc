// The peer server over real TLS on 127.0.0.1: what every registered peer service gets from Admit.
#include "rpc/peer_server.h"

#include <memory>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rpc/grpc_status.h"
#include "rpc/retry_after.h"
#include "swarmkv/peer/v1/peer.grpc.pb.h"
#include "testing/status_matchers.h"

namespace swarmkv {
namespace {

using ::swarmkv::testing::StatusIs;
using ::testing::HasSubstr;

// A peer service that only admits: PING answers with Admit's status and records the caller.
class AdmittingService final : public peer::v1::Peer::CallbackService {
 public:
  explicit AdmittingService(PeerServer*& server) : server_(server) {}

  grpc::ServerUnaryReactor* Ping(grpc::CallbackServerContext* call,
                                 const peer::v1::PingRequest* request,
                                 peer::v1::PingResponse*) override {
    absl::StatusOr<PeerCaller> caller = server_->Admit(*call, request->caller().listen_port(), 100);
    if (caller.ok()) {
      absl::MutexLock lock(&mu_);
      last_ = *caller;
    }
    grpc::ServerUnaryReactor* reactor = call->DefaultReactor();
    reactor->Finish(ToGrpcStatus(caller.status()));
    return reactor;
  }

  std::optional<PeerCaller> last() {
    absl::MutexLock lock(&mu_);
    return last_;
  }

 private:
  PeerServer*& server_;
  absl::Mutex mu_;
  std::optional<PeerCaller> last_ ABSL_GUARDED_BY(mu_);
};

class PeerServerTest : public ::testing::Test {
 protected:
  void StartServer(PeerServerOptions options) {
    options.listen = "127.0.0.1:0";
    auto server = PeerServer::Create(identity_, RealClock::Instance(), options);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    raw_server_ = server_.get();
    server_->Register(&service_);
    ASSERT_TRUE(server_->Start().ok());
    ASSERT_NE(server_->port(), 0);
  }

  // A PING as `as`; its status carries the server's retry-after, if any (rpc/retry_after.h).
  absl::Status Ping(const Identity& as, uint32_t listen_port) {
    auto cert = MakeSelfSignedCertificate(as, absl::Now());
    grpc::ChannelArguments args;
    args.SetSslTargetNameOverride(kTlsServerName);
    auto stub = peer::v1::Peer::NewStub(grpc::CreateCustomChannel(
        absl::StrCat("127.0.0.1:", server_->port()),
        PeerChannelCredentials(*cert, identity_.node_id(), nullptr), args));
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    peer::v1::PingRequest request;
    request.mutable_caller()->set_listen_port(listen_port);
    peer::v1::PingResponse response;
    return WithRetryAfter(FromGrpcStatus(stub->Ping(&context, request, &response)), context);
  }

  Identity identity_ = Identity::Generate();
  PeerServer* raw_server_ = nullptr;
  AdmittingService service_{raw_server_};
  std::unique_ptr<PeerServer> server_;
};

TEST_F(PeerServerTest, AdmitsACallerAsTheIdItsCertificateProvesAtItsConnectionAddress) {
  StartServer({});
  const Identity caller = Identity::Generate();
  ASSERT_TRUE(Ping(caller, 4242).ok());
  ASSERT_TRUE(service_.last().has_value());
  EXPECT_EQ(service_.last()->id, caller.node_id());
  EXPECT_EQ(service_.last()->address, "127.0.0.1:4242");
  // No announced port: served, with no address to remember.
  ASSERT_TRUE(Ping(caller, 0).ok());
  EXPECT_EQ(service_.last()->address, "");
  EXPECT_THAT(Ping(caller, 70000),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("listen_port")));
}

TEST_F(PeerServerTest, EachPeerHasItsOwnRequestBudget) {
  PeerServerOptions options;
  options.limits.requests = RateLimit{0.1, 2};  // two requests, then one per 10 s
  StartServer(options);
  const Identity greedy = Identity::Generate();
  EXPECT_TRUE(Ping(greedy, 0).ok());
  EXPECT_TRUE(Ping(greedy, 0).ok());
  const absl::Status refused = Ping(greedy, 0);
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kResourceExhausted));
  // Told when to ask again: the next request is allowed 10 s after the last.
  ASSERT_TRUE(RetryAfter(refused).has_value());
  EXPECT_GT(*RetryAfter(refused), absl::Seconds(9));
  EXPECT_LE(*RetryAfter(refused), absl::Seconds(10));
  EXPECT_TRUE(Ping(Identity::Generate(), 0).ok());  // another peer is not held back
}

TEST_F(PeerServerTest, PlainTcpCallersGetNothingThrough) {
  StartServer({});
  auto stub = peer::v1::Peer::NewStub(grpc::CreateChannel(
      absl::StrCat("127.0.0.1:", server_->port()), grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  peer::v1::PingResponse response;
  EXPECT_FALSE(stub->Ping(&context, peer::v1::PingRequest(), &response).ok());
  EXPECT_FALSE(service_.last().has_value());
}

TEST_F(PeerServerTest, AnAddressInUseIsUnavailable) {
  StartServer({});
  PeerServerOptions options;
  options.listen = absl::StrCat("127.0.0.1:", server_->port());
  auto second = PeerServer::Create(Identity::Generate(), RealClock::Instance(), options);
  ASSERT_TRUE(second.ok());
  EXPECT_THAT((*second)->Start(), StatusIs(absl::StatusCode::kUnavailable, HasSubstr("peers")));
}

}  // namespace
}  // namespace swarmkv
