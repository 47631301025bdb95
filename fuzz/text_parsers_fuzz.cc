// The small text parsers a user or a peer feeds: node ids, bootstrap entries, host:port, record
// names, hash function and content mode names, the convergence secret file. Each one either
// refuses with INVALID_ARGUMENT (nullopt for host:port) or returns something that prints back.
#include <cstdint>
#include <string>

#include "base/host_port.h"
#include "crypto/identity.h"
#include "crypto/multihash.h"
#include "fuzz/fuzz_check.h"
#include "node/convergence_secret.h"
#include "records/record.h"
#include "replication/swarm.h"
#include "storage/manifest.h"

SWARMKV_FUZZ_QUIET_LOGS()

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view text(reinterpret_cast<const char*>(data), size);

  if (auto id = swarmkv::NodeId::Parse(text); id.ok()) FUZZ_CHECK(id->ToString() == text);

  if (auto hp = swarmkv::ParseHostPort(text); hp.has_value()) {
    FUZZ_CHECK(hp->port >= 0 && hp->port <= 65535);
    FUZZ_CHECK(!hp->host.empty());
  }

  if (auto entry = swarmkv::ParseBootstrapEntry(text); !entry.ok()) {
    FUZZ_CHECK(absl::IsInvalidArgument(entry.status()));
  }

  if (auto name = swarmkv::ParseRecordName(text); name.ok()) {
    FUZZ_CHECK(!name->key.empty());
  } else {
    FUZZ_CHECK(absl::IsInvalidArgument(name.status()));
  }

  if (auto f = swarmkv::ParseHashFunction(text); f.ok()) {
    FUZZ_CHECK(swarmkv::HashFunctionName(*f) == text);
  }
  if (auto mode = swarmkv::ParseContentMode(text); mode.ok()) {
    FUZZ_CHECK(swarmkv::ContentModeName(*mode) == text);
  }

  if (auto secret = swarmkv::ParseConvergenceSecret(text); secret.ok()) {
    FUZZ_CHECK(secret->size() == swarmkv::kConvergenceSecretBytes);
  } else {
    FUZZ_CHECK(absl::IsInvalidArgument(secret.status()));
  }
  return 0;
}
