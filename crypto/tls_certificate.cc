#include "crypto/tls_certificate.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "openssl/bio.h"
#include "openssl/evp.h"
#include "openssl/pem.h"
#include "openssl/rand.h"
#include "openssl/x509.h"
#include "openssl/x509v3.h"

namespace swarmkv {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;

std::string BioContents(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return std::string(data, size > 0 ? static_cast<size_t>(size) : 0);
}

absl::Status Internal(absl::string_view what) {
  return absl::InternalError(absl::StrCat("TLS certificate: ", what, " failed in OpenSSL"));
}

}  // namespace

absl::StatusOr<TlsCertificate> MakeSelfSignedCertificate(const Identity& identity, absl::Time now) {
  const SecretBytes seed = identity.Seed();
  PkeyPtr key(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size()));
  if (key == nullptr) return Internal("loading the identity key");

  X509Ptr cert(X509_new());
  if (cert == nullptr || X509_set_version(cert.get(), 2) != 1) return Internal("X509_new");
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof(serial)) != 1) return Internal("serial number");
  serial[0] &= 0x7f;  // a positive INTEGER
  BIGNUM* serial_bn = BN_bin2bn(serial, sizeof(serial), nullptr);
  const bool serial_ok =
      serial_bn != nullptr &&
      BN_to_ASN1_INTEGER(serial_bn, X509_get_serialNumber(cert.get())) != nullptr;
  BN_free(serial_bn);
  if (!serial_ok) return Internal("serial number");

  time_t start = absl::ToTimeT(now - absl::Hours(1));
  if (X509_time_adj_ex(X509_getm_notBefore(cert.get()), 0, 0, &start) == nullptr ||
      X509_time_adj_ex(X509_getm_notAfter(cert.get()), 3650, 0, &start) == nullptr) {
    return Internal("validity");
  }
  const std::string common_name = identity.node_id().ToString();
  X509_NAME* name = X509_get_subject_name(cert.get());
  if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                 reinterpret_cast<const unsigned char*>(common_name.c_str()), -1,
                                 -1, 0) != 1 ||
      X509_set_issuer_name(cert.get(), name) != 1 || X509_set_pubkey(cert.get(), key.get()) != 1) {
    return Internal("subject");
  }
  // Every node's certificate names the same host, "swarmkv", which diallers send as the TLS
  // server name: identity is the key, never a host name, and the name only keeps TLS stacks from
  // complaining that an IP address matches nothing.
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, cert.get(), cert.get(), nullptr, nullptr, 0);
  X509_EXTENSION* san = X509V3_EXT_conf_nid(nullptr, &context, NID_subject_alt_name,
                                            absl::StrCat("DNS:", kTlsServerName).c_str());
  const bool san_ok = san != nullptr && X509_add_ext(cert.get(), san, -1) == 1;
  X509_EXTENSION_free(san);
  if (!san_ok) return Internal("subject alternative name");
  // Ed25519 signs the whole message itself: no separate digest.
  if (X509_sign(cert.get(), key.get(), nullptr) <= 0) return Internal("signing");

  BioPtr cert_bio(BIO_new(BIO_s_mem()));
  BioPtr key_bio(BIO_new(BIO_s_mem()));
  if (cert_bio == nullptr || key_bio == nullptr ||
      PEM_write_bio_X509(cert_bio.get(), cert.get()) != 1 ||
      PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) !=
          1) {
    return Internal("PEM encoding");
  }
  TlsCertificate out;
  out.certificate_pem = BioContents(cert_bio.get());
  {
    char* data = nullptr;
    const long size = BIO_get_mem_data(key_bio.get(), &data);
    out.private_key_pem = SecretBytes(absl::string_view(data, size > 0 ? size : 0));
    OPENSSL_cleanse(data, size > 0 ? size : 0);
  }
  return out;
}

absl::StatusOr<NodeId> PeerIdFromCertificate(absl::string_view pem) {
  if (pem.empty() || pem.size() > 16 * 1024) {
    return absl::PermissionDeniedError("peer certificate is missing or oversized");
  }
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (bio == nullptr) return Internal("BIO_new_mem_buf");
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (cert == nullptr) return absl::PermissionDeniedError("peer certificate is not X.509 PEM");
  EVP_PKEY* key = X509_get0_pubkey(cert.get());
  if (key == nullptr || EVP_PKEY_id(key) != EVP_PKEY_ED25519) {
    return absl::PermissionDeniedError("peer certificate key is not Ed25519");
  }
  if (X509_verify(cert.get(), key) != 1) {
    return absl::PermissionDeniedError("peer certificate is not signed by its own key");
  }
  unsigned char raw[kPublicKeyBytes];
  size_t raw_size = sizeof(raw);
  if (EVP_PKEY_get_raw_public_key(key, raw, &raw_size) != 1 || raw_size != kPublicKeyBytes) {
    return absl::PermissionDeniedError("peer certificate key is malformed");
  }
  return NodeId::FromPublicKey(absl::string_view(reinterpret_cast<const char*>(raw), raw_size));
}

}  // namespace swarmkv
