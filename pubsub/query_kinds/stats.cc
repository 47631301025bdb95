#include "pubsub/query_kinds/stats.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"

namespace swarmkv {
namespace {

class StatsQuery final : public QueryKind {
 public:
  absl::Status CheckArgument(absl::string_view argument) const override {
    if (!argument.empty()) return absl::InvalidArgumentError("STATS takes no argument");
    return absl::OkStatus();
  }

  absl::StatusOr<Answer> Evaluate(absl::string_view, const QuerySubject& subject) const override {
    const NodeFigures figures = subject.Figures();
    return Answer(std::vector<std::string>{absl::StrCat("version=", figures.version),
                                           absl::StrCat("blocks=", figures.blocks),
                                           absl::StrCat("stored_bytes=", figures.stored_bytes),
                                           absl::StrCat("pinned_roots=", figures.pinned_roots),
                                           absl::StrCat("peers=", figures.peers)});
  }
};

}  // namespace

std::unique_ptr<QueryKind> MakeStatsQuery() { return std::make_unique<StatsQuery>(); }

}  // namespace swarmkv
