// Query kinds: what a broadcast query can ask (docs/pubsub.md, "Queries"). Each kind lives in
// its own file under query_kinds/ and is registered by name in a QueryKinds registry, so a new
// kind is a new file and one line in BuiltinQueryKinds, never a new case in a switch.
//
// A kind reads the answering node's state through QuerySubject, which the daemon implements on
// its store and routing table and the simulator on a few in-memory facts.
//
// Thread safety: kinds and a registry that is no longer being filled are immutable and
// thread-safe; QuerySubject implementations must be thread-safe.
#ifndef SWARMKV_PUBSUB_QUERY_KIND_H_
#define SWARMKV_PUBSUB_QUERY_KIND_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "crypto/cid.h"

namespace swarmkv {

// A node's figures, as STATS reports them.
struct NodeFigures {
  std::string version;
  uint64_t blocks = 0;
  uint64_t stored_bytes = 0;
  uint64_t pinned_roots = 0;
  uint64_t peers = 0;
};

struct PinEntry {
  std::string name;
  Cid root;
};

// What a query may read of the node answering it.
class QuerySubject {
 public:
  virtual ~QuerySubject() = default;
  // Whether the block is in this node's store (pinned or not).
  virtual absl::StatusOr<bool> HasBlock(const Cid& cid) const = 0;
  virtual absl::StatusOr<bool> IsPinned(const Cid& cid) const = 0;
  // Pins whose names start with `prefix`, at most `limit` of them.
  virtual absl::StatusOr<std::vector<PinEntry>> Pins(absl::string_view prefix,
                                                     size_t limit) const = 0;
  virtual NodeFigures Figures() const = 0;
  // Names of the signed records held here whose key or name starts with `prefix`, at most
  // `limit` of them.
  virtual absl::StatusOr<std::vector<std::string>> RecordNames(absl::string_view prefix,
                                                               size_t limit) const = 0;
};

class QueryKind {
 public:
  // An answer: the items a node sends back. None: this node stays silent.
  using Answer = std::optional<std::vector<std::string>>;

  virtual ~QueryKind() = default;
  // OK, or INVALID_ARGUMENT with a message for the person asking.
  virtual absl::Status CheckArgument(absl::string_view argument) const = 0;
  // This node's answer to a query whose argument passed CheckArgument.
  virtual absl::StatusOr<Answer> Evaluate(absl::string_view argument,
                                          const QuerySubject& subject) const = 0;
};

class QueryKinds {
 public:
  // Names are upper case ("HAS"); Find takes any case.
  void Register(std::string name, std::unique_ptr<QueryKind> kind);
  const QueryKind* Find(absl::string_view name) const;
  std::vector<std::string> names() const;

 private:
  std::map<std::string, std::unique_ptr<QueryKind>, std::less<>> kinds_;
};

// The kinds every node knows: HAS, STATS, PINS (query_kinds/*.cc).
const QueryKinds& BuiltinQueryKinds();

}  // namespace swarmkv

#endif  // SWARMKV_PUBSUB_QUERY_KIND_H_
