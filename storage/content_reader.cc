#include "storage/content_reader.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "crypto/aead.h"
#include "storage/content_crypto.h"
#include "storage/content_pins.h"

namespace swarmkv {
namespace {
// Chunks announced to the source at a time (BlockSource::WillRead).
constexpr size_t kReadAhead = 8;
}  // namespace

absl::StatusOr<std::unique_ptr<ContentReader>> ContentReader::Open(const BlockSource& store,
                                                                   const Capability& capability,
                                                                   ByteRange range) {
  std::unique_ptr<ContentReader> reader(new ContentReader(store, capability.root(), range));
  if (capability.root().codec() == Codec::kRaw) {
    // A lone raw block: plain content of at most one chunk.
    SWARMKV_ASSIGN_OR_RETURN(std::string block, store.Get(capability.root()));
    reader->size_ = block.size();
    reader->root_is_chunk_ = true;
  } else {
    const SecretBytes no_key;
    SWARMKV_RETURN_IF_ERROR(reader->PushNode(
        capability.root(), 0, capability.has_key() ? capability.key() : no_key, true));
  }
  if (range.offset > reader->size_) {
    return absl::InvalidArgumentError(absl::StrCat(
        "range starts at byte ", range.offset, " but the content is ", reader->size_, " bytes"));
  }
  reader->range_.length = std::min(range.length, reader->size_ - range.offset);
  return reader;
}

absl::Status ContentReader::PushNode(const Cid& cid, uint64_t expected_size, const SecretBytes& key,
                                     bool is_root) {
  if (stack_.size() >= static_cast<size_t>(kMaxManifestDepth)) {
    return absl::DataLossError(absl::StrCat("content ", root_.ToString(), " is deeper than ",
                                            kMaxManifestDepth, " levels"));
  }
  SWARMKV_ASSIGN_OR_RETURN(std::string block, store_.Get(cid));
  SWARMKV_ASSIGN_OR_RETURN(DecodedManifest decoded, DecodeManifest(block));
  ManifestNode& node = decoded.node;
  if (is_root) {
    mode_ = node.mode;
    size_ = node.total_size;
  } else if (node.mode != mode_ || node.total_size != expected_size) {
    return absl::DataLossError(
        absl::StrCat("manifest ", cid.ToString(), " does not match the link that points to it"));
  }
  Frame frame;
  frame.links = std::move(node.links);
  if (node.mode != ContentMode::kPlain) {
    if (key.empty()) {
      return absl::FailedPreconditionError(
          absl::StrCat("content ", cid.ToString(),
                       " is encrypted; read it with its capability URI (swarmkv://<cid>#<key>)"));
    }
    std::string keys;
    const absl::string_view ad(block.data(), decoded.clear_part_size);
    if (!OpenWithSingleUseKey(key, node.sealed_keys, ad, &keys)) {
      if (is_root) {
        return absl::PermissionDeniedError(
            absl::StrCat("the key in the capability does not open content ", cid.ToString()));
      }
      return absl::DataLossError(
          absl::StrCat("manifest ", cid.ToString(), " does not open under its parent's key"));
    }
    if (keys.size() != frame.links.size() * kContentKeyBytes) {
      return absl::DataLossError(
          absl::StrCat("manifest ", cid.ToString(), " has the wrong number of keys"));
    }
    frame.keys = SecretBytes(keys);
    std::fill(keys.begin(), keys.end(), '\0');
  }
  stack_.push_back(std::move(frame));
  return absl::OkStatus();
}

absl::StatusOr<std::string> ContentReader::ReadChunk(const ManifestLink& link,
                                                     const SecretBytes& key) const {
  SWARMKV_ASSIGN_OR_RETURN(std::string block, store_.Get(link.cid));
  std::string plain;
  if (mode_ == ContentMode::kPlain) {
    plain = std::move(block);
  } else if (!OpenWithSingleUseKey(key, block, content_crypto::kChunkAd, &plain)) {
    return absl::DataLossError(
        absl::StrCat("chunk ", link.cid.ToString(), " does not open under its manifest's key"));
  }
  if (plain.size() != link.size) {
    return absl::DataLossError(absl::StrCat("chunk ", link.cid.ToString(), " holds ", plain.size(),
                                            " bytes; its manifest says ", link.size));
  }
  return plain;
}

absl::StatusOr<bool> ContentReader::Next(std::string* piece) {
  const uint64_t begin = range_.offset;
  const uint64_t end = range_.offset + range_.length;
  if (done_ || range_.length == 0) return false;
  if (root_is_chunk_) {
    done_ = true;
    SWARMKV_ASSIGN_OR_RETURN(std::string block, store_.Get(root_));
    *piece = block.substr(begin, end - begin);
    return true;
  }
  while (!stack_.empty()) {
    Frame& frame = stack_.back();
    if (frame.next == frame.links.size() || position_ >= end) {
      stack_.pop_back();
      continue;
    }
    const size_t index = frame.next++;
    const ManifestLink link = frame.links[index];
    SecretBytes key;
    if (!frame.keys.empty()) {
      key = SecretBytes(frame.keys.view().substr(index * kContentKeyBytes, kContentKeyBytes));
    }
    const uint64_t link_begin = position_;
    const uint64_t link_end = position_ + link.size;
    if (link_end <= begin) {  // entirely before the range: skip without reading
      position_ = link_end;
      continue;
    }
    if (link.cid.codec() == Codec::kManifest) {
      SWARMKV_RETURN_IF_ERROR(PushNode(link.cid, link.size, key, false));
      continue;  // position_ stays at the node's start
    }
    if (index >= frame.hinted) {
      // Tell the source which chunks come next, so a network source can fetch them together.
      std::vector<Cid> upcoming;
      uint64_t at = link_begin;
      for (size_t i = index; i < frame.links.size() && upcoming.size() < kReadAhead && at < end;
           ++i) {
        if (frame.links[i].cid.codec() != Codec::kRaw) break;
        upcoming.push_back(frame.links[i].cid);
        at += frame.links[i].size;
      }
      frame.hinted = index + std::max<size_t>(upcoming.size(), 1);
      if (upcoming.size() > 1) store_.WillRead(upcoming);
    }
    SWARMKV_ASSIGN_OR_RETURN(std::string plain, ReadChunk(link, key));
    position_ = link_end;
    const uint64_t from = std::max(begin, link_begin) - link_begin;
    const uint64_t to = std::min(end, link_end) - link_begin;
    if (from == 0 && to == plain.size()) {
      *piece = std::move(plain);
    } else {
      *piece = plain.substr(from, to - from);
    }
    return true;
  }
  done_ = true;
  return false;
}

absl::Status ContentReader::ReadRest(std::string* out) {
  std::string piece;
  while (true) {
    absl::StatusOr<bool> more = Next(&piece);
    if (!more.ok()) return more.status();
    if (!*more) return absl::OkStatus();
    if (out->empty()) {
      out->swap(piece);  // the common case, one piece: no copy
    } else {
      out->append(piece);
    }
  }
}

}  // namespace swarmkv
