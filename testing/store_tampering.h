// Damage done to a store's files from outside, as a failing disk or an attacker holding the
// files would do it: for the store's and the scrub's tests.
#ifndef SWARMKV_TESTING_STORE_TAMPERING_H_
#define SWARMKV_TESTING_STORE_TAMPERING_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "crypto/cid.h"
#include "crypto/secret_bytes.h"
#include "rocksdb/db.h"

namespace swarmkv::testing {

// Opens the RocksDB in `dir` directly (every column family; the store must be closed), without
// the storage key, and runs `fn` on it. Handle 1 is the "blocks" family.
void WithRawDb(
    const std::string& dir,
    const std::function<void(rocksdb::DB*, std::vector<rocksdb::ColumnFamilyHandle*>&)>& fn);

// Flips one bit in the middle of block `cid`'s stored (sealed) value.
void FlipBitOfBlock(const std::string& dir, const Cid& cid);

// Seals `bytes` under `storage_key` as the value of block `cid`, as a faulty write path (or a
// holder of the storage key) could: the at-rest tag is valid, the bytes are not the CID's.
void SealWrongBytes(const std::string& dir, const SecretBytes& storage_key, const Cid& cid,
                    absl::string_view bytes);

}  // namespace swarmkv::testing

#endif  // SWARMKV_TESTING_STORE_TAMPERING_H_
