#include "gateway/http_range.h"

#include "gtest/gtest.h"

namespace swarmkv {
namespace {

std::optional<HttpRange> Range(absl::string_view header, uint64_t size) {
  auto range = ParseRangeHeader(header, size);
  EXPECT_TRUE(range.ok()) << header << ": " << range.status();
  return range.ok() ? *range : std::nullopt;
}

void ExpectRange(absl::string_view header, uint64_t size, uint64_t offset, uint64_t length) {
  const std::optional<HttpRange> range = Range(header, size);
  ASSERT_TRUE(range.has_value()) << header;
  EXPECT_EQ(range->offset, offset) << header;
  EXPECT_EQ(range->length, length) << header;
}

TEST(HttpRangeTest, OneRangeInEveryForm) {
  ExpectRange("bytes=0-9", 1000, 0, 10);
  ExpectRange("bytes=990-", 1000, 990, 10);
  ExpectRange("bytes=-10", 1000, 990, 10);
  ExpectRange("BYTES= 5-5 ", 1000, 5, 1);
  // A last position past the end, or a suffix longer than the content, is clamped to it.
  ExpectRange("bytes=990-2000", 1000, 990, 10);
  ExpectRange("bytes=-5000", 1000, 0, 1000);
}

TEST(HttpRangeTest, WhatCannotBeServedAsOneRangeMeansTheWholeContent) {
  for (absl::string_view header :
       {"", "items=0-1", "bytes=0-1,5-6", "bytes=abc", "bytes=5", "bytes=9-3", "bytes=-",
        "bytes=+1-2", "bytes=1- 2x", "bytes=99999999999999999999-", "bytes=0x10-"}) {
    EXPECT_FALSE(Range(header, 1000).has_value()) << header;
  }
}

TEST(HttpRangeTest, NoByteOfTheRangeExistsIsOutOfRange) {
  for (absl::string_view header : {"bytes=1000-", "bytes=5000-6000", "bytes=-0"}) {
    auto range = ParseRangeHeader(header, 1000);
    EXPECT_EQ(range.status().code(), absl::StatusCode::kOutOfRange) << header;
  }
  // Empty content has no byte to serve.
  EXPECT_EQ(ParseRangeHeader("bytes=0-", 0).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(ParseRangeHeader("bytes=-1", 0).status().code(), absl::StatusCode::kOutOfRange);
}

}  // namespace
}  // namespace swarmkv
