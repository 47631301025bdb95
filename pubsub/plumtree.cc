#include "pubsub/plumtree.h"

#include <algorithm>
#include <utility>

namespace swarmkv {

Plumtree::Plumtree(NodeId self, Random& rng, PlumtreeOptions options)
    : self_(self), rng_(rng), options_(options) {}

absl::Status Plumtree::Subscribe(absl::string_view topic) {
  if (absl::Status valid = CheckTopic(topic); !valid.ok()) return valid;
  topics_[std::string(topic)].subscribed = true;
  next_upkeep_ = absl::InfinitePast();  // find neighbours at the next tick
  return absl::OkStatus();
}

void Plumtree::Unsubscribe(absl::string_view topic, absl::Time now) {
  auto it = topics_.find(topic);
  if (it == topics_.end()) return;
  it->second.subscribed = false;
  if (Member(it->second, now)) return;  // still relaying for its own publishes
  for (const auto& [id, eager] : it->second.neighbours)
    Send(id, MakeFrame(Frame::Kind::kLeave, it->first));
  topics_.erase(it);
}

bool Plumtree::subscribed(absl::string_view topic) const {
  auto it = topics_.find(topic);
  return it != topics_.end() && it->second.subscribed;
}

std::vector<NodeId> Plumtree::Neighbours(absl::string_view topic, bool eager) const {
  std::vector<NodeId> out;
  auto it = topics_.find(topic);
  if (it == topics_.end()) return out;
  for (const auto& [id, is_eager] : it->second.neighbours) {
    if (is_eager == eager) out.push_back(id);
  }
  return out;
}

absl::Status Plumtree::Publish(GossipMessage message, absl::Time now) {
  if (absl::Status valid = VerifyMessage(message); !valid.ok()) return valid;
  ++stats_.published;
  Topic& topic = topics_[message.topic];
  if (!topic.subscribed) {
    topic.relay_until = std::max(topic.relay_until, now + options_.relay_ttl);
  }
  if (topic.neighbours.empty()) {
    // Nobody to send it to yet: it waits for the first neighbour (JOINs go out at the tick).
    if (topic.pending.size() >= options_.max_pending_publishes) topic.pending.pop_front();
    topic.pending.emplace_back(now + options_.pending_publish_ttl, message);
    next_upkeep_ = absl::InfinitePast();
  }
  Accept(std::move(message), nullptr, now);  // this node's own subscribers get it at once
  return absl::OkStatus();
}

void Plumtree::SetValidator(const std::string& topic, Validator validator) {
  validators_[topic] = std::move(validator);
}

void Plumtree::SendDirect(const NodeId& to, GossipMessage message) {
  Frame frame = MakeFrame(Frame::Kind::kDirect, message.topic);
  frame.message = std::move(message);
  Send(to, std::move(frame));
}

void Plumtree::SendGossip(const NodeId& to, const GossipMessage& message) {
  Frame frame = MakeFrame(Frame::Kind::kGossip, message.topic);
  frame.message = message;
  frame.message->hops = message.hops + (message.hops == 0 ? 1 : 0);
  Send(to, std::move(frame));
  ++stats_.forwarded;
}

void Plumtree::Accept(GossipMessage message, const NodeId* from, absl::Time now) {
  const MessageId id = message.id();
  seen_[id] = now + options_.seen_ttl;
  seen_order_.emplace_back(now + options_.seen_ttl, id);
  // Peers that announced it before it came: they have it, and are not announced to.
  std::deque<NodeId> announcers;
  if (auto missing = missing_.find(id); missing != missing_.end()) {
    announcers = std::move(missing->second.announcers);
    missing_.erase(missing);
  }
  Topic& topic = topics_[message.topic];
  // What this node sends on has crossed one more link.
  GossipMessage onward = message;
  if (from != nullptr) onward.hops = message.hops + 1;
  std::vector<NodeId> lazy;
  for (const auto& [peer, eager] : topic.neighbours) {
    if (from != nullptr && peer == *from) continue;
    if (eager) {
      SendGossip(peer, onward);
    } else {
      lazy.push_back(peer);
    }
  }
  const size_t announce = options_.lazy_fanout == 0 ? lazy.size() : options_.lazy_fanout;
  for (size_t n = 0; n < announce && !lazy.empty(); ++n) {
    const size_t pick = rng_.Uniform(lazy.size());
    announcements_[lazy[pick]][message.topic].push_back(id);
    lazy[pick] = lazy.back();
    lazy.pop_back();
  }
  cache_order_.emplace_back(now + options_.cache_ttl, id);
  cache_.emplace(id, std::move(onward));
  if (from != nullptr) NoteHolder(id, *from);
  for (const NodeId& announcer : announcers) NoteHolder(id, announcer);
  if (topic.subscribed) {
    ++stats_.delivered;
    deliveries_.push_back(Delivery{std::move(message),
                                   from != nullptr ? std::optional<NodeId>(*from) : std::nullopt});
  }
}

void Plumtree::NoteHolder(const MessageId& id, const NodeId& peer) {
  // Only for messages this node holds (and may announce): holders_ lives as long as cache_
  // does, so ids a peer merely announces, or that outlived the cache, never pile up.
  if (cache_.count(id) == 0) return;
  std::vector<NodeId>& holders = holders_[id];
  if (holders.size() < options_.max_degree &&
      std::find(holders.begin(), holders.end(), peer) == holders.end()) {
    holders.push_back(peer);
  }
}

void Plumtree::AddNeighbour(Topic& topic, const NodeId& id, absl::Time now) {
  if (id == self_) return;
  topic.neighbours.emplace(id, true);  // new links start eager; duplicates prune them
  topic.joining.erase(id);
  topic.refused_until.erase(id);
  // Messages published before there was anyone to send them to.
  while (!topic.pending.empty()) {
    SendGossip(id, topic.pending.front().second);
    topic.pending.pop_front();
  }
}

void Plumtree::OnJoin(const NodeId& from, const std::string& name, absl::Time now) {
  auto it = topics_.find(name);
  Frame reply = MakeFrame(Frame::Kind::kJoinReply, name);
  if (it != topics_.end() && Member(it->second, now) &&
      (it->second.neighbours.count(from) || it->second.neighbours.size() < options_.max_degree)) {
    AddNeighbour(it->second, from, now);
    reply.accepted = true;
  }
  Send(from, std::move(reply));
}

Plumtree::Verdict Plumtree::OnFrame(const NodeId& from, Frame frame, absl::Time now) {
  if (from == self_) return Verdict::kMisbehaved;
  if (frame.kind == Frame::Kind::kDirect) return OnDirect(from, std::move(frame));
  if (!CheckTopic(frame.topic).ok() || frame.ids.size() > kMaxIdsPerFrame) {
    ++stats_.dropped_invalid;
    return Verdict::kMisbehaved;
  }
  auto topic_it = topics_.find(frame.topic);
  const bool member = topic_it != topics_.end() && Member(topic_it->second, now);
  switch (frame.kind) {
    case Frame::Kind::kJoin:
      OnJoin(from, frame.topic, now);
      return Verdict::kOk;
    case Frame::Kind::kJoinReply:
      if (!member) return Verdict::kOk;
      if (!topic_it->second.joining.count(from)) return Verdict::kOk;  // not asked, or late
      if (frame.accepted && topic_it->second.neighbours.size() < options_.max_degree) {
        AddNeighbour(topic_it->second, from, now);
      } else {
        topic_it->second.joining.erase(from);
        topic_it->second.refused_until[from] = now + options_.refused_backoff;
      }
      return Verdict::kOk;
    case Frame::Kind::kLeave:
      if (topic_it != topics_.end()) topic_it->second.neighbours.erase(from);
      return Verdict::kOk;
    case Frame::Kind::kPrune:
      if (member) {
        auto link = topic_it->second.neighbours.find(from);
        if (link != topic_it->second.neighbours.end()) link->second = false;
      }
      return Verdict::kOk;
    case Frame::Kind::kGraft: {
      if (!member) return Verdict::kOk;
      Topic& topic = topic_it->second;
      auto link = topic.neighbours.find(from);
      if (link != topic.neighbours.end()) {
        link->second = true;
      } else if (topic.neighbours.size() < options_.max_degree) {
        AddNeighbour(topic, from, now);
      }
      for (const MessageId& id : frame.ids) {
        auto cached = cache_.find(id);
        if (cached != cache_.end() && cached->second.topic == frame.topic) {
          SendGossip(from, cached->second);
        }
      }
      return Verdict::kOk;
    }
    case Frame::Kind::kIHave: {
      if (!member) return Verdict::kOk;
      for (const MessageId& id : frame.ids) {
        NoteHolder(id, from);
        if (seen_.contains(id)) continue;
        auto [it, inserted] = missing_.try_emplace(id);
        if (inserted) {
          it->second.topic = frame.topic;
          it->second.deadline = now + options_.graft_timeout;
        }
        if (it->second.announcers.size() < options_.max_degree) {
          it->second.announcers.push_back(from);
        }
      }
      return Verdict::kOk;
    }
    case Frame::Kind::kDirect:
      return Verdict::kOk;  // handled above
    case Frame::Kind::kGossip: {
      if (!frame.message.has_value() || frame.message->topic != frame.topic) {
        ++stats_.dropped_invalid;
        return Verdict::kMisbehaved;
      }
      ++stats_.gossip_received;
      GossipMessage& message = *frame.message;
      if (!member) {
        ++stats_.dropped_not_member;
        return Verdict::kOk;
      }
      // Cheap before costly: a duplicate is known by its id, before its signature is checked.
      if (message.origin_key.size() == 32 && seen_.contains(message.id())) {
        ++stats_.duplicates;
        NoteHolder(message.id(), from);
        auto link = topic_it->second.neighbours.find(from);
        if (link != topic_it->second.neighbours.end() && link->second) {
          link->second = false;
          Send(from, MakeFrame(Frame::Kind::kPrune, frame.topic));
          ++stats_.prunes_sent;
        }
        return Verdict::kOk;
      }
      if (!VerifyMessage(message).ok()) {
        ++stats_.dropped_invalid;
        return Verdict::kMisbehaved;
      }
      if (auto validator = validators_.find(frame.topic); validator != validators_.end()) {
        const Validation verdict = validator->second(message, now);
        if (verdict != Validation::kAccept) {
          // Remembered as seen, so its copies and announcements are not weighed again.
          seen_[message.id()] = now + options_.seen_ttl;
          seen_order_.emplace_back(now + options_.seen_ttl, message.id());
          missing_.erase(message.id());
          ++stats_.dropped_by_validator;
          return verdict == Validation::kReject ? Verdict::kMisbehaved : Verdict::kOk;
        }
      }
      // A message from someone not yet a neighbour makes it one when there is room: links are
      // symmetric, so it can prune or graft this one later.
      Topic& topic = topic_it->second;
      if (!topic.neighbours.count(from) && topic.neighbours.size() < options_.max_degree) {
        AddNeighbour(topic, from, now);
      }
      Accept(std::move(message), &from, now);
      return Verdict::kOk;
    }
  }
  return Verdict::kOk;
}

Plumtree::Verdict Plumtree::OnDirect(const NodeId& from, Frame frame) {
  if (!frame.message.has_value() || frame.message->topic != frame.topic ||
      !VerifyMessage(*frame.message).ok()) {
    ++stats_.dropped_invalid;
    return Verdict::kMisbehaved;
  }
  ++stats_.direct_received;
  direct_.push_back(Delivery{*std::move(frame.message), from});
  return Verdict::kOk;
}

void Plumtree::OnSendFailed(const NodeId& to, absl::Time now) {
  for (auto& [name, topic] : topics_) {
    topic.neighbours.erase(to);
    topic.joining.erase(to);
    topic.refused_until[to] = now + options_.unreachable_backoff;
  }
  announcements_.erase(to);
}

void Plumtree::FlushAnnouncements(absl::Time now) {
  for (auto& [peer, by_topic] : announcements_) {
    for (auto& [topic, ids] : by_topic) {
      // Not to a peer that has shown it has the message.
      ids.erase(std::remove_if(ids.begin(), ids.end(),
                               [&, &peer = peer](const MessageId& id) {
                                 auto holders = holders_.find(id);
                                 return holders != holders_.end() &&
                                        std::find(holders->second.begin(), holders->second.end(),
                                                  peer) != holders->second.end();
                               }),
                ids.end());
      for (size_t start = 0; start < ids.size(); start += kMaxIdsPerFrame) {
        Frame frame = MakeFrame(Frame::Kind::kIHave, topic);
        const size_t end = std::min(ids.size(), start + kMaxIdsPerFrame);
        frame.ids.assign(ids.begin() + start, ids.begin() + end);
        stats_.ihave_ids_sent += frame.ids.size();
        Send(peer, std::move(frame));
      }
    }
  }
  announcements_.clear();
  next_flush_ = now + options_.ihave_interval;
}

void Plumtree::GraftOverdue(absl::Time now) {
  for (auto it = missing_.begin(); it != missing_.end();) {
    Missing& missing = it->second;
    if (missing.deadline > now) {
      ++it;
      continue;
    }
    if (missing.announcers.empty()) {
      it = missing_.erase(it);  // nobody left to ask; a later IHAVE starts over
      continue;
    }
    const NodeId peer = missing.announcers.front();
    missing.announcers.pop_front();
    auto topic = topics_.find(missing.topic);
    if (topic != topics_.end()) {
      auto link = topic->second.neighbours.find(peer);
      if (link != topic->second.neighbours.end()) link->second = true;
    }
    Frame frame = MakeFrame(Frame::Kind::kGraft, missing.topic);
    frame.ids.push_back(it->first);
    Send(peer, std::move(frame));
    ++stats_.grafts_sent;
    missing.deadline = now + options_.graft_timeout / 2;
    ++it;
  }
}

void Plumtree::KeepMeshes(const std::vector<NodeId>& candidates, absl::Time now) {
  for (auto it = topics_.begin(); it != topics_.end();) {
    Topic& topic = it->second;
    if (!Member(topic, now) && topic.pending.empty()) {
      for (const auto& [id, eager] : topic.neighbours)
        Send(id, MakeFrame(Frame::Kind::kLeave, it->first));
      it = topics_.erase(it);
      continue;
    }
    for (auto j = topic.joining.begin(); j != topic.joining.end();) {
      j = j->second <= now ? topic.joining.erase(j) : std::next(j);
    }
    for (auto r = topic.refused_until.begin(); r != topic.refused_until.end();) {
      r = r->second <= now ? topic.refused_until.erase(r) : std::next(r);
    }
    while (!topic.pending.empty() && topic.pending.front().first <= now) {
      topic.pending.pop_front();  // nobody joined in time: dropped, like a publish with no peer
    }
    size_t wanted = topic.neighbours.size() + topic.joining.size() < options_.degree
                        ? options_.degree - topic.neighbours.size() - topic.joining.size()
                        : 0;
    std::vector<NodeId> choices;
    for (const NodeId& c : candidates) {
      if (c == self_ || topic.neighbours.count(c) || topic.joining.count(c) ||
          topic.refused_until.count(c)) {
        continue;
      }
      choices.push_back(c);
    }
    while (wanted > 0 && !choices.empty()) {
      const size_t pick = rng_.Uniform(choices.size());
      const NodeId id = choices[pick];
      choices[pick] = choices.back();
      choices.pop_back();
      topic.joining[id] = now + options_.join_timeout;
      Send(id, MakeFrame(Frame::Kind::kJoin, it->first));
      --wanted;
    }
    ++it;
  }
}

void Plumtree::Forget(absl::Time now) {
  while (!seen_order_.empty() && seen_order_.front().first <= now) {
    auto it = seen_.find(seen_order_.front().second);
    if (it != seen_.end() && it->second <= now) seen_.erase(it);
    seen_order_.pop_front();
  }
  while (!cache_order_.empty() && cache_order_.front().first <= now) {
    cache_.erase(cache_order_.front().second);
    holders_.erase(cache_order_.front().second);
    cache_order_.pop_front();
  }
}

void Plumtree::Tick(const std::vector<NodeId>& candidates, absl::Time now) {
  if (now >= next_flush_) FlushAnnouncements(now);
  GraftOverdue(now);
  if (now >= next_upkeep_) {
    KeepMeshes(candidates, now);
    Forget(now);
    next_upkeep_ = now + options_.upkeep_interval;
  }
}

absl::Time Plumtree::NextWake() const {
  absl::Time wake = next_upkeep_;
  if (!announcements_.empty()) wake = std::min(wake, next_flush_);
  for (const auto& [id, missing] : missing_) wake = std::min(wake, missing.deadline);
  return wake;
}

}  // namespace swarmkv
