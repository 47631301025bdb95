// API messages as JSON, one way for every place that prints them (the CLI's --json, the
// dashboard's status): the proto3 JSON mapping with node.proto's own field names and every field
// present (zeros and empty strings too), so scripts can rely on the keys (docs/cli.md).
#ifndef SWARMKV_API_API_JSON_H_
#define SWARMKV_API_API_JSON_H_

#include <string>

#include "google/protobuf/message.h"

namespace swarmkv {

// One line, no trailing newline; "{}" should the message hold invalid UTF-8 in a string field.
std::string ApiJson(const google::protobuf::Message& message);

}  // namespace swarmkv

#endif  // SWARMKV_API_API_JSON_H_
