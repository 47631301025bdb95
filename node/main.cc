// swarmkv: the command-line entry point.
#include <cstdio>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "base/logging.h"
#include "node/data_dir.h"
#include "node/local_commands.h"

int main(int argc, char** argv) {
  using namespace swarmkv;
  CLI::App app{"swarmkv: an encrypted, content-addressed peer-to-peer key-value node"};
  app.require_subcommand(1);
  std::string data_dir = DefaultDataDir();
  std::string log_level = "warn";
  app.add_option("--data-dir", data_dir, "Data directory (env SWARMKV_DATA_DIR)")
      ->capture_default_str();
  app.add_option("--log-level", log_level, "debug, info, warn, error or off")
      ->capture_default_str();

  absl::Status status;
  app.add_subcommand("init", "Create the data directory, identity and keys")->callback([&] {
    status = RunInit(data_dir);
  });
  app.add_subcommand("id", "Print this node's id")->callback([&] { status = RunId(data_dir); });

  PutFlags put;
  auto* put_cmd = app.add_subcommand("put", "Store a file (or stdin) and print its capability");
  put_cmd->add_option("input", put.input, "File to store, or - for stdin")->capture_default_str();
  put_cmd->add_option("--mode", put.mode, "Encryption: random, convergent or plain")
      ->capture_default_str();
  put_cmd->add_option("--hash", put.hash, "sha2-256 or blake2b-256")->capture_default_str();
  put_cmd->add_option("--chunk-size", put.chunk_size, "Bytes per chunk, at most 1048576")
      ->capture_default_str();
  put_cmd->add_option("--name", put.name, "Name recorded with the pin");
  put_cmd->add_flag("!--no-pin", put.pin, "Do not pin (garbage collection may remove it)");
  put_cmd->callback([&] { status = RunPut(data_dir, put); });

  GetFlags get;
  auto* get_cmd = app.add_subcommand("get", "Write content to stdout or a file");
  get_cmd->add_option("target", get.target, "CID or capability URI (swarmkv://<cid>#<key>)")
      ->required();
  get_cmd->add_option("-o,--output", get.output, "Output file, or - for stdout")
      ->capture_default_str();
  get_cmd->add_option("--offset", get.offset, "First byte to read");
  get_cmd->add_option("--length", get.length, "Bytes to read");
  get_cmd->callback([&] { status = RunGet(data_dir, get); });

  std::string target, name;
  auto* pin_cmd = app.add_subcommand("pin", "Pin content so garbage collection keeps it");
  pin_cmd->add_option("target", target, "CID or capability URI")->required();
  pin_cmd->add_option("--name", name, "Name recorded with the pin");
  pin_cmd->callback([&] { status = RunPin(data_dir, target, name); });
  auto* unpin_cmd = app.add_subcommand("unpin", "Release a pin");
  unpin_cmd->add_option("target", target, "CID or capability URI")->required();
  unpin_cmd->callback([&] { status = RunUnpin(data_dir, target); });
  app.add_subcommand("ls", "List pinned content")->callback([&] {
    status = RunListPins(data_dir);
  });
  uint64_t quota = 0;
  auto* gc_cmd = app.add_subcommand("gc", "Delete unpinned blocks while over a byte quota");
  gc_cmd
      ->add_option("--quota", quota, "Keep at most this many stored bytes (0: delete all unpinned)")
      ->capture_default_str();
  gc_cmd->callback([&] { status = RunGc(data_dir, quota == 0 ? 1 : quota); });

  app.parse_complete_callback([&] {
    absl::Status st = SetLogLevel(log_level);
    if (!st.ok()) throw CLI::ValidationError("--log-level", std::string(st.message()));
  });
  CLI11_PARSE(app, argc, argv);
  if (!status.ok()) {
    std::fprintf(stderr, "swarmkv: error: %s\n", std::string(status.message()).c_str());
    return 1;
  }
  return 0;
}
