#include "crypto/tls_certificate.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/status_matchers.h"

namespace swarmkv {
namespace {

using ::swarmkv::testing::StatusIs;

TEST(TlsCertificateTest, CertificateProvesTheIdentity) {
  const Identity identity = Identity::Generate();
  SWARMKV_ASSERT_OK_AND_ASSIGN(TlsCertificate cert,
                               MakeSelfSignedCertificate(identity, absl::Now()));
  EXPECT_THAT(cert.certificate_pem, ::testing::StartsWith("-----BEGIN CERTIFICATE-----"));
  EXPECT_THAT(std::string(cert.private_key_pem.view()),
              ::testing::StartsWith("-----BEGIN PRIVATE KEY-----"));
  SWARMKV_ASSERT_OK_AND_ASSIGN(NodeId id, PeerIdFromCertificate(cert.certificate_pem));
  EXPECT_EQ(id, identity.node_id());
}

TEST(TlsCertificateTest, GarbageAndTamperedCertificatesAreRefused) {
  EXPECT_THAT(PeerIdFromCertificate(""), StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(PeerIdFromCertificate("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"),
              StatusIs(absl::StatusCode::kPermissionDenied));
  SWARMKV_ASSERT_OK_AND_ASSIGN(TlsCertificate cert,
                               MakeSelfSignedCertificate(Identity::Generate(), absl::Now()));
  // Flip one base64 character inside the body: either unparseable or a broken signature.
  for (size_t at : {100u, 200u, 300u}) {
    std::string tampered = cert.certificate_pem;
    tampered[at] = tampered[at] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(PeerIdFromCertificate(tampered).ok()) << at;
  }
}

}  // namespace
}  // namespace swarmkv
