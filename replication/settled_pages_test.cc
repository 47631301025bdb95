// SettledPages and the page cutting: content-defined bounds, marks that change with any block,
// and a settled page skipped until the table, the page or time says to look again.
#include "replication/settled_pages.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "crypto/identity.h"
#include "gtest/gtest.h"

namespace swarmkv {
namespace {

std::vector<Cid> SortedBlocks(int count, absl::string_view salt = "") {
  std::vector<Cid> blocks;
  for (int i = 0; i < count; ++i) {
    blocks.push_back(Cid::Compute(Codec::kRaw, absl::StrCat(salt, i)));
  }
  std::sort(blocks.begin(), blocks.end());
  return blocks;
}

// Cuts `blocks` into pages as maintenance does.
std::vector<std::vector<Cid>> CutPages(const std::vector<Cid>& blocks, size_t max_blocks) {
  std::vector<std::vector<Cid>> pages;
  absl::Span<const Cid> rest(blocks);
  while (!rest.empty()) {
    const size_t size = NextPageSize(rest, max_blocks, /*more_follow=*/false);
    pages.emplace_back(rest.begin(), rest.begin() + size);
    rest.remove_prefix(size);
  }
  return pages;
}

TEST(PageCuttingTest, BoundsAreSetByTheBlocksSoAnInsertMovesOnlyItsOwnPage) {
  const std::vector<Cid> blocks = SortedBlocks(20000);
  const std::vector<std::vector<Cid>> pages = CutPages(blocks, 1024);
  // About one block in 256 ends a page.
  EXPECT_GT(pages.size(), 20000u / 256 / 2);
  EXPECT_LT(pages.size(), 20000u / 256 * 2);
  for (const auto& page : pages) EXPECT_LE(page.size(), 1024u);
  // One more block: every page but the one it falls in keeps its mark.
  std::vector<Cid> more = blocks;
  more.push_back(Cid::Compute(Codec::kRaw, "one more"));
  std::sort(more.begin(), more.end());
  const std::vector<std::vector<Cid>> after = CutPages(more, 1024);
  std::vector<PageMark> before_marks;
  for (const auto& page : pages) before_marks.push_back(MarkOf(page));
  size_t changed = 0;
  for (const auto& page : after) {
    if (std::find(before_marks.begin(), before_marks.end(), MarkOf(page)) == before_marks.end()) {
      ++changed;
    }
  }
  EXPECT_EQ(changed, 1u);
}

TEST(PageCuttingTest, APageWaitsForMoreBlocksUnlessItIsFullOrTheLast) {
  const std::vector<Cid> blocks = SortedBlocks(3000);
  size_t first_end = 0;
  while (!EndsPage(blocks[first_end])) ++first_end;
  EXPECT_EQ(NextPageSize(blocks, 4096, true), first_end + 1);
  // No end among the first few: more must be listed, unless none follow or the page is full.
  absl::Span<const Cid> head(blocks.data(), first_end);
  EXPECT_EQ(NextPageSize(head, 4096, /*more_follow=*/true), 0u);
  EXPECT_EQ(NextPageSize(head, 4096, /*more_follow=*/false), first_end);
  if (first_end > 1) {
    EXPECT_EQ(NextPageSize(head, 1, /*more_follow=*/true), 1u);
  }
}

TEST(PageMarkTest, AnyBlockAddedRemovedOrReplacedChangesTheMark) {
  std::vector<Cid> page = SortedBlocks(100);
  const PageMark mark = MarkOf(page);
  EXPECT_EQ(MarkOf(page), mark);
  std::vector<Cid> fewer(page.begin(), page.end() - 1);
  EXPECT_FALSE(MarkOf(fewer) == mark);
  std::vector<Cid> replaced = page;
  replaced[50] = Cid::Compute(Codec::kRaw, "another");
  std::sort(replaced.begin(), replaced.end());
  replaced.front() = page.front();
  replaced.back() = page.back();
  EXPECT_FALSE(MarkOf(replaced) == mark);
}

TEST(SettledPagesTest, ASettledPageIsSkippedUntilTheTableThePageOrTimeChanges) {
  const absl::Time t0 = absl::FromUnixSeconds(1700000000);
  const absl::Duration recheck = absl::Hours(1);
  SettledPages settled(recheck);
  const PageMark mark = MarkOf(SortedBlocks(50));
  const NodeId peer = Identity::Generate().node_id();
  EXPECT_FALSE(settled.Skip(mark, 7, t0));  // never checked
  settled.Settle(mark, 7, t0, {peer});
  settled.EndRound();
  EXPECT_EQ(settled.Peers(), std::vector<NodeId>{peer});
  // The next rounds skip it, at the same table version.
  EXPECT_TRUE(settled.Skip(mark, 7, t0 + absl::Minutes(1)));
  settled.EndRound();
  EXPECT_TRUE(settled.Skip(mark, 7, t0 + absl::Minutes(2)));
  settled.EndRound();
  // Another table version: checked again (and forgotten until it settles again).
  EXPECT_FALSE(settled.Skip(mark, 8, t0 + absl::Minutes(3)));
  settled.EndRound();
  EXPECT_FALSE(settled.Skip(mark, 7, t0 + absl::Minutes(4)));
  EXPECT_TRUE(settled.Peers().empty());
  // A changed page: checked again.
  settled.Settle(mark, 7, t0, {peer});
  settled.EndRound();
  EXPECT_FALSE(settled.Skip(MarkOf(SortedBlocks(51)), 7, t0 + absl::Minutes(5)));
  // Time: never skipped once `recheck` has passed; a page not met in a round is forgotten.
  settled.Settle(mark, 7, t0, {peer});
  settled.EndRound();
  EXPECT_FALSE(settled.Skip(mark, 7, t0 + recheck));
  settled.Settle(mark, 7, t0, {peer});
  settled.EndRound();
  settled.EndRound();
  EXPECT_FALSE(settled.Skip(mark, 7, t0 + absl::Minutes(1)));
}

}  // namespace
}  // namespace swarmkv
