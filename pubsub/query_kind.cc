#include "pubsub/query_kind.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "pubsub/query_kinds/has.h"
#include "pubsub/query_kinds/keys.h"
#include "pubsub/query_kinds/pins.h"
#include "pubsub/query_kinds/stats.h"

namespace swarmkv {

void QueryKinds::Register(std::string name, std::unique_ptr<QueryKind> kind) {
  kinds_[absl::AsciiStrToUpper(name)] = std::move(kind);
}

const QueryKind* QueryKinds::Find(absl::string_view name) const {
  auto it = kinds_.find(absl::AsciiStrToUpper(name));
  return it == kinds_.end() ? nullptr : it->second.get();
}

std::vector<std::string> QueryKinds::names() const {
  std::vector<std::string> out;
  for (const auto& [name, kind] : kinds_) out.push_back(name);
  return out;
}

const QueryKinds& BuiltinQueryKinds() {
  static const QueryKinds* const kinds = [] {
    auto* registry = new QueryKinds;
    registry->Register("HAS", MakeHasQuery());
    registry->Register("STATS", MakeStatsQuery());
    registry->Register("PINS", MakePinsQuery());
    registry->Register("KEYS", MakeKeysQuery());
    return registry;
  }();
  return *kinds;
}

}  // namespace swarmkv
