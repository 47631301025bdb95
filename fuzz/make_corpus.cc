// Writes the seed corpus of every fuzz target (fuzz/corpus/<target>/seed-N) with the real
// encoders and the tests' own vectors, so each target starts from inputs that pass its decoder.
// The corpus is committed; run this again when a format changes:
//   build-asan/fuzz/make_corpus fuzz/corpus
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "crypto/capability.h"
#include "crypto/cid.h"
#include "crypto/encoding.h"
#include "crypto/identity.h"
#include "crypto/varint.h"
#include "node/config.h"
#include "pubsub/message.h"
#include "pubsub/wire_frames.h"
#include "records/record.h"
#include "replication/saved_state.h"
#include "storage/manifest.h"
#include "swarmkv/peer/v1/gossip.pb.h"
#include "swarmkv/peer/v1/peer.pb.h"

namespace swarmkv {
namespace {

void Write(const std::filesystem::path& root, const std::string& target,
           const std::vector<std::string>& seeds) {
  const std::filesystem::path dir = root / target;
  std::filesystem::create_directories(dir);
  for (size_t i = 0; i < seeds.size(); ++i) {
    std::ofstream(dir / ("seed-" + std::to_string(i)), std::ios::binary) << seeds[i];
  }
  std::printf("%s: %zu seeds\n", target.c_str(), seeds.size());
}

std::string Varint(uint64_t v) {
  std::string out;
  AppendVarint(v, &out);
  return out;
}

// With a byte that picks the method in peer_requests_fuzz.cc, and one that picks the caller.
template <typename Message>
std::string PeerRequest(int method, const Message& message) {
  return std::string(1, static_cast<char>(method)) + std::string(1, '\0') +
         message.SerializeAsString();
}

int Main(const std::filesystem::path& root) {
  // The tests' vectors: "hello world" as a raw block is bafkreifzjut3...
  const Cid hello = Cid::Compute(Codec::kRaw, "hello world");
  const Cid manifest_cid = Cid::Compute(Codec::kManifest, "a manifest");
  const Identity identity = Identity::FromSeed(SecretBytes(std::string(32, '\x07')));
  const std::string key_b64 = Base64UrlEncode(std::string(kContentKeyBytes, '\x11'));

  Write(root, "fuzz_varint",
        {Varint(0), Varint(1), Varint(127), Varint(128), Varint(300), Varint(kMaxVarint),
         std::string("\x80\x00", 2), std::string("\x80")});
  Write(root, "fuzz_multihash",
        {hello.multihash().ToBytes(),
         Cid::Compute(Codec::kRaw, "x", HashFunction::kBlake2b_256).multihash().ToBytes()});
  Write(root, "fuzz_cid",
        {hello.ToBytes(), hello.ToString(), manifest_cid.ToBytes(), manifest_cid.ToString(),
         "hello world"});
  Write(root, "fuzz_capability",
        {hello.ToString(), "swarmkv://" + hello.ToString(),
         "swarmkv://" + manifest_cid.ToString() + "#" + key_b64});
  Write(root, "fuzz_encoding", {"mzxw6ytboi", "MZXW6YTBOI", "Zm9vYmFy", "deadBEEF", ""});

  ManifestNode plain;
  plain.chunk_size = 1 << 20;
  plain.links = {{hello, 11}, {Cid::Compute(Codec::kRaw, "more"), 4}};
  plain.total_size = 15;
  std::string plain_block = EncodeManifestClearPart(plain);
  AppendManifestSealedKeys("", &plain_block);
  ManifestNode encrypted = plain;
  encrypted.mode = ContentMode::kRandom;
  std::string encrypted_block = EncodeManifestClearPart(encrypted);
  AppendManifestSealedKeys(std::string(2 * 32 + 16, '\x5a'), &encrypted_block);
  Write(root, "fuzz_manifest", {plain_block, encrypted_block});

  Write(root, "fuzz_sealed", {std::string(64, '\0'), "ad" + std::string(8, '\x01') + "payload"});

  const Contact a{identity.node_id(), "10.0.0.1:7420", absl::InfinitePast()};
  const Identity other = Identity::FromSeed(SecretBytes(std::string(32, '\x08')));
  const Contact b{other.node_id(), "node-2.swarm:7420", absl::InfinitePast()};
  Write(root, "fuzz_saved_state",
        {EncodeSavedContacts({a, b}),
         EncodeProviderRecord(
             {{a, absl::FromUnixSeconds(1700003600)}, {b, absl::FromUnixSeconds(1800000000)}})});

  Write(root, "fuzz_config",
        {DefaultConfigToml(), "[peer]\nbootstrap = [\"127.0.0.1:7420\"]\ntimeout = \"2s\"\n",
         "[store]\nquota_bytes = 1024\nscrub_interval = \"1h\"\n"});

  const std::string id_text = identity.node_id().ToString();
  Write(root, "fuzz_text_parsers",
        {id_text, id_text + "@127.0.0.1:7420", "node-1:7420", "[::1]:80", id_text + "/greeting",
         "sha2-256", "convergent", std::string(64, 'a') + "\n"});

  const absl::Time expires = absl::FromUnixSeconds(1900000000);
  Write(root, "fuzz_record",
        {EncodeRecord(*SignRecord(identity, "greeting", "hello", 1, expires)),
         EncodeRecord(*SignRecord(identity, "greeting", "", 2, expires, /*tombstone=*/true)),
         EncodeRecord(*SignRecord(identity, "secret", std::string(48, 's'), 3, expires,
                                  /*tombstone=*/false, /*encrypted=*/true))});

  std::vector<std::string> frames;
  Frame gossip = MakeFrame(Frame::Kind::kGossip, "news");
  gossip.message = SignMessage(identity, 1, "news", "payload");
  Frame ihave = MakeFrame(Frame::Kind::kIHave, "news");
  ihave.ids = {gossip.message->id()};
  Frame reply = MakeFrame(Frame::Kind::kJoinReply, "news");
  reply.accepted = true;
  for (const Frame& frame : {gossip, ihave, reply, MakeFrame(Frame::Kind::kJoin, "news")}) {
    peer::v1::GossipFrame wire;
    EncodeFrame(frame, &wire);
    frames.push_back(wire.SerializeAsString());
  }
  Write(root, "fuzz_gossip_frame", frames);

  peer::v1::Caller caller;
  caller.set_listen_port(7420);
  const DhtKey target = hello.DhtKey();
  const std::string target_bytes(target.begin(), target.end());
  std::vector<std::string> requests;
  {
    peer::v1::PingRequest r;
    *r.mutable_caller() = caller;
    requests.push_back(PeerRequest(0, r));
  }
  {
    peer::v1::FindNodeRequest r;
    *r.mutable_caller() = caller;
    r.set_target(target_bytes);
    requests.push_back(PeerRequest(1, r));
  }
  {
    peer::v1::FindValueRequest r;
    *r.mutable_caller() = caller;
    r.set_cid(hello.ToBytes());
    requests.push_back(PeerRequest(2, r));
  }
  {
    peer::v1::StoreRequest r;
    *r.mutable_caller() = caller;
    r.set_cid(Cid::Compute(Codec::kRaw, "stored").ToBytes());
    r.set_block("stored");
    requests.push_back(PeerRequest(3, r));
  }
  {
    peer::v1::AddProviderRequest r;
    *r.mutable_caller() = caller;
    r.set_cid(hello.ToBytes());
    requests.push_back(PeerRequest(4, r));
  }
  {
    peer::v1::GetProvidersRequest r;
    *r.mutable_caller() = caller;
    r.set_cid(hello.ToBytes());
    requests.push_back(PeerRequest(5, r));
  }
  {
    peer::v1::HaveRequest r;
    *r.mutable_caller() = caller;
    r.add_cids(hello.ToBytes());
    r.add_cids(manifest_cid.ToBytes());
    requests.push_back(PeerRequest(6, r));
  }
  {
    peer::v1::ProveRequest r;
    *r.mutable_caller() = caller;
    r.set_cid(hello.ToBytes());
    r.set_nonce(std::string(16, 'n'));
    requests.push_back(PeerRequest(7, r));
  }
  {
    peer::v1::PutRecordRequest r;
    *r.mutable_caller() = caller;
    r.set_record(EncodeRecord(*SignRecord(identity, "greeting", "hello", 1, expires)));
    requests.push_back(PeerRequest(8, r));
  }
  {
    peer::v1::GetRecordRequest r;
    *r.mutable_caller() = caller;
    const Digest256 key = RecordDhtKey(identity.node_id(), "greeting");
    r.set_dht_key(std::string(key.begin(), key.end()));
    requests.push_back(PeerRequest(9, r));
  }
  Write(root, "fuzz_peer_requests", requests);

  // Answers: the harness reads its choices from the end of the input and the messages from the
  // front (FuzzedDataProvider), so seeds are answers followed by choices.
  std::vector<std::string> answers;
  {
    peer::v1::FindNodeResponse closer;
    peer::v1::PeerContact* c = closer.add_closer();
    c->set_id(std::string(32, '\x42'));
    c->set_address("10.0.0.42:7420");
    peer::v1::FindValueResponse value;
    value.set_block("hello world");
    const std::string messages =
        std::string(1, static_cast<char>(closer.ByteSizeLong())) + closer.SerializeAsString() +
        std::string(1, static_cast<char>(value.ByteSizeLong())) + value.SerializeAsString();
    for (char op = 0; op < 9; ++op) answers.push_back(messages + std::string(8, '\x07') + op);
  }
  Write(root, "fuzz_peer_answers", answers);

  // Queries: a payload, then (read from the end) which node sends it and whether it is a result.
  std::vector<std::string> queries;
  for (const char* kind : {"STATS", "HAS", "PINS", "KEYS"}) {
    peer::v1::QueryPayload query;
    query.set_kind(kind);
    query.set_argument(std::string(kind) == "HAS" ? hello.ToString() : "");
    query.set_deadline_unix_ms(absl::ToUnixMillis(absl::Now() + absl::Hours(24 * 365 * 10)));
    query.set_origin_address("10.0.0.1:7420");
    queries.push_back(query.SerializeAsString() + std::string("\x01\x00", 2));
  }
  peer::v1::ResultPayload result;
  result.set_query_origin(std::string(32, '\x01'));
  result.add_items("blocks=3");
  queries.push_back(result.SerializeAsString() + std::string("\x01\x01", 2));
  Write(root, "fuzz_queries", queries);

  // An 8-byte little-endian content size, then a Range header.
  const auto sized = [](uint64_t content_size, const std::string& header) {
    std::string seed(8, '\0');
    for (int i = 0; i < 8; ++i) seed[i] = static_cast<char>((content_size >> (8 * i)) & 0xff);
    return seed + header;
  };
  Write(root, "fuzz_http",
        {sized(1000, "bytes=0-9"), sized(1000, "bytes=990-"), sized(1000, "bytes=-10"),
         sized(1000, "bytes=5000-"), sized(0, "bytes=0-"), sized(3000000, "bytes=0-1,5-6"),
         std::string("\x89PNG\r\n\x1a\n", 8), "<!doctype html><p>hi", "%PDF-1.7"});
  return 0;
}

}  // namespace
}  // namespace swarmkv

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_corpus <corpus dir>\n");
    return 2;
  }
  return swarmkv::Main(argv[1]);
}
