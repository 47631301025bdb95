#include "storage/content_writer.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "crypto/aead.h"
#include "crypto/hash.h"
#include "storage/content_crypto.h"
#include "storage/content_pins.h"

namespace swarmkv {
namespace {

// Blocks are written without a WAL sync each; Finish() syncs once before it acknowledges the
// content, which makes every earlier block durable too (the WAL is one sequential log).
constexpr BlockStore::Durability kDeferred = BlockStore::Durability::kDeferred;

// Small values (the common case for a key-value store) are written in one batch with their pin.
// The limit bounds the memory a writer holds back: the API admits 256 concurrent calls.
constexpr size_t kMaxStagedBytes = 64 * 1024;

}  // namespace

absl::StatusOr<std::unique_ptr<ContentWriter>> ContentWriter::Create(BlockStore& store,
                                                                     ContentWriterOptions options) {
  if (options.chunk_size == 0 || options.chunk_size > kMaxChunkSize) {
    return absl::InvalidArgumentError(absl::StrCat("chunk size ", options.chunk_size,
                                                   " is out of range (1 to ", kMaxChunkSize, ")"));
  }
  if (options.fanout < 2 || options.fanout > kMaxManifestLinks) {
    return absl::InvalidArgumentError(absl::StrCat(
        "manifest fanout ", options.fanout, " is out of range (2 to ", kMaxManifestLinks, ")"));
  }
  if (options.mode == ContentMode::kConvergent &&
      (options.convergence_secret == nullptr || options.convergence_secret->size() != 32)) {
    return absl::InvalidArgumentError(
        "convergent mode needs the cluster's 32-byte convergence secret");
  }
  return std::unique_ptr<ContentWriter>(new ContentWriter(store, std::move(options)));
}

ContentWriter::ContentWriter(BlockStore& store, ContentWriterOptions options)
    : store_(store), options_(std::move(options)), session_(store.BeginWriteSession()) {
  buffer_.reserve(options_.chunk_size);
}

ContentWriter::~ContentWriter() = default;

SecretBytes ContentWriter::DeriveKey(absl::string_view domain, absl::string_view plaintext) const {
  if (options_.mode == ContentMode::kConvergent) {
    const Digest256 key = KeyedBlake2b256(*options_.convergence_secret, domain, plaintext);
    return SecretBytes(DigestView(key));
  }
  return SecretBytes::Random(kContentKeyBytes);
}

absl::Status ContentWriter::Write(absl::string_view data) {
  while (!data.empty()) {
    const size_t take = std::min(data.size(), options_.chunk_size - buffer_.size());
    buffer_.append(data.data(), take);
    data.remove_prefix(take);
    if (buffer_.size() == options_.chunk_size) SWARMKV_RETURN_IF_ERROR(FlushChunk());
  }
  return absl::OkStatus();
}

absl::StatusOr<Cid> ContentWriter::WriteBlock(Codec codec, absl::string_view data) {
  if (staging_ && staged_.bytes() + data.size() <= kMaxStagedBytes) {
    return store_.Stage(codec, data, options_.hash, &staged_);
  }
  if (staging_) {
    // Too big to hold back: write what is staged and go on block by block.
    staging_ = false;
    SWARMKV_RETURN_IF_ERROR(store_.CommitStaged(staged_, nullptr, kDeferred));
    staged_ = BlockStore::StagedBlocks();
  }
  return store_.Put(codec, data, options_.hash, kDeferred);
}

absl::Status ContentWriter::FlushChunk() {
  SecretBytes key;
  absl::StatusOr<Cid> cid;
  if (options_.mode == ContentMode::kPlain) {
    cid = WriteBlock(Codec::kRaw, buffer_);
  } else {
    key = DeriveKey(content_crypto::kChunkKeyDomain, buffer_);
    std::string block;
    block.reserve(buffer_.size() + kAeadTagBytes);
    SealWithSingleUseKey(key, buffer_, content_crypto::kChunkAd, &block);
    cid = WriteBlock(Codec::kRaw, block);
  }
  SWARMKV_RETURN_IF_ERROR(cid.status());
  Child child{*cid, buffer_.size(), std::move(key)};
  size_ += buffer_.size();
  ++chunks_;
  buffer_.clear();
  return AddChild(0, std::move(child));
}

absl::Status ContentWriter::AddChild(size_t level, Child child) {
  if (levels_.size() <= level) levels_.resize(level + 1);
  levels_[level].push_back(std::move(child));
  if (levels_[level].size() < options_.fanout) return absl::OkStatus();
  SWARMKV_ASSIGN_OR_RETURN(Child node, WriteNode(levels_[level]));
  levels_[level].clear();
  return AddChild(level + 1, std::move(node));
}

absl::StatusOr<ContentWriter::Child> ContentWriter::WriteNode(std::vector<Child>& children) {
  ManifestNode node;
  node.mode = options_.mode;
  node.chunk_size = static_cast<uint32_t>(options_.chunk_size);
  node.links.reserve(children.size());
  for (const Child& c : children) {
    node.links.push_back(ManifestLink{c.cid, c.size});
    node.total_size += c.size;
  }
  std::string block = EncodeManifestClearPart(node);
  SecretBytes node_key;
  if (options_.mode != ContentMode::kPlain) {
    SecretBytes keys(children.size() * kContentKeyBytes);
    for (size_t i = 0; i < children.size(); ++i) {
      std::copy(children[i].key.data(), children[i].key.data() + kContentKeyBytes,
                keys.data() + i * kContentKeyBytes);
    }
    // The convergent node key covers the clear part and the child keys: the same content gives
    // the same node, different content a different key.
    node_key = DeriveKey(content_crypto::kNodeKeyDomain, absl::StrCat(block, keys.view()));
    std::string sealed;
    SealWithSingleUseKey(node_key, keys.view(), block, &sealed);
    AppendManifestSealedKeys(sealed, &block);
  } else {
    AppendManifestSealedKeys("", &block);
  }
  SWARMKV_ASSIGN_OR_RETURN(Cid cid, WriteBlock(Codec::kManifest, block));
  return Child{cid, node.total_size, std::move(node_key)};
}

absl::StatusOr<ContentInfo> ContentWriter::Finish(absl::Time now,
                                                  BlockStore::Durability durability) {
  if (finished_) return absl::FailedPreconditionError("content writer already finished");
  finished_ = true;
  // Empty content is one empty chunk, so every content has a root.
  if (!buffer_.empty() || chunks_ == 0) SWARMKV_RETURN_IF_ERROR(FlushChunk());

  // Fold every partial level into the one above, lowest first, so order is kept.
  for (size_t level = 0; level + 1 < levels_.size(); ++level) {
    if (levels_[level].empty()) continue;
    SWARMKV_ASSIGN_OR_RETURN(Child node, WriteNode(levels_[level]));
    levels_[level].clear();
    levels_[level + 1].push_back(std::move(node));
  }
  std::vector<Child>& top = levels_.back();
  Child root{top.front().cid, 0, SecretBytes()};
  const bool single_child = top.size() == 1;
  if (single_child &&
      (top.front().cid.codec() == Codec::kManifest || options_.mode == ContentMode::kPlain)) {
    // A lone manifest is already the root. A lone plain chunk is the root too, so small public
    // content gets the same CID as in IPFS. Encrypted content always has a manifest root, so a
    // read without the key fails clearly instead of returning ciphertext.
    root = std::move(top.front());
  } else {
    SWARMKV_ASSIGN_OR_RETURN(root, WriteNode(top));
  }
  // One WAL sync makes every deferred block before it durable (the WAL is one sequential log),
  // shared with concurrent writers (group commit).
  if (staging_) {
    // The whole content is staged: its blocks and its pin are one write.
    BlockStore::PinOrder pin{root.cid, options_.pin_name, now};
    SWARMKV_RETURN_IF_ERROR(
        store_.CommitStaged(staged_, options_.pin ? &pin : nullptr, durability));
  } else if (options_.pin) {
    // Every block was written by this writer (or was already there) under session_.
    SWARMKV_RETURN_IF_ERROR(PinContent(store_, root.cid, options_.pin_name, now,
                                       BlockStore::Presence::kWrittenInOpenSession, durability));
  } else if (durability == BlockStore::Durability::kPerOptions) {
    SWARMKV_RETURN_IF_ERROR(store_.SyncWrites());
  }
  ContentInfo info{
      root.key.empty() ? Capability(root.cid) : Capability(root.cid, std::move(root.key)), size_,
      chunks_};
  return info;
}

}  // namespace swarmkv
