#include "gateway/content_type.h"

#include <array>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"

namespace swarmkv {
namespace {

struct Signature {
  absl::string_view prefix;
  const char* type;
};

// Exact byte prefixes.
constexpr std::array<Signature, 12> kSignatures = {{
    {absl::string_view("\x89PNG\r\n\x1a\n", 8), "image/png"},
    {absl::string_view("\xff\xd8\xff", 3), "image/jpeg"},
    {"GIF87a", "image/gif"},
    {"GIF89a", "image/gif"},
    {"%PDF-", "application/pdf"},
    {absl::string_view("PK\x03\x04", 4), "application/zip"},
    {absl::string_view("\x1f\x8b\x08", 3), "application/gzip"},
    {"OggS", "application/ogg"},
    {"ID3", "audio/mpeg"},
    {absl::string_view("\0asm", 4), "application/wasm"},
    {absl::string_view("\x1a\x45\xdf\xa3", 4), "video/webm"},
    {"%!PS-Adobe-", "application/postscript"},
}};

// Tags that make a document HTML when they open it (after white space), any case.
constexpr std::array<absl::string_view, 8> kHtmlStarts = {
    "<!doctype html", "<html", "<head", "<body", "<script", "<iframe", "<title", "<!--"};

bool LooksLikeText(absl::string_view head) {
  for (unsigned char c : head) {
    // Control bytes other than tab, line feed, form feed, carriage return and escape mean binary.
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\f' && c != '\r' && c != 0x1b) return false;
  }
  return true;
}

}  // namespace

std::string SniffContentType(absl::string_view head) {
  head = head.substr(0, kSniffBytes);
  for (const Signature& signature : kSignatures) {
    if (absl::StartsWith(head, signature.prefix)) return signature.type;
  }
  if (head.size() >= 12 && head.substr(0, 4) == "RIFF") {
    if (head.substr(8, 4) == "WEBP") return "image/webp";
    if (head.substr(8, 4) == "WAVE") return "audio/wav";
  }
  if (head.size() >= 12 && head.substr(4, 4) == "ftyp") return "video/mp4";
  const absl::string_view text = absl::StripLeadingAsciiWhitespace(head);
  for (absl::string_view start : kHtmlStarts) {
    if (absl::StartsWithIgnoreCase(text, start)) return "text/html; charset=utf-8";
  }
  if (absl::StartsWith(text, "<?xml")) {
    return absl::StrContains(text, "<svg") ? "image/svg+xml" : "application/xml";
  }
  if (absl::StartsWith(text, "<svg")) return "image/svg+xml";
  if (LooksLikeText(head)) return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

}  // namespace swarmkv
