// A fresh directory under $TMPDIR (or /tmp), removed with everything in it when destroyed.
#ifndef SWARMKV_TESTING_TEMP_DIR_H_
#define SWARMKV_TESTING_TEMP_DIR_H_

#include <string>

namespace swarmkv::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // path() + "/" + name.
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace swarmkv::testing

#endif  // SWARMKV_TESTING_TEMP_DIR_H_
