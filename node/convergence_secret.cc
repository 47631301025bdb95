#include "node/convergence_secret.h"

#include <sodium.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "crypto/encoding.h"

namespace swarmkv {
namespace {

// Wipes a std::string that held secret text when it goes out of scope.
struct WipeOnExit {
  std::string* text;
  ~WipeOnExit() {
    if (!text->empty()) sodium_memzero(text->data(), text->size());
  }
};

}  // namespace

absl::StatusOr<SecretBytes> ReadConvergenceSecretFile(const std::string& path) {
  struct stat info;
  if (stat(path.c_str(), &info) != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("convergence secret file ", path, ": ", std::strerror(errno)));
  }
  if ((info.st_mode & S_IRWXO) != 0) {
    return absl::PermissionDeniedError(absl::StrCat(
        "convergence secret file ", path, " can be read or written by other users (mode ",
        absl::StrFormat("%04o", info.st_mode & 07777), "); run: chmod o-rwx ", path));
  }
  // A secret is 64 digits and a newline; anything much larger is not one (and is not read).
  constexpr std::streamsize kMaxFileBytes = 256;
  std::ifstream in(path, std::ios::binary);
  std::string text(kMaxFileBytes + 1, '\0');
  WipeOnExit wipe_text{&text};
  in.read(text.data(), kMaxFileBytes + 1);
  if (in.bad() || !in.is_open()) {
    return absl::InvalidArgumentError(
        absl::StrCat("convergence secret file ", path, " cannot be read: ", std::strerror(errno)));
  }
  text.resize(static_cast<size_t>(in.gcount()));
  absl::StatusOr<SecretBytes> secret = ParseConvergenceSecret(text);
  if (!secret.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("convergence secret file ", path, " ", secret.status().message()));
  }
  return secret;
}

absl::StatusOr<SecretBytes> ParseConvergenceSecret(absl::string_view text) {
  const absl::string_view digits = absl::StripAsciiWhitespace(text);
  const std::string shape_error =
      absl::StrCat("must hold ", 2 * kConvergenceSecretBytes,
                   " hex digits (make one with: openssl rand -hex ", kConvergenceSecretBytes, ")");
  if (digits.size() != 2 * kConvergenceSecretBytes) return absl::InvalidArgumentError(shape_error);
  absl::StatusOr<std::string> bytes = HexDecode(digits);
  if (!bytes.ok()) return absl::InvalidArgumentError(shape_error);
  WipeOnExit wipe_bytes{&*bytes};
  return SecretBytes(*bytes);
}

}  // namespace swarmkv
