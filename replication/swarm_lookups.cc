// The Swarm's lookups: joining, finding the closest nodes, fetching blocks.
#include <algorithm>
#include <memory>
#include <optional>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "base/logging.h"
#include "replication/internal/swarm_helpers.h"
#include "replication/reply_inbox.h"
#include "replication/swarm.h"

namespace swarmkv {

using swarm_internal::DriveLookup;
using swarm_internal::PeerUnreachable;
using swarm_internal::WithoutSelf;

size_t Swarm::Bootstrap(const std::vector<BootstrapEntry>& entries) {
  auto inbox = std::make_shared<ReplyInbox<NodeId>>();
  for (const BootstrapEntry& entry : entries) {
    Contact contact{entry.id.value_or(self_), entry.address, clock_.Now()};
    if (entry.id.has_value()) {
      const NodeId id = *entry.id;
      auto sink = ReplyInbox<NodeId>::Sink(inbox, contact);
      transport_.Ping(contact, [sink, id](absl::Status status) {
        if (status.ok()) {
          sink(id);
        } else {
          sink(std::move(status));
        }
      });
    } else {
      transport_.Introduce(entry.address, ReplyInbox<NodeId>::Sink(inbox, contact));
    }
  }
  size_t answered = 0;
  for (auto& reply : inbox->TakeAll(entries.size(), options_.lookup.timeout * 2)) {
    if (!reply.result.ok()) {
      LogEvent(LogLevel::kWarn, "swarm.bootstrap_failed",
               {{"address", reply.from.address}, {"status", reply.result.status()}});
      continue;
    }
    ++answered;
    Learn(Contact{*reply.result, reply.from.address, clock_.Now()});
  }
  if (answered > 0) FindClosest(KeyOf(self_));
  return answered;
}

void Swarm::OnFindNodeReply(Lookup& lookup, const Contact& from,
                            absl::StatusOr<std::vector<Contact>> result) {
  if (!result.ok()) {
    lookup.OnFailure(from.id);
    if (PeerUnreachable(result.status())) Forget(from.id);
    return;
  }
  Learn(from);
  lookup.OnResponse(from.id, WithoutSelf(*std::move(result), self_));
}

std::optional<std::string> Swarm::OnFindValueReply(const Cid& cid, const Contact& from,
                                                   absl::StatusOr<FindValueResult>& result,
                                                   std::vector<Contact>* hints, bool* answered) {
  if (!result.ok()) {
    if (PeerUnreachable(result.status())) Forget(from.id);
    return std::nullopt;
  }
  *answered = true;
  Learn(from);
  if (!result->block.has_value()) return std::nullopt;
  if (!cid.Matches(*result->block)) {
    Penalize(from.id, "FIND_VALUE answer not matching the CID");
    if (hints != nullptr) {
      hints->erase(std::remove_if(hints->begin(), hints->end(),
                                  [&](const Contact& c) { return c.id == from.id; }),
                   hints->end());
    }
    result = absl::DataLossError("bytes do not match the CID");
    return std::nullopt;
  }
  return std::move(*result->block);
}

std::vector<Contact> Swarm::FindClosest(const DhtKey& target) {
  Lookup lookup(target, ClosestKnown(target, options_.lookup.k), options_.lookup);
  DriveLookup<std::vector<Contact>>(
      lookup, clock_, options_.lookup.timeout * 2,
      [&](const Contact& to, Transport::Callback<std::vector<Contact>> done) {
        transport_.FindNode(to, target, std::move(done));
      },
      [&](ReplyInbox<std::vector<Contact>>::Reply& reply, auto&) {
        OnFindNodeReply(lookup, reply.from, std::move(reply.result));
        return false;
      });
  return lookup.Result();
}

absl::StatusOr<std::string> Swarm::Fetch(const Cid& cid, std::vector<Contact>* hints) {
  bool answered = false;
  size_t asked = 0;
  std::optional<std::string> found;
  std::optional<Contact> served_by;

  // Checks one FIND_VALUE reply; true when it carried the block.
  auto accept = [&](ReplyInbox<FindValueResult>::Reply& reply) {
    // The caller's hints are left as they are (a liar among them is penalized all the same).
    found = OnFindValueReply(cid, reply.from, reply.result, nullptr, &answered);
    if (found.has_value()) served_by = reply.from;
    return found.has_value();
  };

  // Peers that served this content's other blocks probably hold this one too: one hop.
  if (hints != nullptr) {
    for (const Contact& hint : *hints) {
      auto inbox = std::make_shared<ReplyInbox<FindValueResult>>();
      transport_.FindValue(hint, cid, ReplyInbox<FindValueResult>::Sink(inbox, hint));
      ++asked;
      auto replies = inbox->Take(options_.lookup.timeout * 2);
      if (!replies.empty() && accept(replies.front())) return *std::move(found);
    }
  }

  const DhtKey key = cid.DhtKey();
  const std::vector<Contact> seeds = ClosestKnown(key, options_.lookup.k);
  if (seeds.empty() && asked == 0 && Alone()) {
    // A single node, not meant to be in a swarm: its store is all there is.
    return absl::NotFoundError(
        absl::StrCat("block ", cid.ToString(), " is not in this store (this node has no peers)"));
  }
  if (seeds.empty() && asked == 0) {
    return absl::UnavailableError(absl::StrCat("block ", cid.ToString(),
                                               " is not here and this node knows no peers "
                                               "(check the bootstrap list)"));
  }
  Lookup lookup(key, seeds, options_.lookup);
  absl::flat_hash_set<NodeId> providers_asked;
  DriveLookup<FindValueResult>(
      lookup, clock_, options_.lookup.timeout * 2,
      [&](const Contact& to, Transport::Callback<FindValueResult> done) {
        ++asked;
        transport_.FindValue(to, cid, std::move(done));
      },
      [&](ReplyInbox<FindValueResult>::Reply& reply, auto& extra) {
        const bool is_provider_query = providers_asked.contains(reply.from.id);
        if (accept(reply)) return true;
        if (is_provider_query) return false;
        if (!reply.result.ok()) {
          lookup.OnFailure(reply.from.id);
          return false;
        }
        // Providers are asked directly, once each, beside the lookup.
        for (const Contact& p : reply.result->providers) {
          if (p.id == self_ || !providers_asked.insert(p.id).second) continue;
          extra(p);
        }
        lookup.OnResponse(reply.from.id, WithoutSelf(std::move(reply.result->closer), self_));
        return false;
      });
  if (found.has_value()) {
    if (hints != nullptr && served_by.has_value()) hints->push_back(*served_by);
    return *std::move(found);
  }
  if (!answered) {
    return absl::UnavailableError(
        absl::StrCat("no peer answered for block ", cid.ToString(), " (", asked, " asked)"));
  }
  return absl::NotFoundError(
      absl::StrCat("block ", cid.ToString(), " is on none of the ", asked, " nodes asked"));
}

std::vector<absl::StatusOr<std::string>> Swarm::FetchMany(const std::vector<Cid>& cids,
                                                          std::vector<Contact>* hints) {
  std::vector<absl::StatusOr<std::string>> out(cids.size(), absl::NotFoundError("not fetched yet"));
  std::vector<bool> done(cids.size(), false);
  // One parallel round: each block is asked of the node this one knows closest to its key
  // (where it is stored), or else of the first hint (where its siblings came from).
  auto inbox = std::make_shared<ReplyInbox<FindValueResult>>();
  size_t sent = 0;
  for (size_t i = 0; i < cids.size(); ++i) {
    std::vector<Contact> closest = ClosestKnown(cids[i].DhtKey(), 1);
    if (closest.empty() && hints->empty()) continue;
    const Contact peer = closest.empty() ? hints->front() : closest.front();
    transport_.FindValue(peer, cids[i], ReplyInbox<FindValueResult>::Sink(inbox, peer, i));
    ++sent;
  }
  bool answered = false;
  for (auto& reply : inbox->TakeAll(sent, options_.lookup.timeout * 2)) {
    const size_t i = reply.tag;
    std::optional<std::string> block =
        OnFindValueReply(cids[i], reply.from, reply.result, hints, &answered);
    if (!block.has_value()) continue;
    out[i] = *std::move(block);
    done[i] = true;
  }
  // The rest one by one, with lookups.
  for (size_t i = 0; i < cids.size(); ++i) {
    if (!done[i]) out[i] = Fetch(cids[i], hints);
  }
  return out;
}

}  // namespace swarmkv
