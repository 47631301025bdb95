#include "pubsub/query_kinds/keys.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"

namespace swarmkv {
namespace {

// A publisher id (about 60 characters), a slash and a whole key (256 bytes).
constexpr size_t kMaxKeysPrefixBytes = 320;

class KeysQuery final : public QueryKind {
 public:
  absl::Status CheckArgument(absl::string_view argument) const override {
    if (argument.size() > kMaxKeysPrefixBytes) {
      return absl::InvalidArgumentError(
          absl::StrCat("a KEYS prefix is at most ", kMaxKeysPrefixBytes, " bytes"));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<Answer> Evaluate(absl::string_view prefix,
                                  const QuerySubject& subject) const override {
    absl::StatusOr<std::vector<std::string>> names = subject.RecordNames(prefix, kMaxKeysPerAnswer);
    if (!names.ok()) return names.status();
    if (names->empty()) return Answer();  // silent: only nodes with matching records answer
    return Answer(*std::move(names));
  }
};

}  // namespace

std::unique_ptr<QueryKind> MakeKeysQuery() { return std::make_unique<KeysQuery>(); }

}  // namespace swarmkv
