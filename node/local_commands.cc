#include "node/local_commands.h"

#include <cstdio>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "base/status_macros.h"
#include "crypto/capability.h"
#include "node/data_dir.h"
#include "storage/content_pins.h"
#include "storage/content_reader.h"
#include "storage/content_writer.h"

namespace swarmkv {
namespace {

// Owns a FILE* unless it is stdin/stdout.
struct File {
  FILE* f = nullptr;
  bool owned = false;
  ~File() {
    if (owned && f != nullptr) std::fclose(f);
  }
};

absl::StatusOr<std::unique_ptr<File>> OpenFile(const std::string& path, bool for_write) {
  auto file = std::make_unique<File>();
  if (path == "-") {
    file->f = for_write ? stdout : stdin;
    return file;
  }
  file->f = std::fopen(path.c_str(), for_write ? "wb" : "rb");
  if (file->f == nullptr) {
    return absl::NotFoundError(absl::StrCat("cannot open ", path, ": ", std::strerror(errno)));
  }
  file->owned = true;
  return file;
}

}  // namespace

absl::Status RunInit(const std::string& data_dir) {
  SWARMKV_ASSIGN_OR_RETURN(DataDir dir, DataDir::Open(data_dir));
  std::printf("initialized %s\nnode id %s\n", dir.path().c_str(),
              dir.identity().node_id().ToString().c_str());
  return absl::OkStatus();
}

absl::Status RunId(const std::string& data_dir) {
  SWARMKV_ASSIGN_OR_RETURN(DataDir dir, DataDir::Open(data_dir));
  std::printf("%s\n", dir.identity().node_id().ToString().c_str());
  return absl::OkStatus();
}

absl::Status RunPut(const std::string& data_dir, const PutFlags& flags) {
  ContentWriterOptions options;
  SWARMKV_ASSIGN_OR_RETURN(options.mode, ParseContentMode(flags.mode));
  SWARMKV_ASSIGN_OR_RETURN(options.hash, ParseHashFunction(flags.hash));
  options.chunk_size = flags.chunk_size;
  options.pin = flags.pin;
  options.pin_name = flags.name.empty() && flags.input != "-" ? flags.input : flags.name;
  SWARMKV_ASSIGN_OR_RETURN(std::unique_ptr<File> in, OpenFile(flags.input, false));
  SWARMKV_ASSIGN_OR_RETURN(DataDir dir, DataDir::Open(data_dir));
  options.convergence_secret = &dir.convergence_secret();
  SWARMKV_ASSIGN_OR_RETURN(std::unique_ptr<ContentWriter> writer,
                           ContentWriter::Create(dir.store(), options));
  std::string buffer(1u << 20, '\0');
  while (true) {
    const size_t n = std::fread(buffer.data(), 1, buffer.size(), in->f);
    if (n > 0) SWARMKV_RETURN_IF_ERROR(writer->Write(absl::string_view(buffer.data(), n)));
    if (n < buffer.size()) {
      if (std::ferror(in->f)) return absl::DataLossError("error reading the input");
      break;
    }
  }
  SWARMKV_ASSIGN_OR_RETURN(ContentInfo info, writer->Finish());
  std::fprintf(stderr, "stored %s bytes in %s chunks, mode %s%s\n", absl::StrCat(info.size).c_str(),
               absl::StrCat(info.chunks).c_str(), flags.mode.c_str(), flags.pin ? ", pinned" : "");
  std::printf("%s\n", info.capability.ToUri().c_str());
  return absl::OkStatus();
}

absl::Status RunGet(const std::string& data_dir, const GetFlags& flags) {
  SWARMKV_ASSIGN_OR_RETURN(Capability capability, Capability::Parse(flags.target));
  SWARMKV_ASSIGN_OR_RETURN(DataDir dir, DataDir::Open(data_dir));
  SWARMKV_ASSIGN_OR_RETURN(
      std::unique_ptr<ContentReader> reader,
      ContentReader::Open(dir.store(), capability, ByteRange{flags.offset, flags.length}));
  // Read the first piece before creating the output, so a failure leaves no empty file.
  std::string piece;
  SWARMKV_ASSIGN_OR_RETURN(bool more, reader->Next(&piece));
  SWARMKV_ASSIGN_OR_RETURN(std::unique_ptr<File> out, OpenFile(flags.output, true));
  while (more) {
    if (std::fwrite(piece.data(), 1, piece.size(), out->f) != piece.size()) {
      return absl::UnavailableError(absl::StrCat("cannot write ", flags.output));
    }
    SWARMKV_ASSIGN_OR_RETURN(more, reader->Next(&piece));
  }
  if (std::fflush(out->f) != 0) return absl::UnavailableError("cannot flush the output");
  return absl::OkStatus();
}

absl::Status RunPin(const std::string& data_dir, const std::string& target,
                    const std::string& name) {
  SWARMKV_ASSIGN_OR_RETURN(Capability capability, Capability::Parse(target));
  SWARMKV_ASSIGN_OR_RETURN(DataDir dir, DataDir::Open(data_dir));
  SWARMKV_RETURN_IF_ERROR(PinContent(dir.store(), capability.root(), name, absl::Now()));
  std::printf("pinned %s\n", capability.root().ToString().c_str());
  return absl::OkStatus();
}

absl::Status RunUnpin(const std::string& data_dir, const std::string& target) {
  SWARMKV_ASSIGN_OR_RETURN(Capability capability, Capability::Parse(target));
  SWARMKV_ASSIGN_OR_RETURN(DataDir dir, DataDir::Open(data_dir));
  SWARMKV_RETURN_IF_ERROR(UnpinContent(dir.store(), capability.root()));
  std::printf("unpinned %s\n", capability.root().ToString().c_str());
  return absl::OkStatus();
}

absl::Status RunListPins(const std::string& data_dir) {
  SWARMKV_ASSIGN_OR_RETURN(DataDir dir, DataDir::Open(data_dir));
  SWARMKV_ASSIGN_OR_RETURN(std::vector<PinnedRoot> pins, dir.store().ListPins());
  for (const PinnedRoot& pin : pins) {
    std::printf("%s  %s  %s\n", pin.root.ToString().c_str(),
                absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", pin.pinned_at, absl::UTCTimeZone()).c_str(),
                pin.name.c_str());
  }
  return absl::OkStatus();
}

absl::Status RunGc(const std::string& data_dir, uint64_t quota_bytes) {
  BlockStoreOptions options;
  options.quota_bytes = quota_bytes;
  SWARMKV_ASSIGN_OR_RETURN(DataDir dir, DataDir::Open(data_dir, options));
  SWARMKV_ASSIGN_OR_RETURN(GcResult gc, dir.store().CollectGarbage());
  const BlockStoreStats stats = dir.store().Stats();
  std::printf("deleted %s blocks (%s bytes); %s blocks, %s bytes stored\n",
              absl::StrCat(gc.blocks_deleted).c_str(), absl::StrCat(gc.bytes_freed).c_str(),
              absl::StrCat(stats.blocks).c_str(), absl::StrCat(stats.stored_bytes).c_str());
  return absl::OkStatus();
}

}  // namespace swarmkv
