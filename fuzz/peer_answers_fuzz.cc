// Answers from peers: a real Swarm (on a real store and event loop) runs its operations against
// a Transport whose every answer comes from the input: a status, then the response message as it
// would arrive on the wire, converted by the same functions GrpcTransport uses
// (replication/peer_answers.h). Lookups, fetches, replication, maintenance (HAVE, PROVE, STORE,
// hand-off), provider announcements and records all meet liars, junk, wrong-length answers and
// errors. The Swarm must finish every operation and never crash; a fetched block it returns must
// match its CID.
#include <fuzzer/FuzzedDataProvider.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "base/event_loop.h"
#include "base/scoped_event_loop.h"
#include "base/thread_pool.h"
#include "fuzz/fuzz_check.h"
#include "records/record.h"
#include "replication/peer_answers.h"
#include "replication/swarm.h"
#include "testing/temp_dir.h"

SWARMKV_FUZZ_QUIET_LOGS()

namespace swarmkv {
namespace {

// Blocks this node holds, and a record it can publish.
constexpr const char* kBlocks[] = {"hello world", "swarmkv fuzz block", "a third block"};

// Answers from the input. Called on the loop; completes every call at once.
class FuzzedTransport final : public Transport {
 public:
  void Reset(FuzzedDataProvider* input) {
    absl::MutexLock lock(&mu_);
    input_ = input;
  }

  void Ping(const Contact&, StatusCallback done) override { done(NextStatus()); }
  void Introduce(const std::string&, Callback<NodeId> done) override {
    absl::Status status = NextStatus();
    if (!status.ok()) return done(status);
    std::optional<Digest256> id = DigestFromBytes(Bytes(32));
    if (!id.has_value()) return done(absl::UnavailableError("no id"));
    done(NodeId(*id));
  }
  void FindNode(const Contact&, const DhtKey&, Callback<std::vector<Contact>> done) override {
    peer::v1::FindNodeResponse r;
    absl::Status status = Next(&r);
    if (!status.ok()) return done(status);
    done(ContactsFromAnswer(r.closer(), kMaxContacts));
  }
  void FindValue(const Contact&, const Cid&, Callback<FindValueResult> done) override {
    peer::v1::FindValueResponse r;
    absl::Status status = Next(&r);
    if (!status.ok()) return done(status);
    done(FindValueFromAnswer(&r, kMaxContacts));
  }
  void GetProviders(const Contact&, const Cid&, Callback<ProvidersResult> done) override {
    peer::v1::GetProvidersResponse r;
    absl::Status status = Next(&r);
    if (!status.ok()) return done(status);
    done(ProvidersFromAnswer(r, kMaxContacts));
  }
  void Store(const Contact&, const Cid&, std::string, StatusCallback done) override {
    done(NextStatus());
  }
  void AddProvider(const Contact&, const Cid&, StatusCallback done) override { done(NextStatus()); }
  void Have(const Contact&, std::vector<Cid>, Callback<std::vector<bool>> done) override {
    peer::v1::HaveResponse r;
    absl::Status status = Next(&r);
    if (!status.ok()) return done(status);
    done(HaveFromAnswer(r));
  }
  void Prove(const Contact&, const Cid&, std::string, Callback<Digest256> done) override {
    peer::v1::ProveResponse r;
    absl::Status status = Next(&r);
    if (!status.ok()) return done(status);
    done(ProofFromAnswer(r));
  }
  void PutRecord(const Contact&, std::string, Callback<std::string> done) override {
    peer::v1::PutRecordResponse r;
    absl::Status status = Next(&r);
    if (!status.ok()) return done(status);
    done(r.newer());
  }
  void GetRecord(const Contact&, const DhtKey&, Callback<RecordAnswer> done) override {
    peer::v1::GetRecordResponse r;
    absl::Status status = Next(&r);
    if (!status.ok()) return done(status);
    done(RecordFromAnswer(r, kMaxContacts));
  }

 private:
  static constexpr size_t kMaxContacts = 20;

  // A status as a failed call reports it; once the input is used up, every peer is unreachable.
  absl::Status NextStatus() {
    absl::MutexLock lock(&mu_);
    if (input_ == nullptr || input_->remaining_bytes() == 0) {
      return absl::UnavailableError("input used up");
    }
    switch (input_->ConsumeIntegralInRange<int>(0, 7)) {
      case 0:
        return absl::UnavailableError("fuzzed");
      case 1:
        return absl::DeadlineExceededError("fuzzed");
      case 2:
        return absl::NotFoundError("fuzzed");
      case 3:
        return absl::PermissionDeniedError("fuzzed");
      case 4:
        return absl::InvalidArgumentError("fuzzed");
      default:
        return absl::OkStatus();
    }
  }
  std::string Bytes(size_t n) {
    absl::MutexLock lock(&mu_);
    return input_ == nullptr ? std::string() : input_->ConsumeBytesAsString(n);
  }
  // The status, then (when OK) the response message as it came off the wire.
  template <typename Response>
  absl::Status Next(Response* response) {
    absl::Status status = NextStatus();
    if (!status.ok()) return status;
    absl::MutexLock lock(&mu_);
    const std::string wire = input_->ConsumeRandomLengthString(4096);
    // gRPC fails a call whose message does not parse.
    if (!response->ParseFromString(wire)) return absl::InternalError("unparsable answer");
    return absl::OkStatus();
  }

  absl::Mutex mu_;
  FuzzedDataProvider* input_ ABSL_GUARDED_BY(mu_) = nullptr;
};

class Harness {
 public:
  Harness() {
    BlockStoreOptions options;
    options.sync_writes = false;
    store_ = *BlockStore::Open(dir_.Sub("store"), SecretBytes::Random(32), options);
  }

  void Run(FuzzedDataProvider& input) {
    // The blocks are put back each time: a fuzzed hand-off may have dropped them.
    std::vector<Cid> held;
    for (const char* block : kBlocks) held.push_back(*store_->Put(Codec::kRaw, block));
    transport_.Reset(&input);
    ScopedEventLoop loop(loop_);  // what the Swarm leaves queued dies with it
    SwarmOptions options;
    options.replication_factor = 3;
    Swarm swarm(identity_.node_id(), *store_, transport_, loop, blocking_, options);
    for (int i = 0; i < 4; ++i) {
      Digest256 id{};
      id.fill(static_cast<uint8_t>(0x10 * (i + 1)));
      swarm.OnPeerContact(Contact{NodeId(id), absl::StrCat("10.0.0.", i + 1, ":7420"), absl::Now()})
          .IgnoreError();
    }
    const Cid missing = Cid::Compute(Codec::kRaw, "not held here");
    const Record record =
        *SignRecord(identity_, "greeting", "hello", 1, absl::Now() + absl::Hours(1));
    while (input.remaining_bytes() > 0) {
      switch (input.ConsumeIntegralInRange<int>(0, 8)) {
        case 0:
          swarm.FindClosest(missing.DhtKey());
          break;
        case 1: {
          absl::StatusOr<std::string> block = swarm.Fetch(missing);
          if (block.ok()) FUZZ_CHECK(missing.Matches(*block));
          break;
        }
        case 2: {
          const std::vector<Cid> both = {missing, held[0]};
          std::vector<Contact> hints;
          const std::vector<absl::StatusOr<std::string>> blocks = swarm.FetchMany(both, &hints);
          FUZZ_CHECK(blocks.size() == both.size());
          for (size_t i = 0; i < blocks.size(); ++i) {
            if (blocks[i].ok()) FUZZ_CHECK(both[i].Matches(*blocks[i]));
          }
          break;
        }
        case 3:
          swarm.Replicate(held).IgnoreError();
          break;
        case 4:
          swarm.Announce(held[1]);
          break;
        case 5:
          swarm.Maintain();
          break;
        case 6:
          swarm.PutRecord(EncodeRecord(record)).IgnoreError();
          break;
        case 7:
          swarm.GetRecord(record.dht_key()).IgnoreError();
          break;
        case 8:
          swarm.Bootstrap({BootstrapEntry{std::nullopt, "10.0.0.9:7420"}});
          break;
      }
    }
    transport_.Reset(nullptr);
  }

 private:
  ::swarmkv::testing::TempDir dir_;
  Identity identity_ = Identity::Generate();
  RealEventLoop loop_;
  ThreadPool blocking_{2};
  FuzzedTransport transport_;
  std::unique_ptr<BlockStore> store_;
};

}  // namespace
}  // namespace swarmkv

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static auto* harness = new swarmkv::Harness();  // lives for the run
  FuzzedDataProvider input(data, size);
  harness->Run(input);
  return 0;
}
