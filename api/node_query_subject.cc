#include "api/node_query_subject.h"

#include "absl/strings/match.h"

namespace swarmkv {

absl::StatusOr<std::vector<PinEntry>> NodeQuerySubject::Pins(absl::string_view prefix,
                                                             size_t limit) const {
  absl::StatusOr<std::vector<PinnedRoot>> pins = store_.ListPins();
  if (!pins.ok()) return pins.status();
  std::vector<PinEntry> out;
  for (PinnedRoot& pin : *pins) {
    if (out.size() >= limit) break;
    if (absl::StartsWith(pin.name, prefix)) out.push_back(PinEntry{std::move(pin.name), pin.root});
  }
  return out;
}

NodeFigures NodeQuerySubject::Figures() const {
  const BlockStoreStats stats = store_.Stats();
  NodeFigures figures;
  figures.version = SWARMKV_VERSION;
  figures.blocks = stats.blocks;
  figures.stored_bytes = stats.stored_bytes;
  figures.pinned_roots = stats.pinned_roots;
  figures.peers = swarm_ != nullptr ? swarm_->Peers().size() : 0;
  return figures;
}

absl::StatusOr<std::vector<std::string>> NodeQuerySubject::RecordNames(absl::string_view prefix,
                                                                       size_t limit) const {
  if (records_ == nullptr) return std::vector<std::string>{};
  return records_->NamesHeld(prefix, limit);
}

}  // namespace swarmkv
