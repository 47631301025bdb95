// The Swarm's lookups: joining, finding the closest nodes, fetching blocks. Each operation is a
// small state machine on the loop (see swarm.h), held by the callbacks of its own requests.
#include <algorithm>
#include <atomic>
#include <memory>
#include <optional>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "base/logging.h"
#include "replication/internal/swarm_helpers.h"
#include "replication/swarm.h"

namespace swarmkv {

using swarm_internal::LookupDriver;
using swarm_internal::OnLoop;
using swarm_internal::OnLoopStatus;
using swarm_internal::PeerUnreachable;
using swarm_internal::WithoutSelf;

void Swarm::BootstrapAsync(std::vector<BootstrapEntry> entries, Done<size_t> done) {
  loop_.Post([this, entries = std::move(entries), done = std::move(done)] {
    struct Join {
      size_t waiting;
      size_t answered = 0;
      Done<size_t> done;
    };
    auto join = std::make_shared<Join>(Join{entries.size(), 0, done});
    // Once every entry has answered or failed: a self-lookup fills the table.
    auto one_done = [this, join](const std::string& address, absl::StatusOr<NodeId> id) {
      if (id.ok()) {
        ++join->answered;
        Learn(Contact{*id, address, clock_.Now()});
      } else {
        LogEvent(LogLevel::kWarn, "swarm.bootstrap_failed",
                 {{"address", address}, {"status", id.status()}});
      }
      if (--join->waiting > 0) return;
      // Every entry has answered or failed: calls waiting for a peer go on (or fail) now.
      EndJoin();
      if (join->answered == 0) return join->done(0);
      FindClosestAsync(KeyOf(self_), [join](std::vector<Contact>) { join->done(join->answered); });
    };
    if (entries.empty()) return done(0);
    {
      absl::MutexLock lock(&mu_);
      if (table_.size() == 0) joining_ = true;
    }
    for (const BootstrapEntry& entry : entries) {
      const std::string address = entry.address;
      if (entry.id.has_value()) {
        const NodeId id = *entry.id;
        transport_.Ping(Contact{id, address, clock_.Now()},
                        OnLoopStatus(loop_, [one_done, address, id](absl::Status status) {
                          if (status.ok()) {
                            one_done(address, id);
                          } else {
                            one_done(address, status);
                          }
                        }));
      } else {
        transport_.Introduce(address,
                             OnLoop<NodeId>(loop_, [one_done, address](absl::StatusOr<NodeId> id) {
                               one_done(address, std::move(id));
                             }));
      }
    }
  });
}

void Swarm::ReviveDormant(Done<size_t> done) {
  std::vector<Contact> asked;
  {
    absl::MutexLock lock(&mu_);
    const absl::Time now = clock_.Now();
    for (auto it = dormant_.begin(); it != dormant_.end();) {
      if (now - it->second.since > options_.dormant_ttl) {
        dormant_.erase(it++);
      } else {
        asked.push_back(it->second.contact);
        ++it;
      }
    }
  }
  if (asked.empty()) return done(0);
  // In the order of ids, not of the hash map, so a simulated run replays exactly.
  std::sort(asked.begin(), asked.end(),
            [](const Contact& a, const Contact& b) { return a.id < b.id; });
  struct Count {
    size_t pending;
    size_t revived = 0;
    Done<size_t> done;
  };
  auto count = std::make_shared<Count>(Count{asked.size(), 0, std::move(done)});
  for (const Contact& contact : asked) {
    transport_.Ping(contact, OnLoopStatus(loop_, [this, count, contact](absl::Status status) {
                      if (status.ok()) {
                        Learn(contact);
                        ++count->revived;
                      }
                      if (--count->pending == 0) count->done(count->revived);
                    }));
  }
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

void Swarm::RunFindNodeLookup(const DhtKey& target, const LookupOptions& options,
                              Done<std::vector<Contact>> done) {
  using Driver = LookupDriver<std::vector<Contact>>;
  Driver::Hooks hooks;
  // Replies go straight to the driver (a strand), on the thread that delivers them.
  hooks.send = [this, target](const Contact& to, Done<absl::StatusOr<std::vector<Contact>>> sent) {
    transport_.FindNode(to, target, std::move(sent));
  };
  hooks.on_reply = [this](Driver& driver, const Contact& from, Driver::Reply& reply, bool) {
    OnFindNodeReply(driver.lookup(), from, std::move(reply));
    return false;
  };
  hooks.done = [done = std::move(done)](Driver& driver) { done(driver.lookup().Result()); };
  Driver::Start(loop_, Lookup(target, ClosestKnown(target, options.k), options), options.timeout,
                std::move(hooks));
}

void Swarm::FindClosestAsync(const DhtKey& target, Done<std::vector<Contact>> done) {
  loop_.Post(
      [this, target, done = std::move(done)] { RunFindNodeLookup(target, options_.lookup, done); });
}

namespace {

// One Fetch: the hints one by one, then a FIND_VALUE lookup with its providers asked beside it.
struct FetchRun {
  FetchRun(Cid cid, std::vector<Contact> hints, Swarm::Done<FetchOutcome> done)
      : cid(std::move(cid)), hints(std::move(hints)), done(std::move(done)) {}
  Cid cid;
  std::vector<Contact> hints;
  Swarm::Done<FetchOutcome> done;
  size_t next_hint = 0;
  // Counted as queries leave, outside the lookup's mutex.
  std::atomic<size_t> asked{0};
  bool answered = false;
  std::optional<std::string> found;
  std::optional<Contact> served_by;
  absl::flat_hash_set<NodeId> providers_asked;
  bool waited_for_join = false;
};

}  // namespace

void Swarm::FetchAsync(const Cid& cid, std::vector<Contact> hints, Done<FetchOutcome> done) {
  auto run = std::make_shared<FetchRun>(cid, std::move(hints), std::move(done));
  // `ask_hints` calls itself from each answer to ask the next hint. It holds itself weakly, and
  // each request in flight strongly, so it lives exactly as long as it can still be called.
  auto ask_hints = std::make_shared<std::function<void()>>();
  *ask_hints = [this, run, weak = std::weak_ptr<std::function<void()>>(ask_hints)] {
    auto ask_hints = weak.lock();
    // Peers that served this content's other blocks probably hold this one too: one hop.
    if (run->next_hint < run->hints.size()) {
      const Contact hint = run->hints[run->next_hint++];
      ++run->asked;
      transport_.FindValue(
          hint, run->cid,
          OnLoop<FindValueResult>(
              loop_, [this, run, ask_hints, hint](absl::StatusOr<FindValueResult> reply) {
                // The caller's hints are left as they are (a liar among them is penalized).
                run->found = OnFindValueReply(run->cid, hint, reply, nullptr, &run->answered);
                if (run->found.has_value()) {
                  return run->done(FetchOutcome{*std::move(run->found), std::move(run->hints)});
                }
                (*ask_hints)();
              }));
      return;
    }
    const DhtKey key = run->cid.DhtKey();
    const std::vector<Contact> seeds = ClosestKnown(key, options_.lookup.k);
    if (seeds.empty() && run->asked == 0) {
      // A node joining its swarm asks once it knows a peer.
      if (!run->waited_for_join) {
        run->waited_for_join = true;
        if (WaitForJoin([ask_hints] { (*ask_hints)(); })) return;
      }
      if (Alone()) {
        // A single node, not meant to be in a swarm: its store is all there is.
        return run->done(FetchOutcome{
            absl::NotFoundError(absl::StrCat("block ", run->cid.ToString(),
                                             " is not in this store (this node has no peers)")),
            std::move(run->hints)});
      }
      return run->done(FetchOutcome{
          absl::UnavailableError(absl::StrCat("block ", run->cid.ToString(),
                                              " is not here and this node knows no peers "
                                              "(check the bootstrap list)")),
          std::move(run->hints)});
    }
    using Driver = LookupDriver<FindValueResult>;
    Driver::Hooks hooks;
    hooks.send = [this, run](const Contact& to, Done<absl::StatusOr<FindValueResult>> sent) {
      ++run->asked;
      transport_.FindValue(to, run->cid, std::move(sent));
    };
    hooks.on_reply = [this, run](Driver& driver, const Contact& from, Driver::Reply& reply,
                                 bool is_provider_query) {
      run->found = OnFindValueReply(run->cid, from, reply, nullptr, &run->answered);
      if (run->found.has_value()) {
        run->served_by = from;
        return true;
      }
      if (is_provider_query) return false;
      if (!reply.ok()) {
        driver.lookup().OnFailure(from.id);
        return false;
      }
      // Providers are asked directly, once each, beside the lookup.
      for (const Contact& p : reply->providers) {
        if (p.id == self_ || !run->providers_asked.insert(p.id).second) continue;
        driver.Extra(p);
      }
      driver.lookup().OnResponse(from.id, WithoutSelf(std::move(reply->closer), self_));
      return false;
    };
    hooks.done = [run](Driver&) {
      if (run->found.has_value()) {
        if (run->served_by.has_value()) run->hints.push_back(*run->served_by);
        return run->done(FetchOutcome{*std::move(run->found), std::move(run->hints)});
      }
      if (!run->answered) {
        return run->done(FetchOutcome{
            absl::UnavailableError(absl::StrCat("no peer answered for block ", run->cid.ToString(),
                                                " (", run->asked.load(), " asked)")),
            std::move(run->hints)});
      }
      run->done(FetchOutcome{
          absl::NotFoundError(absl::StrCat("block ", run->cid.ToString(), " is on none of the ",
                                           run->asked.load(), " nodes asked")),
          std::move(run->hints)});
    };
    Driver::Start(loop_, Lookup(key, seeds, options_.lookup), options_.lookup.timeout,
                  std::move(hooks));
  };
  // Started on the caller's thread: the first hint's answer, or the lookup's (a strand), needs
  // no hop through the loop first.
  (*ask_hints)();
}

void Swarm::FetchManyAsync(std::vector<Cid> cids, std::vector<Contact> hints,
                           Done<FetchManyOutcome> done) {
  struct Many {
    std::vector<Cid> cids;
    FetchManyOutcome outcome;
    std::vector<bool> fetched;
    size_t waiting = 0;
    bool answered = false;
    Done<FetchManyOutcome> done;
  };
  auto many = std::make_shared<Many>();
  many->outcome.blocks.assign(cids.size(), absl::NotFoundError("not fetched yet"));
  many->fetched.assign(cids.size(), false);
  many->outcome.hints = std::move(hints);
  many->cids = std::move(cids);
  many->done = std::move(done);

  // The rest one by one, with lookups, each fetch handing its hints to the next (held weakly by
  // itself and strongly by the fetch in flight, like FetchAsync's hints).
  auto one_by_one = std::make_shared<std::function<void(size_t)>>();
  *one_by_one = [this, many,
                 weak = std::weak_ptr<std::function<void(size_t)>>(one_by_one)](size_t i) {
    auto one_by_one = weak.lock();
    while (i < many->cids.size() && many->fetched[i]) ++i;
    if (i == many->cids.size()) return many->done(std::move(many->outcome));
    FetchAsync(many->cids[i], many->outcome.hints, [many, one_by_one, i](FetchOutcome fetched) {
      many->outcome.blocks[i] = std::move(fetched.block);
      many->outcome.hints = std::move(fetched.hints);
      many->fetched[i] = true;
      (*one_by_one)(i + 1);
    });
  };

  loop_.Post([this, many, one_by_one] {
    // One parallel round: each block is asked of the node this one knows closest to its key
    // (where it is stored), or else of the first hint (where its siblings came from).
    std::vector<std::pair<size_t, Contact>> asks;
    for (size_t i = 0; i < many->cids.size(); ++i) {
      std::vector<Contact> closest = ClosestKnown(many->cids[i].DhtKey(), 1);
      if (closest.empty() && many->outcome.hints.empty()) continue;
      asks.emplace_back(i, closest.empty() ? many->outcome.hints.front() : closest.front());
    }
    many->waiting = asks.size();
    if (asks.empty()) return (*one_by_one)(0);
    for (const auto& [i, peer] : asks) {
      transport_.FindValue(
          peer, many->cids[i],
          OnLoop<FindValueResult>(loop_, [this, many, one_by_one, i = i,
                                          peer = peer](absl::StatusOr<FindValueResult> reply) {
            std::optional<std::string> block =
                OnFindValueReply(many->cids[i], peer, reply, &many->outcome.hints, &many->answered);
            if (block.has_value()) {
              many->outcome.blocks[i] = *std::move(block);
              many->fetched[i] = true;
            }
            if (--many->waiting == 0) (*one_by_one)(0);
          }));
    }
  });
}

}  // namespace swarmkv
