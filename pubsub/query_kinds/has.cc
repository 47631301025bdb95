#include "pubsub/query_kinds/has.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"

namespace swarmkv {
namespace {

class HasQuery final : public QueryKind {
 public:
  absl::Status CheckArgument(absl::string_view argument) const override {
    absl::StatusOr<Cid> cid = Cid::Parse(argument);
    if (!cid.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("HAS takes a CID: ", cid.status().message()));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<Answer> Evaluate(absl::string_view argument,
                                  const QuerySubject& subject) const override {
    absl::StatusOr<Cid> cid = Cid::Parse(argument);
    if (!cid.ok()) return cid.status();
    absl::StatusOr<bool> has = subject.HasBlock(*cid);
    if (!has.ok()) return has.status();
    if (!*has) return Answer();  // silent: only holders answer
    absl::StatusOr<bool> pinned = subject.IsPinned(*cid);
    if (!pinned.ok()) return pinned.status();
    return Answer(std::vector<std::string>{absl::StrCat("cid=", cid->ToString()),
                                           absl::StrCat("pinned=", *pinned ? "true" : "false")});
  }
};

}  // namespace

std::unique_ptr<QueryKind> MakeHasQuery() { return std::make_unique<HasQuery>(); }

}  // namespace swarmkv
