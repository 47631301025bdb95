#include "pubsub/gossip_transport.h"

#include <chrono>
#include <memory>
#include <utility>
#include <vector>

#include "pubsub/wire_frames.h"
#include "rpc/grpc_status.h"
#include "swarmkv/peer/v1/gossip.grpc.pb.h"

namespace swarmkv {

void GossipTransport::Shutdown() {
  std::vector<std::function<void(absl::Status)>> refused;
  {
    absl::MutexLock lock(&mu_);
    shut_down_ = true;
    mu_.Await(absl::Condition(
        +[](int64_t* in_flight) { return *in_flight == 0; }, &in_flight_));
    for (auto& [id, link] : links_) {
      for (Waiting& w : link.waiting) refused.push_back(std::move(w.done));
    }
    links_.clear();
  }
  for (auto& done : refused) done(absl::UnavailableError("the node is shutting down"));
}

// One Deliver call and the completions of the frames it carries.
struct GossipTransport::Batch {
  explicit Batch(NodeId peer) : to(peer) {}
  std::unique_ptr<peer::v1::Gossip::Stub> stub;
  grpc::ClientContext context;
  peer::v1::DeliverRequest request;
  peer::v1::DeliverResponse response;
  std::vector<std::function<void(absl::Status)>> dones;
  NodeId to;
};

void GossipTransport::Send(const Contact& to, Frame frame, std::function<void(absl::Status)> done) {
  std::shared_ptr<Batch> batch;
  bool refused = false;
  {
    absl::MutexLock lock(&mu_);
    refused = shut_down_;
    if (!refused) {
      Link& link = links_.try_emplace(to.id, to).first->second;
      link.to = to;
      link.waiting.push_back(Waiting{std::move(frame), std::move(done)});
      if (!link.busy) batch = TakeBatch(link);
    }
  }
  if (batch != nullptr) {
    Start(std::move(batch));
  } else if (refused) {
    done(absl::UnavailableError("the node is shutting down"));
  }
}

std::shared_ptr<GossipTransport::Batch> GossipTransport::TakeBatch(Link& link) {
  auto batch = std::make_shared<Batch>(link.to.id);
  batch->stub = peer::v1::Gossip::NewStub(channels_.For(link.to.address, link.to.id));
  batch->request.mutable_caller()->set_listen_port(listen_port_.load());
  while (!link.waiting.empty() && batch->request.frames_size() < kMaxFramesPerDeliver) {
    EncodeFrame(link.waiting.front().frame, batch->request.add_frames());
    batch->dones.push_back(std::move(link.waiting.front().done));
    link.waiting.pop_front();
  }
  link.busy = true;
  ++in_flight_;
  return batch;
}

void GossipTransport::Start(std::shared_ptr<Batch> batch) {
  batch->context.set_deadline(std::chrono::system_clock::now() +
                              absl::ToChronoNanoseconds(timeout_));
  Batch* raw = batch.get();
  raw->stub->async()->Deliver(&raw->context, &raw->request, &raw->response,
                              [this, batch = std::move(batch)](grpc::Status status) {
                                const absl::Status result = FromGrpcStatus(status);
                                for (auto& done : batch->dones) done(result);
                                std::shared_ptr<Batch> next;
                                {
                                  absl::MutexLock lock(&mu_);
                                  auto it = links_.find(batch->to);
                                  if (it != links_.end()) {
                                    it->second.busy = false;
                                    if (it->second.waiting.empty()) {
                                      links_.erase(it);
                                    } else if (!shut_down_) {
                                      next = TakeBatch(it->second);
                                    }
                                  }
                                  --in_flight_;
                                }
                                if (next != nullptr) Start(std::move(next));
                              });
}

}  // namespace swarmkv
