#include "pubsub/pubsub.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"

namespace swarmkv {

PubsubNode::PubsubNode(const Identity& identity, EventLoop& loop, FrameSender& sender,
                       std::function<std::vector<Contact>()> peers, PubsubOptions options)
    : identity_(identity),
      loop_(loop),
      sender_(sender),
      peers_(std::move(peers)),
      options_(std::move(options)),
      rng_(options_.seed),
      core_(identity.node_id(), rng_, options_.mesh),
      // Sequence numbers start at the clock so a restarted node's ids are not taken for the
      // ones its previous run sent (still in others' seen-caches).
      next_sequence_(static_cast<uint64_t>(absl::ToUnixNanos(loop.clock().Now()))) {}

PubsubNode::~PubsubNode() {
  *alive_ = false;
  loop_.Cancel(wake_);
}

void PubsubNode::Start() {
  loop_.Post([this] { Wake(); });
}

std::vector<NodeId> PubsubNode::Candidates() {
  std::vector<NodeId> ids;
  for (Contact& c : peers_()) {
    ids.push_back(c.id);
    contacts_.insert_or_assign(c.id, std::move(c));
  }
  return ids;
}

void PubsubNode::Wake() {
  wake_ = 0;
  wake_at_ = absl::InfiniteFuture();
  const absl::Time now = loop_.clock().Now();
  // The routing table is copied only when the meshes are kept (once a second), not at every
  // announcement flush or graft.
  core_.Tick(core_.upkeep_due(now) ? Candidates() : std::vector<NodeId>{}, now);
  Drain();
}

absl::StatusOr<uint64_t> PubsubNode::Subscribe(const std::string& topic, Handler on_message) {
  return SubscribeRouted(topic, [on_message = std::move(on_message)](const GossipMessage& message,
                                                                     const std::optional<NodeId>&) {
    on_message(message);
  });
}

absl::StatusOr<uint64_t> PubsubNode::SubscribeRouted(const std::string& topic,
                                                     RoutedHandler on_message) {
  if (absl::Status valid = CheckTopic(topic); !valid.ok()) return valid;
  // Ids are handed out here, on the caller's thread, so the caller can unsubscribe at once.
  static_assert(sizeof(uint64_t) >= sizeof(size_t));
  absl::MutexLock lock(&mu_);
  const uint64_t id = next_subscription_++;
  loop_.Post([this, id, topic, on_message = std::move(on_message)]() mutable {
    subscriptions_.emplace(id, std::make_pair(topic, std::move(on_message)));
    const auto& local = options_.local_topics;
    if (std::find(local.begin(), local.end(), topic) != local.end()) return;
    core_.Subscribe(topic).IgnoreError();  // checked above
    Wake();
  });
  return id;
}

void PubsubNode::Unsubscribe(uint64_t subscription) {
  loop_.Post([this, subscription] {
    auto it = subscriptions_.find(subscription);
    if (it == subscriptions_.end()) return;
    const std::string topic = it->second.first;
    subscriptions_.erase(it);
    for (const auto& [id, entry] : subscriptions_) {
      if (entry.first == topic) return;  // someone else here still wants it
    }
    core_.Unsubscribe(topic, loop_.clock().Now());
    Drain();
  });
}

absl::StatusOr<MessageId> PubsubNode::Publish(const std::string& topic, std::string payload) {
  if (absl::Status valid = CheckTopic(topic); !valid.ok()) return valid;
  if (payload.size() > kMaxPayloadBytes) {
    return absl::InvalidArgumentError(absl::StrCat("a message is at most ", kMaxPayloadBytes,
                                                   " bytes; this one is ", payload.size()));
  }
  // Signed here, on the caller's thread: the loop only routes.
  GossipMessage message = SignMessage(identity_, next_sequence_++, topic, std::move(payload));
  const MessageId id = message.id();
  PublishSigned(std::move(message));
  return id;
}

void PubsubNode::PublishSigned(GossipMessage message) {
  loop_.Post([this, message = std::move(message)]() mutable {
    core_.Publish(std::move(message), loop_.clock().Now()).IgnoreError();  // ours: valid
    Drain();
  });
}

void PubsubNode::SetValidator(const std::string& topic, Validator validator) {
  loop_.Post([this, topic, validator = std::move(validator)]() mutable {
    core_.SetValidator(topic, std::move(validator));
  });
}

void PubsubNode::SendDirect(const Contact& to, GossipMessage message) {
  loop_.Post([this, to, message = std::move(message)]() mutable {
    contacts_.try_emplace(to.id, to);
    core_.SendDirect(to.id, std::move(message));
    Drain();
  });
}

void PubsubNode::SendDirect(const NodeId& to, GossipMessage message) {
  loop_.Post([this, to, message = std::move(message)]() mutable {
    core_.SendDirect(to, std::move(message));
    Drain();
  });
}

void PubsubNode::DeliverLocally(GossipMessage message) {
  loop_.Post([this, message = std::move(message)] { HandToSubscribers(message, std::nullopt); });
}

void PubsubNode::HandToSubscribers(const GossipMessage& message, const std::optional<NodeId>& via) {
  for (const auto& [id, entry] : subscriptions_) {
    if (entry.first == message.topic) entry.second(message, via);
  }
}

void PubsubNode::OnFrame(const Contact& from, Frame frame) {
  loop_.Post([this, from, frame = std::move(frame)]() mutable {
    const absl::Time now = loop_.clock().Now();
    auto ignored = ignored_until_.find(from.id);
    if (ignored != ignored_until_.end()) {
      if (ignored->second > now) {
        absl::MutexLock lock(&mu_);
        ++stats_.dropped_ignored;
        return;
      }
      ignored_until_.erase(ignored);
    }
    if (!from.address.empty()) contacts_.insert_or_assign(from.id, from);
    if (core_.OnFrame(from.id, std::move(frame), now) == Plumtree::Verdict::kMisbehaved) {
      ignored_until_[from.id] = now + options_.penalty;
      core_.OnSendFailed(from.id, now);  // out of every mesh
    }
    Drain();
  });
}

void PubsubNode::Drain() {
  const absl::Time now = loop_.clock().Now();
  for (Plumtree::Outgoing& out : core_.TakeOutgoing()) {
    auto contact = contacts_.find(out.to);
    const bool direct = out.frame.kind == Frame::Kind::kDirect;
    Waiting& waiting = in_flight_[out.to];
    size_t& count = direct ? waiting.direct : waiting.mesh;
    if (contact == contacts_.end() || count >= (direct ? options_.max_direct_in_flight_per_peer
                                                       : options_.max_in_flight_per_peer)) {
      absl::MutexLock lock(&mu_);
      ++stats_.dropped_queue_full;
      continue;
    }
    ++count;
    const NodeId to = out.to;
    // The completion may come after this node is gone: it touches only the loop (which
    // outlives the node) until it has checked `alive` on the loop.
    sender_.Send(contact->second, std::move(out.frame),
                 [this, &loop = loop_, alive = alive_, to, direct](absl::Status status) {
                   loop.Post([this, alive, to, direct, status] {
                     if (!*alive) return;
                     auto it = in_flight_.find(to);
                     if (it != in_flight_.end()) {
                       --(direct ? it->second.direct : it->second.mesh);
                       if (it->second.mesh == 0 && it->second.direct == 0) in_flight_.erase(it);
                     }
                     if (status.ok()) return;
                     {
                       absl::MutexLock lock(&mu_);
                       ++stats_.send_failures;
                     }
                     core_.OnSendFailed(to, loop_.clock().Now());
                     Drain();
                   });
                 });
  }
  for (const Delivery& delivery : core_.TakeDeliveries()) {
    HandToSubscribers(delivery.message, delivery.via);
  }
  for (const Delivery& direct : core_.TakeDirect()) {
    if (on_direct_) on_direct_(direct.message, *direct.via);
  }
  {
    absl::MutexLock lock(&mu_);
    stats_.mesh = core_.stats();
  }
  const absl::Time wake = core_.NextWake();
  if (wake < wake_at_) {
    loop_.Cancel(wake_);
    wake_at_ = wake;
    wake_ = loop_.RunAt(std::max(wake, now), [this] { Wake(); });
  }
}

PubsubStats PubsubNode::stats() const {
  absl::MutexLock lock(&mu_);
  return stats_;
}

}  // namespace swarmkv
