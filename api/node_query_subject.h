// NodeQuerySubject: what broadcast queries read of this node (pubsub/query_kind.h): its store,
// its pins and its routing table.
//
// Thread safety: thread-safe (the store and the swarm are).
#ifndef SWARMKV_API_NODE_QUERY_SUBJECT_H_
#define SWARMKV_API_NODE_QUERY_SUBJECT_H_

#include <vector>

#include "pubsub/query_kind.h"
#include "records/records.h"
#include "replication/swarm.h"
#include "storage/block_store.h"

namespace swarmkv {

class NodeQuerySubject final : public QuerySubject {
 public:
  // `swarm` is null when peer networking is off. Both must outlive this.
  // `records` is null when peer networking is off (records live in the swarm).
  NodeQuerySubject(const BlockStore& store, const Swarm* swarm, const Records* records)
      : store_(store), swarm_(swarm), records_(records) {}

  absl::StatusOr<bool> HasBlock(const Cid& cid) const override { return store_.Has(cid); }
  absl::StatusOr<bool> IsPinned(const Cid& cid) const override { return store_.IsPinned(cid); }
  absl::StatusOr<std::vector<PinEntry>> Pins(absl::string_view prefix, size_t limit) const override;
  NodeFigures Figures() const override;
  absl::StatusOr<std::vector<std::string>> RecordNames(absl::string_view prefix,
                                                       size_t limit) const override;

 private:
  const BlockStore& store_;
  const Swarm* const swarm_;
  const Records* const records_;
};

}  // namespace swarmkv

#endif  // SWARMKV_API_NODE_QUERY_SUBJECT_H_
