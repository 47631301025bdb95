// The node's data directory: key files and the RocksDB store (docs/storage-layout.md).
//
//   <data>/identity.key     Ed25519 identity (0600)
//   <data>/storage.key      at-rest sealing key (0600; optionally passphrase-wrapped)
//   <data>/convergence.key  convergence secret, when the cluster shares none (0600)
//   <data>/store/           RocksDB
#ifndef SWARMKV_NODE_DATA_DIR_H_
#define SWARMKV_NODE_DATA_DIR_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "crypto/identity.h"
#include "crypto/secret_bytes.h"
#include "storage/block_store.h"

namespace swarmkv {

// $SWARMKV_DATA_DIR, else $HOME/.swarmkv.
std::string DefaultDataDir();

class DataDir {
 public:
  // Opens `path`, creating it (mode 0700) and any missing key on first use. A passphrase, when
  // given, protects a new storage key and is needed to open an existing protected one. A
  // `shared_convergence_secret` (the cluster's) is used instead of <data>/convergence.key, which
  // is then neither read nor made.
  static absl::StatusOr<DataDir> Open(const std::string& path, BlockStoreOptions options = {},
                                      const SecretBytes* passphrase = nullptr,
                                      const SecretBytes* shared_convergence_secret = nullptr);

  DataDir(DataDir&&) = default;
  DataDir& operator=(DataDir&&) = default;

  const std::string& path() const { return path_; }
  const Identity& identity() const { return *identity_; }
  const SecretBytes& convergence_secret() const { return convergence_secret_; }
  BlockStore& store() { return *store_; }

 private:
  DataDir() = default;
  std::string path_;
  std::unique_ptr<Identity> identity_;
  SecretBytes convergence_secret_;
  std::unique_ptr<BlockStore> store_;
};

}  // namespace swarmkv

#endif  // SWARMKV_NODE_DATA_DIR_H_
