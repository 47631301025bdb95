#include "replication/provider_table.h"

#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "crypto/hash.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace swarmkv {
namespace {

DhtKey Key(int n) { return Sha256(absl::StrCat("key ", n)); }
Contact Provider(int n) {
  return Contact{NodeId(Sha256(absl::StrCat("provider ", n))), absl::StrCat("p", n, ":4001"),
                 absl::InfinitePast()};
}
const absl::Time kProvidedAt = absl::FromUnixSeconds(1'700'000'000);

// Issue 15 finding 6: one identity filled every key of the table, after which honest records
// were answered OK and dropped.
TEST(ProviderTableTest, OneProviderCannotCrowdOutTheOthers) {
  ProviderTable table(ProviderLimits{20, 100, 10});
  for (int k = 0; k < 1000; ++k) {
    table.Add(Key(k), Provider(666), kProvidedAt + absl::Hours(24) + absl::Seconds(k));
  }
  EXPECT_EQ(table.keys(), 10u);  // its own newest ten
  EXPECT_EQ(table.Live(Key(999), kProvidedAt).size(), 1u);
  EXPECT_TRUE(table.Live(Key(0), kProvidedAt).empty());
  table.Add(Key(5000), Provider(1), kProvidedAt + absl::Hours(24));
  EXPECT_EQ(table.Live(Key(5000), kProvidedAt).size(), 1u);
}

TEST(ProviderTableTest, AFullTableMakesRoomForANewRecordByDroppingTheStalestKey) {
  ProviderTable table(ProviderLimits{20, 50, 10});
  // Many made-up identities, ten keys each: the table fills.
  for (int p = 0; p < 20; ++p) {
    for (int k = 0; k < 10; ++k) {
      table.Add(Key(p * 10 + k), Provider(100 + p),
                kProvidedAt + absl::Hours(1) + absl::Seconds(p * 10 + k));
    }
  }
  EXPECT_EQ(table.keys(), 50u);
  // An honest record, renewed later than all of them, always gets in.
  const std::vector<DhtKey> changed =
      table.Add(Key(9999), Provider(1), kProvidedAt + absl::Hours(24));
  EXPECT_EQ(table.keys(), 50u);
  EXPECT_EQ(table.Live(Key(9999), kProvidedAt).size(), 1u);
  EXPECT_EQ(changed.size(), 2u);  // its key, and the stalest one it replaced
}

TEST(ProviderTableTest, RenewalsReplaceAndExpiryRemoves) {
  ProviderTable table(ProviderLimits{3, 100, 100});
  for (int p = 0; p < 5; ++p) table.Add(Key(1), Provider(p), kProvidedAt + absl::Minutes(10 + p));
  EXPECT_EQ(table.Records(Key(1)).size(), 3u);                   // the three latest
  table.Add(Key(1), Provider(4), kProvidedAt + absl::Hours(5));  // a renewal: still three
  EXPECT_EQ(table.Records(Key(1)).size(), 3u);
  EXPECT_EQ(table.Expire(kProvidedAt + absl::Hours(1)).size(), 1u);
  EXPECT_EQ(table.Records(Key(1)).size(), 1u);
  EXPECT_EQ(table.Expire(kProvidedAt + absl::Hours(6)).size(), 1u);
  EXPECT_EQ(table.keys(), 0u);
  EXPECT_TRUE(table.Live(Key(1), kProvidedAt).empty());
}

}  // namespace
}  // namespace swarmkv
