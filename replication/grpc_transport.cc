#include "replication/grpc_transport.h"

#include <chrono>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/logging.h"
#include "replication/peer_answers.h"
#include "rpc/grpc_status.h"
#include "rpc/peer_channels.h"
#include "rpc/peer_server.h"
#include "rpc/peer_tls.h"
#include "rpc/retry_after.h"
#include "storage/block_store.h"

namespace swarmkv {
namespace {

using peer::v1::Peer;

// For calls whose reply carries nothing but its status.
Transport::Callback<Acknowledged> StatusOnly(Transport::StatusCallback done) {
  return [done = std::move(done)](absl::StatusOr<Acknowledged> result) { done(result.status()); };
}
struct Acknowledge {
  template <typename Response>
  absl::StatusOr<Acknowledged> operator()(const Response&) const {
    return Acknowledged{};
  }
};

std::chrono::system_clock::time_point DeadlineAfter(absl::Duration timeout) {
  return std::chrono::system_clock::now() + absl::ToChronoNanoseconds(timeout);
}

}  // namespace

GrpcTransport::GrpcTransport(TlsCertificate own, GrpcTransportOptions options)
    : own_(std::move(own)), options_(options), channels_(own_) {}

GrpcTransport::~GrpcTransport() { Shutdown(); }

void GrpcTransport::Shutdown() {
  // Calls in flight are cancelled, not waited out: an operation blocked on them (a lookup
  // behind an API call, say) then ends at once, and a stopping node is not held for a peer
  // timeout per lookup hop (issue 12: a node stopped under load hung past Docker's timeout).
  std::vector<std::shared_ptr<grpc::ClientContext>> to_cancel;
  {
    absl::MutexLock lock(&mu_);
    shut_down_ = true;
    for (const auto& [unused, context] : in_flight_) to_cancel.push_back(context);
  }
  // Outside the lock: a call's end (EndCall) takes it.
  for (const auto& context : to_cancel) context->TryCancel();
  to_cancel.clear();
  absl::MutexLock lock(&mu_);
  // Every call has a deadline, so they all end within one timeout. Seen once in the fault test,
  // though: bootstrap calls started while the node's network was cut off never ended, not
  // even at their deadline, and the stop hung here. Past the bound they are given up on (and
  // named in the log); their callbacks, should they ever run, find the node stopping.
  const auto all_ended = +[](InFlight* in_flight) { return in_flight->empty(); };
  if (!mu_.AwaitWithTimeout(absl::Condition(all_ended, &in_flight_),
                            options_.timeout + absl::Seconds(1))) {
    LogEvent(LogLevel::kWarn, "transport.calls_abandoned",
             {{"calls", static_cast<uint64_t>(in_flight_.size())},
              {"waited", absl::FormatDuration(options_.timeout + absl::Seconds(1))}});
  }
}

bool GrpcTransport::BeginCall(std::shared_ptr<grpc::ClientContext> context) {
  absl::MutexLock lock(&mu_);
  if (shut_down_) return false;
  grpc::ClientContext* key = context.get();
  in_flight_.emplace(key, std::move(context));
  return true;
}

std::shared_ptr<grpc::ClientContext> GrpcTransport::EndCall(grpc::ClientContext* context) {
  absl::MutexLock lock(&mu_);
  auto it = in_flight_.find(context);
  std::shared_ptr<grpc::ClientContext> owner = std::move(it->second);
  in_flight_.erase(it);
  return owner;
}

std::shared_ptr<Peer::Stub> GrpcTransport::StubFor(const Contact& to) {
  return Peer::NewStub(channels_.For(to.address, to.id));
}

template <typename Request, typename Response, typename T, typename Start, typename Convert>
void GrpcTransport::Call(std::shared_ptr<Peer::Stub> stub, Request request, Start start,
                         Convert convert, Callback<T> done) {
  struct State {
    std::shared_ptr<Peer::Stub> stub;  // keeps the channel while the call runs
    grpc::ClientContext context;
    Request request;
    Response response;
  };
  auto state = std::make_shared<State>();
  state->stub = std::move(stub);
  state->request = std::move(request);
  state->request.mutable_caller()->set_listen_port(listen_port_.load());
  state->context.set_deadline(DeadlineAfter(options_.timeout));
  State* call = state.get();  // owned by in_flight_ until the call ends
  if (!BeginCall(std::shared_ptr<grpc::ClientContext>(state, &call->context))) {
    done(absl::UnavailableError("the node is shutting down"));
    return;
  }
  start(call->stub->async(), &call->context, &call->request, &call->response,
        [this, call, convert = std::move(convert), done = std::move(done)](grpc::Status status) {
          if (status.ok()) {
            done(convert(call->response));
          } else {
            // A peer's "slow down, ask again in ..." stays with the status (PacedTransport).
            done(WithRetryAfter(FromGrpcStatus(status), call->context));
          }
          // Taken out only now, so Shutdown waits for `done`; freed as this returns.
          std::shared_ptr<grpc::ClientContext> owner = EndCall(&call->context);
        });
}

void GrpcTransport::Ping(const Contact& to, StatusCallback done) {
  Call<peer::v1::PingRequest, peer::v1::PingResponse, Acknowledged>(
      StubFor(to), {},
      [](auto* async, auto* context, auto* request, auto* response, auto on_done) {
        async->Ping(context, request, response, std::move(on_done));
      },
      Acknowledge(), StatusOnly(std::move(done)));
}

void GrpcTransport::Introduce(const std::string& address, Callback<NodeId> done) {
  // A one-off channel that accepts any valid identity and records which one it was.
  auto proven = std::make_shared<ProvenId>();
  auto channel = grpc::CreateCustomChannel(
      address, PeerChannelCredentials(own_, std::nullopt, proven), PeerChannelArguments());
  Call<peer::v1::PingRequest, peer::v1::PingResponse, NodeId>(
      Peer::NewStub(channel), {},
      [](auto* async, auto* context, auto* request, auto* response, auto on_done) {
        async->Ping(context, request, response, std::move(on_done));
      },
      [proven, address](const peer::v1::PingResponse&) -> absl::StatusOr<NodeId> {
        std::optional<NodeId> id = proven->Get();
        if (!id.has_value()) {
          return absl::UnavailableError(absl::StrCat(address, " proved no node id"));
        }
        return *id;
      },
      std::move(done));
}

void GrpcTransport::FindNode(const Contact& to, const DhtKey& target,
                             Callback<std::vector<Contact>> done) {
  peer::v1::FindNodeRequest request;
  request.set_target(std::string(target.begin(), target.end()));
  Call<peer::v1::FindNodeRequest, peer::v1::FindNodeResponse, std::vector<Contact>>(
      StubFor(to), std::move(request),
      [](auto* async, auto* context, auto* request, auto* response, auto on_done) {
        async->FindNode(context, request, response, std::move(on_done));
      },
      [this](const peer::v1::FindNodeResponse& response) {
        return absl::StatusOr<std::vector<Contact>>(
            ContactsFromAnswer(response.closer(), options_.max_contacts));
      },
      std::move(done));
}

void GrpcTransport::FindValue(const Contact& to, const Cid& cid, Callback<FindValueResult> done) {
  peer::v1::FindValueRequest request;
  request.set_cid(cid.ToBytes());
  Call<peer::v1::FindValueRequest, peer::v1::FindValueResponse, FindValueResult>(
      StubFor(to), std::move(request),
      [](auto* async, auto* context, auto* request, auto* response, auto on_done) {
        async->FindValue(context, request, response, std::move(on_done));
      },
      [this](peer::v1::FindValueResponse& response) {
        return absl::StatusOr<FindValueResult>(
            FindValueFromAnswer(&response, options_.max_contacts));
      },
      std::move(done));
}

void GrpcTransport::GetProviders(const Contact& to, const Cid& cid,
                                 Callback<ProvidersResult> done) {
  peer::v1::GetProvidersRequest request;
  request.set_cid(cid.ToBytes());
  Call<peer::v1::GetProvidersRequest, peer::v1::GetProvidersResponse, ProvidersResult>(
      StubFor(to), std::move(request),
      [](auto* async, auto* context, auto* request, auto* response, auto on_done) {
        async->GetProviders(context, request, response, std::move(on_done));
      },
      [this](const peer::v1::GetProvidersResponse& response) {
        return absl::StatusOr<ProvidersResult>(
            ProvidersFromAnswer(response, options_.max_contacts));
      },
      std::move(done));
}

void GrpcTransport::Store(const Contact& to, const Cid& cid, std::string block,
                          StatusCallback done) {
  peer::v1::StoreRequest request;
  request.set_cid(cid.ToBytes());
  request.set_block(std::move(block));
  Call<peer::v1::StoreRequest, peer::v1::StoreResponse, Acknowledged>(
      StubFor(to), std::move(request),
      [](auto* async, auto* context, auto* request, auto* response, auto on_done) {
        async->Store(context, request, response, std::move(on_done));
      },
      Acknowledge(), StatusOnly(std::move(done)));
}

void GrpcTransport::AddProvider(const Contact& to, const Cid& cid, StatusCallback done) {
  peer::v1::AddProviderRequest request;
  request.set_cid(cid.ToBytes());
  Call<peer::v1::AddProviderRequest, peer::v1::AddProviderResponse, Acknowledged>(
      StubFor(to), std::move(request),
      [](auto* async, auto* context, auto* request, auto* response, auto on_done) {
        async->AddProvider(context, request, response, std::move(on_done));
      },
      Acknowledge(), StatusOnly(std::move(done)));
}

void GrpcTransport::Have(const Contact& to, std::vector<Cid> cids,
                         Callback<std::vector<bool>> done) {
  peer::v1::HaveRequest request;
  for (const Cid& cid : cids) request.add_cids(cid.ToBytes());
  Call<peer::v1::HaveRequest, peer::v1::HaveResponse, std::vector<bool>>(
      StubFor(to), std::move(request),
      [](auto* async, auto* context, auto* request, auto* response, auto on_done) {
        async->Have(context, request, response, std::move(on_done));
      },
      [](const peer::v1::HaveResponse& response) {
        return absl::StatusOr<std::vector<bool>>(HaveFromAnswer(response));
      },
      std::move(done));
}

void GrpcTransport::Prove(const Contact& to, const Cid& cid, std::string nonce,
                          Callback<Digest256> done) {
  peer::v1::ProveRequest request;
  request.set_cid(cid.ToBytes());
  request.set_nonce(std::move(nonce));
  Call<peer::v1::ProveRequest, peer::v1::ProveResponse, Digest256>(
      StubFor(to), std::move(request),
      [](auto* async, auto* context, auto* request, auto* response, auto on_done) {
        async->Prove(context, request, response, std::move(on_done));
      },
      [](const peer::v1::ProveResponse& response) { return ProofFromAnswer(response); },
      std::move(done));
}

void GrpcTransport::PutRecord(const Contact& to, std::string record, Callback<std::string> done) {
  peer::v1::PutRecordRequest request;
  request.set_record(std::move(record));
  Call<peer::v1::PutRecordRequest, peer::v1::PutRecordResponse, std::string>(
      StubFor(to), std::move(request),
      [](auto* async, auto* context, auto* request, auto* response, auto on_done) {
        async->PutRecord(context, request, response, std::move(on_done));
      },
      [](const peer::v1::PutRecordResponse& response) {
        return absl::StatusOr<std::string>(response.newer());
      },
      std::move(done));
}

void GrpcTransport::GetRecord(const Contact& to, const DhtKey& key, Callback<RecordAnswer> done) {
  peer::v1::GetRecordRequest request;
  request.set_dht_key(std::string(DigestView(key)));
  Call<peer::v1::GetRecordRequest, peer::v1::GetRecordResponse, RecordAnswer>(
      StubFor(to), std::move(request),
      [](auto* async, auto* context, auto* request, auto* response, auto on_done) {
        async->GetRecord(context, request, response, std::move(on_done));
      },
      [this](const peer::v1::GetRecordResponse& response) {
        return absl::StatusOr<RecordAnswer>(RecordFromAnswer(response, options_.max_contacts));
      },
      std::move(done));
}

}  // namespace swarmkv
