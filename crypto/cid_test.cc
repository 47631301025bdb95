#include "crypto/cid.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/status_matchers.h"

namespace swarmkv {
namespace {

using ::swarmkv::testing::StatusIs;
using ::testing::HasSubstr;

// Expected CIDs were computed outside this code base, with Python's hashlib and base64:
//   'b' + b32encode(b'\x01\x55\x12\x20' + sha256(data)).lower().rstrip('=')
// and agree with `ipfs add --cid-version 1 --raw-leaves` (the empty and "hello world" CIDs are
// IPFS's well-known ones). tests/cid_reference_test.py checks many more inputs at test time.
TEST(CidTest, RawSha256MatchesIpfs) {
  EXPECT_EQ(Cid::Compute(Codec::kRaw, "").ToString(),
            "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku");
  EXPECT_EQ(Cid::Compute(Codec::kRaw, "hello world").ToString(),
            "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e");
  std::string block;
  for (int i = 0; i < 1024; ++i) {
    for (int b = 0; b < 256; ++b) block.push_back(static_cast<char>(b));
  }
  EXPECT_EQ(Cid::Compute(Codec::kRaw, block).ToString(),
            "bafkreibdci4uxwmvixm54ey4etx3paphmwwbv3beh4xnsndvs6tzhjav5e");
}

TEST(CidTest, RawBlake2b256) {
  EXPECT_EQ(Cid::Compute(Codec::kRaw, "", HashFunction::kBlake2b_256).ToString(),
            "bafk2bzaceahfouoae3suhmxivmxlayez3kq5dzo7i53y654h7kvultprf7r2q");
  EXPECT_EQ(Cid::Compute(Codec::kRaw, "hello world", HashFunction::kBlake2b_256).ToString(),
            "bafk2bzaceaswza5ss4iu2ia3galz6pyo6dfm5f4dmiw2lf2de22dmf4k533ba");
}

TEST(CidTest, ParseRoundTrips) {
  for (Codec codec : {Codec::kRaw, Codec::kManifest}) {
    for (HashFunction f : {HashFunction::kSha2_256, HashFunction::kBlake2b_256}) {
      const Cid cid = Cid::Compute(codec, "data", f);
      auto parsed = Cid::Parse(cid.ToString());
      ASSERT_TRUE(parsed.ok()) << parsed.status();
      EXPECT_EQ(*parsed, cid);
      EXPECT_EQ(*Cid::FromBytes(cid.ToBytes()), cid);
      EXPECT_TRUE(cid.Matches("data"));
      EXPECT_FALSE(cid.Matches("datA"));
    }
  }
  std::string upper = "B" + Cid::Compute(Codec::kRaw, "").ToString().substr(1);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_EQ(*Cid::Parse(upper), Cid::Compute(Codec::kRaw, ""));
  // One spelling per case: 'B' with lower-case letters is neither form (found by fuzz_cid).
  EXPECT_THAT(Cid::Parse("B" + Cid::Compute(Codec::kRaw, "").ToString().substr(1)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("upper case")));
}

TEST(CidTest, MalformedInputIsInvalidArgumentWithAReason) {
  const auto kInvalid = absl::StatusCode::kInvalidArgument;
  const std::string good = Cid::Compute(Codec::kRaw, "x").ToString();
  EXPECT_THAT(Cid::Parse(""), StatusIs(kInvalid, HasSubstr("empty")));
  EXPECT_THAT(Cid::Parse("QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG"),
              StatusIs(kInvalid, HasSubstr("CIDv0")));
  EXPECT_THAT(Cid::Parse("z" + good.substr(1)), StatusIs(kInvalid, HasSubstr("base32")));
  EXPECT_THAT(Cid::Parse(good.substr(0, good.size() - 1)), StatusIs(kInvalid, HasSubstr("")));
  EXPECT_THAT(Cid::Parse(good.substr(0, 20)), StatusIs(kInvalid, HasSubstr("malformed CID")));
  EXPECT_THAT(Cid::Parse(good + "aa"), StatusIs(kInvalid, HasSubstr("")));
  EXPECT_THAT(Cid::Parse(std::string(300, 'b')), StatusIs(kInvalid, HasSubstr("limit")));
  EXPECT_THAT(Cid::Parse("b!!!!"), StatusIs(kInvalid, HasSubstr("invalid base32")));
  // Version 0 inside a base32 CID, an unknown codec (dag-pb), an unknown hash, a wrong length.
  auto with = [](std::string bytes) { return Cid::FromBytes(bytes); };
  const std::string digest(32, 'd');
  EXPECT_THAT(with(std::string("\x00\x55\x12\x20", 4) + digest),
              StatusIs(kInvalid, HasSubstr("version")));
  EXPECT_THAT(with(std::string("\x01\x70\x12\x20") + digest),
              StatusIs(kInvalid, HasSubstr("codec 0x70")));
  EXPECT_THAT(with(std::string("\x01\x55\x13\x20") + digest),
              StatusIs(kInvalid, HasSubstr("function 0x13")));
  EXPECT_THAT(with(std::string("\x01\x55\x12\x10") + digest),
              StatusIs(kInvalid, HasSubstr("length is 16")));
  EXPECT_THAT(with(std::string("\x01\x55\x12\x20") + digest.substr(5)),
              StatusIs(kInvalid, HasSubstr("truncated")));
  EXPECT_THAT(with(std::string("\x01\x55\x12\x20") + digest + "x"),
              StatusIs(kInvalid, HasSubstr("unexpected bytes")));
}

TEST(CidTest, FuzzedBytesNeverCrash) {
  // Every prefix and every single-byte change of a valid CID parses or fails cleanly.
  const std::string bytes = Cid::Compute(Codec::kManifest, "z").ToBytes();
  for (size_t n = 0; n <= bytes.size(); ++n) (void)Cid::FromBytes(bytes.substr(0, n));
  for (size_t i = 0; i < bytes.size(); ++i) {
    for (int v = 0; v < 256; ++v) {
      std::string m = bytes;
      m[i] = static_cast<char>(v);
      auto r = Cid::FromBytes(m);
      if (r.ok()) {
        EXPECT_EQ(r->ToBytes(), m);  // anything accepted is canonical
      }
    }
  }
}

TEST(CidTest, DhtKeyIsSha256OfMultihash) {
  const Cid cid = Cid::Compute(Codec::kRaw, "x");
  EXPECT_EQ(cid.DhtKey(), Sha256(cid.multihash().ToBytes()));
  EXPECT_NE(cid.DhtKey(), Cid::Compute(Codec::kRaw, "y").DhtKey());
}

}  // namespace
}  // namespace swarmkv
