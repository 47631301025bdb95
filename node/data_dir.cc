#include "node/data_dir.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/status_macros.h"
#include "crypto/aead.h"
#include "crypto/key_file.h"

namespace swarmkv {

std::string DefaultDataDir() {
  if (const char* dir = std::getenv("SWARMKV_DATA_DIR"); dir != nullptr && *dir != '\0') {
    return dir;
  }
  const char* home = std::getenv("HOME");
  return absl::StrCat(home != nullptr && *home != '\0' ? home : ".", "/.swarmkv");
}

absl::StatusOr<DataDir> DataDir::Open(const std::string& path, BlockStoreOptions options,
                                      const SecretBytes* passphrase,
                                      const SecretBytes* shared_convergence_secret) {
  if (mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) {
    return absl::PermissionDeniedError(
        absl::StrCat("cannot create data directory ", path, ": ", std::strerror(errno)));
  }
  // Keys and the store live here: a directory others may write to could have them swapped or
  // removed under the node (issue 15 finding 9).
  struct stat info;
  if (stat(path.c_str(), &info) != 0) {
    return absl::PermissionDeniedError(
        absl::StrCat("cannot read data directory ", path, ": ", std::strerror(errno)));
  }
  if (!S_ISDIR(info.st_mode)) {
    return absl::FailedPreconditionError(absl::StrCat(path, " is not a directory"));
  }
  if ((info.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("data directory ", path, " is writable by other users (mode ",
                     absl::StrFormat("%04o", info.st_mode & 07777), "); run: chmod 700 ", path));
  }
  DataDir dir;
  dir.path_ = path;
  SWARMKV_ASSIGN_OR_RETURN(Identity identity, Identity::LoadOrCreate(path + "/identity.key"));
  dir.identity_ = std::make_unique<Identity>(std::move(identity));
  if (shared_convergence_secret != nullptr) {
    dir.convergence_secret_ = shared_convergence_secret->Clone();
  } else {
    SWARMKV_ASSIGN_OR_RETURN(
        dir.convergence_secret_,
        LoadOrCreateKeyFile(path + "/convergence.key", KeyKind::kConvergence, 32));
  }
  SWARMKV_ASSIGN_OR_RETURN(
      SecretBytes storage_key,
      LoadOrCreateKeyFile(path + "/storage.key", KeyKind::kStorage, kAeadKeyBytes, passphrase));
  SWARMKV_ASSIGN_OR_RETURN(dir.store_, BlockStore::Open(path + "/store", storage_key, options));
  return dir;
}

}  // namespace swarmkv
