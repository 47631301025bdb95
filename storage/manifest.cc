#include "storage/manifest.h"

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "crypto/varint.h"

namespace swarmkv {
namespace {

constexpr absl::string_view kMagic = "SKVM";
constexpr uint8_t kVersion = 1;
// A link is at least a CID (2 + 2 + 32 bytes) plus its length and size varints.
constexpr size_t kMinLinkBytes = 38;

absl::Status Malformed(absl::string_view what) {
  return absl::DataLossError(absl::StrCat("manifest is malformed: ", what));
}

}  // namespace

absl::string_view ContentModeName(ContentMode mode) {
  switch (mode) {
    case ContentMode::kPlain:
      return "plain";
    case ContentMode::kRandom:
      return "random";
    case ContentMode::kConvergent:
      return "convergent";
  }
  return "unknown";
}

absl::StatusOr<ContentMode> ParseContentMode(absl::string_view name) {
  if (name == "plain") return ContentMode::kPlain;
  if (name == "random") return ContentMode::kRandom;
  if (name == "convergent") return ContentMode::kConvergent;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown encryption mode \"", name, "\"; use random, convergent or plain"));
}

std::string EncodeManifestClearPart(const ManifestNode& node) {
  if (node.links.size() > kMaxManifestLinks) std::abort();
  std::string out(kMagic.data(), kMagic.size());
  out.push_back(static_cast<char>(kVersion));
  out.push_back(static_cast<char>(node.mode));
  AppendVarint(node.chunk_size, &out);
  AppendVarint(node.total_size, &out);
  AppendVarint(node.links.size(), &out);
  for (const ManifestLink& link : node.links) {
    const std::string cid = link.cid.ToBytes();
    AppendVarint(cid.size(), &out);
    out += cid;
    AppendVarint(link.size, &out);
  }
  return out;
}

void AppendManifestSealedKeys(absl::string_view sealed_keys, std::string* clear_part) {
  AppendVarint(sealed_keys.size(), clear_part);
  clear_part->append(sealed_keys.data(), sealed_keys.size());
}

absl::StatusOr<DecodedManifest> DecodeManifest(absl::string_view block) {
  absl::string_view in = block;
  if (in.size() < kMagic.size() + 2 || in.substr(0, kMagic.size()) != kMagic) {
    return Malformed("bad magic");
  }
  in.remove_prefix(kMagic.size());
  if (static_cast<uint8_t>(in[0]) != kVersion) {
    return Malformed(absl::StrCat("unknown version ", static_cast<int>(in[0])));
  }
  const uint8_t mode = static_cast<uint8_t>(in[1]);
  if (mode > static_cast<uint8_t>(ContentMode::kConvergent)) {
    return Malformed(absl::StrCat("unknown mode ", static_cast<int>(mode)));
  }
  in.remove_prefix(2);
  DecodedManifest out;
  out.node.mode = static_cast<ContentMode>(mode);
  auto varint = [&in](absl::string_view what) -> absl::StatusOr<uint64_t> {
    auto v = ReadVarint(&in, what);
    if (!v.ok()) return Malformed(v.status().message());
    return *v;
  };
  SWARMKV_ASSIGN_OR_RETURN(uint64_t chunk_size, varint("chunk size"));
  if (chunk_size == 0 || chunk_size > (1u << 20)) return Malformed("chunk size out of range");
  out.node.chunk_size = static_cast<uint32_t>(chunk_size);
  SWARMKV_ASSIGN_OR_RETURN(out.node.total_size, varint("total size"));
  SWARMKV_ASSIGN_OR_RETURN(uint64_t count, varint("link count"));
  if (count == 0 || count > kMaxManifestLinks || count > in.size() / kMinLinkBytes) {
    return Malformed(absl::StrCat("impossible link count ", count));
  }
  out.node.links.reserve(count);
  uint64_t sum = 0;
  for (uint64_t i = 0; i < count; ++i) {
    SWARMKV_ASSIGN_OR_RETURN(uint64_t cid_len, varint("link CID length"));
    if (cid_len > in.size()) return Malformed("link CID is truncated");
    auto cid = Cid::FromBytes(in.substr(0, cid_len));
    if (!cid.ok()) return Malformed(cid.status().message());
    in.remove_prefix(cid_len);
    SWARMKV_ASSIGN_OR_RETURN(uint64_t size, varint("link size"));
    if (size > out.node.total_size - sum) return Malformed("link sizes exceed the total size");
    sum += size;
    out.node.links.push_back(ManifestLink{*cid, size});
  }
  if (sum != out.node.total_size) return Malformed("link sizes do not add up to the total size");
  out.clear_part_size = block.size() - in.size();
  SWARMKV_ASSIGN_OR_RETURN(uint64_t sealed_len, varint("sealed keys length"));
  if (sealed_len != in.size()) return Malformed("sealed keys length does not match the block");
  const bool encrypted = out.node.mode != ContentMode::kPlain;
  if (encrypted != (sealed_len > 0)) {
    return Malformed(encrypted ? "encrypted manifest without keys" : "plain manifest with keys");
  }
  out.node.sealed_keys = std::string(in);
  return out;
}

}  // namespace swarmkv
