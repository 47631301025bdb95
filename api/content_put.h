// Storing content as Node.Put does, for every front end that takes content in: the gRPC Put and
// Write and the dashboard's upload (gateway/). One place decides what "stored" means.
#ifndef SWARMKV_API_CONTENT_PUT_H_
#define SWARMKV_API_CONTENT_PUT_H_

#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"
#include "api/service_context.h"
#include "storage/content_writer.h"
#include "swarmkv/v1/node.pb.h"

namespace swarmkv {

// A writer for the content a Put or Write header describes (mode, chunk size, pin and name);
// INVALID_ARGUMENT for an unknown mode or a chunk size out of range.
absl::StatusOr<std::unique_ptr<ContentWriter>> CreateContentWriter(ServiceContext& context,
                                                                   const v1::PutHeader& header);

struct PlacedContent {
  ContentInfo info;
  // Nodes holding every block, this one included.
  uint32_t replicas = 1;
};

// Finishes `writer` (its blocks kept from garbage collection and hand-off meanwhile) and, with a
// swarm, sends the content's blocks to the R closest nodes, announces it when `pinned`, and
// checks the write quorum: UNAVAILABLE below it (the content stays stored here and maintenance
// keeps placing it).
absl::StatusOr<PlacedContent> FinishAndPlace(ServiceContext& context, ContentWriter& writer,
                                             bool pinned);

// The Put answer for content placed: CID, key, capability, size, chunks, replicas.
void FillPutResponse(const PlacedContent& placed, v1::PutResponse* response);

}  // namespace swarmkv

#endif  // SWARMKV_API_CONTENT_PUT_H_
