// The media type of content from its first bytes, for the gateway's Content-Type: a small part
// of the WHATWG MIME Sniffing rules (the signatures browsers and IPFS gateways recognise).
#ifndef SWARMKV_GATEWAY_CONTENT_TYPE_H_
#define SWARMKV_GATEWAY_CONTENT_TYPE_H_

#include <string>

#include "absl/strings/string_view.h"

namespace swarmkv {

// How many first bytes SniffContentType looks at (more are ignored).
inline constexpr size_t kSniffBytes = 512;

// The type of content beginning with `head`: a known signature, else "text/plain;
// charset=utf-8" for text without control bytes, else "application/octet-stream".
std::string SniffContentType(absl::string_view head);

}  // namespace swarmkv

#endif  // SWARMKV_GATEWAY_CONTENT_TYPE_H_
