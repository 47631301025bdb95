#include "crypto/key_file.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/status_macros.h"
#include "crypto/aead.h"
#include "crypto/sodium.h"

namespace swarmkv {
namespace {

// Layout (all integers little-endian):
//   magic "SKVKEY1\n" | kind u8 | protection u8 |
//   protection 0: key bytes
//   protection 1: salt[16] | ops_limit u64 | mem_limit u64 | nonce|ciphertext|tag of the key,
//                 with everything before it as associated data.
constexpr absl::string_view kMagic = "SKVKEY1\n";
constexpr uint8_t kUnprotected = 0;
constexpr uint8_t kPassphrase = 1;
constexpr size_t kSaltBytes = crypto_pwhash_SALTBYTES;
// Bounds on the Argon2id cost read from a file, so a doctored file cannot stall the node.
constexpr uint64_t kMaxOpsLimit = 16;
constexpr uint64_t kMaxMemLimit = 1ull << 30;

absl::string_view KindName(KeyKind kind) {
  switch (kind) {
    case KeyKind::kIdentity:
      return "identity key";
    case KeyKind::kStorage:
      return "storage key";
    case KeyKind::kConvergence:
      return "convergence secret";
  }
  return "unknown key";
}

void AppendU64(uint64_t v, std::string* out) {
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint64_t ReadU64(absl::string_view s) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(s[i]);
  return v;
}

absl::StatusOr<SecretBytes> DeriveWrappingKey(const SecretBytes& passphrase, absl::string_view salt,
                                              uint64_t ops, uint64_t mem) {
  SecretBytes key(kAeadKeyBytes);
  if (crypto_pwhash(key.data(), key.size(), reinterpret_cast<const char*>(passphrase.data()),
                    passphrase.size(), reinterpret_cast<const unsigned char*>(salt.data()), ops,
                    static_cast<size_t>(mem), crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return absl::ResourceExhaustedError(
        absl::StrCat("Argon2id could not allocate ", mem >> 20, " MiB to unwrap the key"));
  }
  return key;
}

absl::Status ErrnoStatus(absl::string_view what, const std::string& path) {
  const int err = errno;
  const std::string msg = absl::StrCat(what, " ", path, ": ", std::strerror(err));
  if (err == ENOENT) return absl::NotFoundError(msg);
  if (err == EACCES || err == EPERM) return absl::PermissionDeniedError(msg);
  return absl::UnavailableError(msg);
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

absl::Status WriteAll(int fd, absl::string_view data, const std::string& path) {
  while (!data.empty()) {
    const ssize_t n = write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("cannot write key file", path);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

std::string DirName(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace

absl::Status WriteKeyFile(const std::string& path, KeyKind kind, const SecretBytes& key,
                          const SecretBytes* passphrase, PassphraseCost cost) {
  EnsureSodium();
  struct stat st;
  if (lstat(path.c_str(), &st) == 0) {
    return absl::AlreadyExistsError(
        absl::StrCat("key file ", path, " exists; swarmkv never overwrites a key"));
  }
  const bool protect = passphrase != nullptr && !passphrase->empty();
  std::string contents(kMagic);
  contents.push_back(static_cast<char>(kind));
  contents.push_back(static_cast<char>(protect ? kPassphrase : kUnprotected));
  if (protect) {
    std::string salt(kSaltBytes, '\0');
    randombytes_buf(salt.data(), salt.size());
    contents += salt;
    AppendU64(cost.ops_limit, &contents);
    AppendU64(cost.mem_limit, &contents);
    SWARMKV_ASSIGN_OR_RETURN(SecretBytes wrap,
                             DeriveWrappingKey(*passphrase, salt, cost.ops_limit, cost.mem_limit));
    const std::string ad = contents;
    SealWithRandomNonce(wrap, key.view(), ad, &contents);
  } else {
    contents.append(key.view().data(), key.view().size());
  }

  const std::string tmp = path + ".tmp";
  unlink(tmp.c_str());  // a leftover from a crash mid-write holds nothing we need
  {
    Fd fd(open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (fd.get() < 0) return ErrnoStatus("cannot create key file", tmp);
    absl::Status st_write = WriteAll(fd.get(), contents, tmp);
    sodium_memzero(contents.data(), contents.size());
    if (!st_write.ok()) return st_write;
    if (fsync(fd.get()) != 0) return ErrnoStatus("cannot sync key file", tmp);
  }
  if (rename(tmp.c_str(), path.c_str()) != 0) return ErrnoStatus("cannot rename key file", tmp);
  Fd dir(open(DirName(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() >= 0) fsync(dir.get());
  return absl::OkStatus();
}

absl::StatusOr<SecretBytes> ReadKeyFile(const std::string& path, KeyKind kind,
                                        const SecretBytes* passphrase) {
  EnsureSodium();
  Fd fd(open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (fd.get() < 0) return ErrnoStatus("cannot open key file", path);
  struct stat st;
  if (fstat(fd.get(), &st) != 0) return ErrnoStatus("cannot stat key file", path);
  if (!S_ISREG(st.st_mode)) {
    return absl::InvalidArgumentError(absl::StrCat("key file ", path, " is not a regular file"));
  }
  if ((st.st_mode & 077) != 0) {
    return absl::PermissionDeniedError(
        absl::StrFormat("key file %s has mode %04o and others can read it; run: chmod 600 %s", path,
                        st.st_mode & 07777, path));
  }
  if (st.st_size > static_cast<off_t>(kMaxKeyFileBytes)) {
    return absl::DataLossError(absl::StrCat("key file ", path, " is ", st.st_size,
                                            " bytes; key files are at most ", kMaxKeyFileBytes));
  }
  SecretBytes raw(static_cast<size_t>(st.st_size));
  size_t got = 0;
  while (got < raw.size()) {
    const ssize_t n = read(fd.get(), raw.data() + got, raw.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return ErrnoStatus("cannot read key file", path);
    got += static_cast<size_t>(n);
  }
  absl::string_view data = raw.view();
  const size_t header = kMagic.size() + 2;
  if (data.size() < header || data.substr(0, kMagic.size()) != kMagic) {
    return absl::DataLossError(absl::StrCat("key file ", path, " is damaged (bad header)"));
  }
  const auto file_kind = static_cast<KeyKind>(static_cast<uint8_t>(data[kMagic.size()]));
  const uint8_t protection = static_cast<uint8_t>(data[kMagic.size() + 1]);
  if (file_kind != kind) {
    return absl::InvalidArgumentError(absl::StrCat(
        "key file ", path, " holds a ", KindName(file_kind), ", not a ", KindName(kind)));
  }
  if (protection == kUnprotected) return SecretBytes(data.substr(header));
  if (protection != kPassphrase) {
    return absl::DataLossError(absl::StrCat("key file ", path, " has an unknown protection"));
  }
  const size_t params_end = header + kSaltBytes + 16;
  if (data.size() < params_end + kAeadNonceBytes + kAeadTagBytes) {
    return absl::DataLossError(absl::StrCat("key file ", path, " is truncated"));
  }
  if (passphrase == nullptr || passphrase->empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("key file ", path, " is protected by a passphrase; provide it"));
  }
  const uint64_t ops = ReadU64(data.substr(header + kSaltBytes, 8));
  const uint64_t mem = ReadU64(data.substr(header + kSaltBytes + 8, 8));
  if (ops < crypto_pwhash_OPSLIMIT_MIN || ops > kMaxOpsLimit || mem < crypto_pwhash_MEMLIMIT_MIN ||
      mem > kMaxMemLimit) {
    return absl::DataLossError(
        absl::StrCat("key file ", path, " asks for an out-of-range Argon2id cost"));
  }
  SWARMKV_ASSIGN_OR_RETURN(
      SecretBytes wrap, DeriveWrappingKey(*passphrase, data.substr(header, kSaltBytes), ops, mem));
  std::string plain;
  if (!OpenWithRandomNonce(wrap, data.substr(params_end), data.substr(0, params_end), &plain)) {
    return absl::PermissionDeniedError(
        absl::StrCat("wrong passphrase for key file ", path, " (or the file is damaged)"));
  }
  SecretBytes key(plain);
  sodium_memzero(plain.data(), plain.size());
  return key;
}

absl::StatusOr<SecretBytes> LoadOrCreateKeyFile(const std::string& path, KeyKind kind, size_t size,
                                                const SecretBytes* passphrase,
                                                PassphraseCost cost) {
  auto existing = ReadKeyFile(path, kind, passphrase);
  if (!absl::IsNotFound(existing.status())) {
    if (existing.ok() && existing->size() != size) {
      return absl::DataLossError(absl::StrCat("key file ", path, " holds ", existing->size(),
                                              " bytes; a ", KindName(kind), " is ", size));
    }
    return existing;
  }
  SecretBytes key = SecretBytes::Random(size);
  SWARMKV_RETURN_IF_ERROR(WriteKeyFile(path, kind, key, passphrase, cost));
  return key;
}

}  // namespace swarmkv
