#include "api/content_read.h"

#include <algorithm>
#include <memory>

#include "api/targets.h"
#include "base/status_macros.h"
#include "replication/network_block_source.h"

namespace swarmkv {
namespace {

ByteRange ReadRangeOf(const v1::GetRequest& request) {
  ByteRange range = RangeOf(request);
  range.length = std::min(range.length, kMaxReadBytes);
  return range;
}

absl::Status ReadInto(ContentReader& reader, v1::ReadResponse* response) {
  SWARMKV_RETURN_IF_ERROR(reader.ReadRest(response->mutable_data()));
  response->set_total_size(reader.size());
  return absl::OkStatus();
}

}  // namespace

ByteRange RangeOf(const v1::GetRequest& request) {
  ByteRange range;
  range.offset = request.offset();
  if (request.has_length()) range.length = request.length();
  return range;
}

bool ReadFromMemory(const BlockStore& store, const v1::GetRequest& request,
                    v1::ReadResponse* response) {
  auto capability = ParseTarget(request.target(), request.key());
  if (!capability.ok()) return false;
  InMemoryBlocks memory(store);
  auto reader = ContentReader::Open(memory, *capability, ReadRangeOf(request));
  if (!reader.ok() || (*reader)->range_size() > kInlineReadBytes) return false;
  if (!ReadInto(**reader, response).ok()) {
    response->Clear();
    return false;
  }
  return true;
}

absl::Status ReadFromSwarm(ServiceContext& context, const v1::GetRequest& request,
                           v1::ReadResponse* response) {
  SWARMKV_ASSIGN_OR_RETURN(Capability capability, ParseTarget(request.target(), request.key()));
  NetworkBlockSource source(context.store, request.local_only() ? nullptr : context.swarm);
  SWARMKV_ASSIGN_OR_RETURN(std::unique_ptr<ContentReader> reader,
                           ContentReader::Open(source, capability, ReadRangeOf(request)));
  return ReadInto(*reader, response);
}

}  // namespace swarmkv
