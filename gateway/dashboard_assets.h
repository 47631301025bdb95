// The dashboard's static files (gateway/dashboard/), compiled into the binary by
// cmake/embed_files.cmake: the node serves them with nothing on disk and no package registry.
#ifndef SWARMKV_GATEWAY_DASHBOARD_ASSETS_H_
#define SWARMKV_GATEWAY_DASHBOARD_ASSETS_H_

#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace swarmkv {

struct DashboardAsset {
  absl::string_view name;  // "index.html", relative to gateway/dashboard/
  absl::string_view content_type;
  absl::string_view body;
};

absl::Span<const DashboardAsset> DashboardAssets();

}  // namespace swarmkv

#endif  // SWARMKV_GATEWAY_DASHBOARD_ASSETS_H_
