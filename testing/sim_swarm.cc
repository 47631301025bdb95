#include "testing/sim_swarm.h"

#include <cstdio>
#include <cstdlib>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "storage/content_pins.h"

namespace swarmkv::testing {
namespace {

SecretBytes SeededBytes(Random& rng, size_t n) { return SecretBytes(rng.Bytes(n)); }

}  // namespace

SimSwarm::SimSwarm(SimSwarmOptions options)
    : options_(std::move(options)),
      rng_(options_.seed),
      loop_(absl::FromUnixSeconds(1'700'000'000)),
      net_(loop_, rng_, options_.link),
      convergence_secret_(SeededBytes(rng_, 32)) {
  options_.swarm.lookup.timeout = options_.link.timeout;
}

SimSwarm::~SimSwarm() {
  // Nodes stop before the loop and the net they use go.
  for (size_t i = 0; i < nodes_.size(); ++i) {
    if (alive(i)) Kill(i);
  }
}

size_t SimSwarm::AddNode(const std::vector<size_t>& bootstrap_from) {
  auto node = std::make_unique<Node>(
      Node{Identity::FromSeed(SeededBytes(rng_, kIdentitySeedBytes)),
           // Private addresses, one /24 each: like a Compose network, and no eclipse limit applies.
           absl::StrCat("10.", nodes_.size() / 250, ".", nodes_.size() % 250, ".1:7420"),
           SeededBytes(rng_, 32),
           std::make_unique<SimDisk>(),
           {},
           nullptr,
           nullptr,
           nullptr,
           nullptr,
           nullptr});
  for (size_t from : bootstrap_from) {
    node->bootstrap.push_back(BootstrapEntry{std::nullopt, nodes_[from]->address});
  }
  nodes_.push_back(std::move(node));
  Start(*nodes_.back());
  return nodes_.size() - 1;
}

void SimSwarm::Start(Node& node) {
  BlockStoreOptions store_options;
  store_options.env = node.disk.get();
  auto store = BlockStore::Open("/sim/node", node.storage_key, store_options);
  if (!store.ok()) {
    // The in-memory disk cannot fail to open unless the store is broken: that is the finding.
    std::fprintf(stderr, "sim: node %s cannot open its store: %s\n", node.address.c_str(),
                 store.status().ToString().c_str());
    std::abort();
  }
  node.store = *std::move(store);
  node.scope = std::make_unique<ScopedEventLoop>(loop_);
  node.transport = net_.TransportFor(node.identity.node_id(), node.address);
  node.swarm = std::make_unique<Swarm>(node.identity.node_id(), *node.store, *node.transport,
                                       *node.scope, inline_, options_.swarm);
  node.swarm->Restore(!node.bootstrap.empty());
  net_.Listen(node.address, node.swarm.get());
  node.housekeeper =
      std::make_unique<Housekeeper>(*node.scope, inline_, *node.store, node.swarm.get(),
                                    node.bootstrap, options_.maintenance_interval);
  node.housekeeper->Start();
}

void SimSwarm::Kill(size_t index) {
  Node& node = *nodes_[index];
  if (node.swarm == nullptr) return;
  // Nothing of the node runs from here on: its tasks, then its calls' answers, then its
  // listener. Only then are its objects destroyed.
  node.scope->Close();
  node.transport.reset();
  net_.Listen(node.address, nullptr);
  node.housekeeper.reset();
  node.swarm.reset();
  node.store.reset();
  node.scope.reset();
  node.disk->Crash();
}

void SimSwarm::Restart(size_t index) {
  if (alive(index)) return;
  Start(*nodes_[index]);
}

void SimSwarm::Split(const std::vector<size_t>& a, const std::vector<size_t>& b, bool both_ways) {
  for (size_t x : a) {
    for (size_t y : b) {
      net_.Cut(address(x), address(y));
      if (both_ways) net_.Cut(address(y), address(x));
    }
  }
}

absl::StatusOr<SimPut> SimSwarm::Put(size_t index, const std::string& content, ContentMode mode,
                                     bool pin) {
  ContentWriterOptions writer_options;
  writer_options.mode = mode;
  writer_options.chunk_size = 1024;  // several blocks from little content
  writer_options.fanout = 4;
  writer_options.convergence_secret = &convergence_secret_;
  writer_options.pin = pin;
  std::optional<Cid> root;
  {
    // Closed before the content is placed (unlike the API's Put, which holds it to keep GC
    // away; the simulator runs no GC quota): the node may die while its put runs, and the
    // writer must not outlive its store.
    auto writer = ContentWriter::Create(store(index), writer_options);
    if (!writer.ok()) return writer.status();
    SWARMKV_RETURN_IF_ERROR((*writer)->Write(content));
    auto info = (*writer)->Finish(now());
    if (!info.ok()) return info.status();
    root = info->capability.root();
  }
  SimPut put{*root, {}, index, 0, false, pin};
  auto blocks = ListContentBlocks(store(index), put.root);
  if (!blocks.ok()) return blocks.status();
  put.blocks = *std::move(blocks);
  std::optional<absl::StatusOr<size_t>> copies = RunOn<absl::StatusOr<size_t>>(
      index, [this, index, &put](std::function<void(absl::StatusOr<size_t>)> done) {
        swarm(index).ReplicateAsync(put.blocks, std::move(done));
      });
  if (!copies.has_value()) return absl::UnavailableError("the node died during the put");
  if (!copies->ok()) return copies->status();
  put.copies = **copies;
  put.acknowledged = put.copies >= swarm(index).EffectiveWriteQuorum();
  return put;
}

}  // namespace swarmkv::testing
