#include "testing/store_tampering.h"

#include "crypto/aead.h"
#include "gtest/gtest.h"

namespace swarmkv::testing {

void WithRawDb(
    const std::string& dir,
    const std::function<void(rocksdb::DB*, std::vector<rocksdb::ColumnFamilyHandle*>&)>& fn) {
  std::vector<std::string> names;
  ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir, &names).ok());
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const auto& n : names) descriptors.emplace_back(n, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(rocksdb::DBOptions(), dir, descriptors, &handles, &db).ok());
  ASSERT_EQ(handles[1]->GetName(), "blocks");
  fn(db, handles);
  for (auto* h : handles) ASSERT_TRUE(db->DestroyColumnFamilyHandle(h).ok());
  delete db;
}

void FlipBitOfBlock(const std::string& dir, const Cid& cid) {
  WithRawDb(dir, [&](rocksdb::DB* db, std::vector<rocksdb::ColumnFamilyHandle*>& cfs) {
    std::string value;
    ASSERT_TRUE(db->Get(rocksdb::ReadOptions(), cfs[1], cid.ToBytes(), &value).ok());
    value[value.size() / 2] ^= 0x01;
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), cfs[1], cid.ToBytes(), value).ok());
  });
}

void SealWrongBytes(const std::string& dir, const SecretBytes& storage_key, const Cid& cid,
                    absl::string_view bytes) {
  WithRawDb(dir, [&](rocksdb::DB* db, std::vector<rocksdb::ColumnFamilyHandle*>& cfs) {
    const std::string ad = std::string(1, 'b') + cid.ToBytes();  // storage-layout.md: tag + key
    std::string sealed;
    SealWithRandomNonce(storage_key, bytes, ad, &sealed);
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), cfs[1], cid.ToBytes(), sealed).ok());
  });
}

}  // namespace swarmkv::testing
