// Broadcast queries from peers (pubsub/query_engine.h): signed messages whose payloads come from
// the input, on the `query` topic (a QueryPayload: kind, argument, origin address, deadline,
// limit) and as DIRECT results (a ResultPayload) to a node with a query of its own pending, on
// three real PubsubNodes with QueryEngines on virtual time (testing/sim_pubsub.h). The input's
// bytes are the payloads as they would arrive; the engines must drop what is malformed, answer
// what is not, and never crash.
#include <fuzzer/FuzzedDataProvider.h>

#include <string>

#include "fuzz/fuzz_check.h"
#include "pubsub/message.h"
#include "pubsub/query_engine.h"
#include "testing/sim_pubsub.h"

SWARMKV_FUZZ_QUIET_LOGS()

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using swarmkv::testing::SimPubsub;
  FuzzedDataProvider input(data, size);
  swarmkv::testing::SimPubsubOptions options;
  options.seed = 16;
  options.nodes = 3;
  options.candidates = 2;
  options.queries = true;
  SimPubsub sim(options);
  sim.loop().RunFor(absl::Seconds(2));  // meshes form
  // Node 0 asks, so results addressed to its query have somewhere to go.
  swarmkv::QueryRequest request;
  request.kind = "STATS";
  request.deadline = absl::Seconds(5);
  sim.queries(0)
      .Ask(
          request, [](const swarmkv::QueryAnswer&) {}, [](absl::Status) {})
      .IgnoreError();
  for (int i = 0; i < 8 && input.remaining_bytes() > 0; ++i) {
    const bool result = input.ConsumeBool();
    const size_t from = input.ConsumeIntegralInRange<size_t>(1, 2);
    const std::string payload = input.ConsumeRandomLengthString(4096);
    swarmkv::PubsubNode& sender = sim.node(from);
    swarmkv::GossipMessage message =
        swarmkv::SignMessage(sender.identity(), sender.NextSequence(),
                             result ? swarmkv::kResultTopic : swarmkv::kQueryTopic, payload);
    swarmkv::Frame frame = swarmkv::MakeFrame(
        result ? swarmkv::Frame::Kind::kDirect : swarmkv::Frame::Kind::kGossip, message.topic);
    frame.message = std::move(message);
    sim.Inject(from, 0, std::move(frame));
    sim.loop().RunFor(absl::Milliseconds(200));
  }
  sim.loop().RunFor(absl::Seconds(6));  // past every deadline
  return 0;
}
