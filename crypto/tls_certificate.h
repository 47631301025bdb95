// TLS certificates bound to a node's identity (DESIGN §3.3, the libp2p-tls / Syncthing model):
// each node presents a self-signed X.509 certificate whose key *is* its Ed25519 identity key, so
// a peer's NodeId is the SHA-256 of the public key in the certificate it proves it holds during
// the TLS 1.3 handshake. No CA is involved; trust is "this certificate is the id I meant".
#ifndef SWARMKV_CRYPTO_TLS_CERTIFICATE_H_
#define SWARMKV_CRYPTO_TLS_CERTIFICATE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "crypto/identity.h"
#include "crypto/secret_bytes.h"

namespace swarmkv {

// The host name in every node certificate and the server name diallers send (not a trust
// anchor: see MakeSelfSignedCertificate).
inline constexpr char kTlsServerName[] = "swarmkv";

struct TlsCertificate {
  std::string certificate_pem;  // self-signed, subject CN = the node id
  SecretBytes private_key_pem;  // the identity key in PKCS#8 PEM
};

// A fresh self-signed certificate for `identity`, valid from an hour before `now` for ten years
// (the identity, not the certificate, is what peers trust; a node makes a new one at each start).
absl::StatusOr<TlsCertificate> MakeSelfSignedCertificate(const Identity& identity, absl::Time now);

// The NodeId a peer's certificate proves: PERMISSION_DENIED unless `pem` is one X.509 certificate
// with an Ed25519 key that signs the certificate itself. (The TLS handshake has already proven
// the peer holds that key.)
absl::StatusOr<NodeId> PeerIdFromCertificate(absl::string_view pem);

}  // namespace swarmkv

#endif  // SWARMKV_CRYPTO_TLS_CERTIFICATE_H_
