// BlockSource: where verified blocks are read from. The BlockStore is one; the node's
// network-backed source (replication/) is another, which asks the swarm for blocks this store
// lacks. Content readers and manifest walks take a BlockSource, so the same code reads local and
// remote content.
#ifndef SWARMKV_STORAGE_BLOCK_SOURCE_H_
#define SWARMKV_STORAGE_BLOCK_SOURCE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "crypto/cid.h"

namespace swarmkv {

class BlockSource {
 public:
  virtual ~BlockSource() = default;
  // The block's bytes, verified against `cid`. NOT_FOUND when no one has it; DATA_LOSS when it
  // is damaged; UNAVAILABLE when it could not be asked for (a network source).
  virtual absl::StatusOr<std::string> Get(const Cid& cid) const = 0;
  // A hint: these blocks will be read next, in this order. A source that has to fetch them may
  // start now; ignoring it is always correct.
  virtual void WillRead(const std::vector<Cid>& /*cids*/) const {}
};

}  // namespace swarmkv

#endif  // SWARMKV_STORAGE_BLOCK_SOURCE_H_
