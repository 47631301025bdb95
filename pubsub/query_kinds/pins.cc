#include "pubsub/query_kinds/pins.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"

namespace swarmkv {
namespace {

// A pin name is at most this long (as Pin accepts it), so the answer's items fit in a message.
constexpr size_t kMaxPinsPrefixBytes = 256;

class PinsQuery final : public QueryKind {
 public:
  absl::Status CheckArgument(absl::string_view argument) const override {
    if (argument.size() > kMaxPinsPrefixBytes) {
      return absl::InvalidArgumentError(
          absl::StrCat("a PINS prefix is at most ", kMaxPinsPrefixBytes, " bytes"));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<Answer> Evaluate(absl::string_view prefix,
                                  const QuerySubject& subject) const override {
    absl::StatusOr<std::vector<PinEntry>> pins = subject.Pins(prefix, kMaxPinsPerAnswer);
    if (!pins.ok()) return pins.status();
    if (pins->empty()) return Answer();  // silent: only nodes with matching pins answer
    std::vector<std::string> items;
    for (const PinEntry& pin : *pins)
      items.push_back(absl::StrCat(pin.root.ToString(), " ", pin.name));
    return Answer(std::move(items));
  }
};

}  // namespace

std::unique_ptr<QueryKind> MakePinsQuery() { return std::make_unique<PinsQuery>(); }

}  // namespace swarmkv
