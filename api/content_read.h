// Reading content for the API: what Get (streamed) and Read (one message) share, and Read itself.
#ifndef SWARMKV_API_CONTENT_READ_H_
#define SWARMKV_API_CONTENT_READ_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "api/service_context.h"
#include "storage/block_store.h"
#include "storage/content_reader.h"
#include "swarmkv/v1/node.pb.h"

namespace swarmkv {

// Content up to this size may be served from the gRPC thread when all its blocks are in memory:
// decrypting and hashing it costs microseconds.
inline constexpr uint64_t kInlineReadBytes = 64 * 1024;
// The most one Read answers (node.proto): well under gRPC's default 4 MiB message limit.
inline constexpr uint64_t kMaxReadBytes = 1u << 20;

// The store's blocks that are in memory; UNAVAILABLE for any other.
class InMemoryBlocks final : public BlockSource {
 public:
  explicit InMemoryBlocks(const BlockStore& store) : store_(store) {}
  absl::StatusOr<std::string> Get(const Cid& cid) const override { return store_.GetCached(cid); }

 private:
  const BlockStore& store_;
};

// The byte range a Get or Read request asks for.
ByteRange RangeOf(const v1::GetRequest& request);

// Read, answered from the blocks in memory when the range is at most kInlineReadBytes; false
// (nothing filled) when it cannot, including on any error, which ReadFromSwarm then reports.
bool ReadFromMemory(const BlockStore& store, const v1::GetRequest& request,
                    v1::ReadResponse* response);

// Read, from the store and then (unless local_only) the swarm. Blocks; for the pool.
absl::Status ReadFromSwarm(ServiceContext& context, const v1::GetRequest& request,
                           v1::ReadResponse* response);

}  // namespace swarmkv

#endif  // SWARMKV_API_CONTENT_READ_H_
