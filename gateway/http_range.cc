#include "gateway/http_range.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace swarmkv {
namespace {

// Digits only (SimpleAtoi would take a sign or spaces).
bool ParseDigits(absl::string_view text, uint64_t* value) {
  if (text.empty() || text.size() > 19) return false;
  for (char c : text) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return absl::SimpleAtoi(text, value);
}

}  // namespace

absl::StatusOr<std::optional<HttpRange>> ParseRangeHeader(absl::string_view header, uint64_t size) {
  header = absl::StripAsciiWhitespace(header);
  constexpr absl::string_view kUnit = "bytes=";
  if (!absl::StartsWithIgnoreCase(header, kUnit)) return std::nullopt;
  absl::string_view spec = absl::StripAsciiWhitespace(header.substr(kUnit.size()));
  if (absl::StrContains(spec, ',')) return std::nullopt;  // several ranges: the whole content
  const size_t dash = spec.find('-');
  if (dash == absl::string_view::npos) return std::nullopt;
  const absl::string_view first_text = spec.substr(0, dash);
  const absl::string_view last_text = spec.substr(dash + 1);
  const auto unsatisfiable = [&] {
    return absl::OutOfRangeError(
        absl::StrCat("range ", spec, " is outside the content's ", size, " bytes"));
  };
  if (first_text.empty()) {
    // "-N": the last N bytes.
    uint64_t suffix = 0;
    if (!ParseDigits(last_text, &suffix)) return std::nullopt;
    if (suffix == 0 || size == 0) return unsatisfiable();
    const uint64_t length = suffix < size ? suffix : size;
    return HttpRange{size - length, length};
  }
  uint64_t first = 0;
  if (!ParseDigits(first_text, &first)) return std::nullopt;
  uint64_t last = size == 0 ? 0 : size - 1;
  if (!last_text.empty()) {
    uint64_t asked = 0;
    if (!ParseDigits(last_text, &asked) || asked < first) return std::nullopt;
    if (asked < last) last = asked;
  }
  if (first >= size) return unsatisfiable();
  return HttpRange{first, last - first + 1};
}

}  // namespace swarmkv
