#include "gateway/content_type.h"

#include <string>

#include "gtest/gtest.h"

namespace swarmkv {
namespace {

TEST(ContentTypeTest, KnownSignatures) {
  EXPECT_EQ(SniffContentType(std::string("\x89PNG\r\n\x1a\n\0\0", 10)), "image/png");
  EXPECT_EQ(SniffContentType("\xff\xd8\xff\xe0rest"), "image/jpeg");
  EXPECT_EQ(SniffContentType("GIF89a..."), "image/gif");
  EXPECT_EQ(SniffContentType("%PDF-1.7\n"), "application/pdf");
  EXPECT_EQ(SniffContentType(std::string("PK\x03\x04", 4)), "application/zip");
  EXPECT_EQ(SniffContentType(std::string("\x1f\x8b\x08\0", 4)), "application/gzip");
  EXPECT_EQ(SniffContentType(std::string("RIFF\x10\0\0\0WEBPVP8 ", 16)), "image/webp");
  EXPECT_EQ(SniffContentType(std::string("\0\0\0\x18"
                                         "ftypmp42",
                                         12)),
            "video/mp4");
  EXPECT_EQ(SniffContentType(std::string("\0asm\x01\0\0\0", 8)), "application/wasm");
}

TEST(ContentTypeTest, MarkupAndText) {
  EXPECT_EQ(SniffContentType("  \n<!DOCTYPE html><p>hi"), "text/html; charset=utf-8");
  EXPECT_EQ(SniffContentType("<HTML><body>"), "text/html; charset=utf-8");
  EXPECT_EQ(SniffContentType("<?xml version=\"1.0\"?><svg xmlns=..."), "image/svg+xml");
  EXPECT_EQ(SniffContentType("<?xml version=\"1.0\"?><feed>"), "application/xml");
  EXPECT_EQ(SniffContentType("hello, swarm\n"), "text/plain; charset=utf-8");
  EXPECT_EQ(SniffContentType("h\xc3\xa9llo"), "text/plain; charset=utf-8");
  EXPECT_EQ(SniffContentType(""), "text/plain; charset=utf-8");
}

TEST(ContentTypeTest, BinaryIsOctetStream) {
  EXPECT_EQ(SniffContentType(std::string("ab\0cd", 5)), "application/octet-stream");
  EXPECT_EQ(SniffContentType("\x01\x02\x03"), "application/octet-stream");
  // Only the first kSniffBytes count.
  EXPECT_EQ(SniffContentType(std::string(kSniffBytes, 'a') + std::string(1, '\0')),
            "text/plain; charset=utf-8");
}

}  // namespace
}  // namespace swarmkv
