#include "rpc/peer_tls.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "grpcpp/security/tls_certificate_provider.h"
#include "grpcpp/security/tls_certificate_verifier.h"
#include "grpcpp/security/tls_credentials_options.h"

namespace swarmkv {
namespace {

using grpc::experimental::ExternalCertificateVerifier;
using grpc::experimental::IdentityKeyCertPair;
using grpc::experimental::StaticDataCertificateProvider;
using grpc::experimental::TlsCustomVerificationCheckRequest;

// Checks the other side's certificate during the handshake.
class IdentityVerifier final : public ExternalCertificateVerifier {
 public:
  IdentityVerifier(std::optional<NodeId> expected, std::shared_ptr<ProvenId> proven)
      : expected_(expected), proven_(std::move(proven)) {}

  bool Verify(TlsCustomVerificationCheckRequest* request,
              std::function<void(grpc::Status)> /*callback*/, grpc::Status* sync_status) override {
    const grpc::string_ref pem = request->peer_cert();
    auto id = PeerIdFromCertificate(absl::string_view(pem.data(), pem.size()));
    if (!id.ok()) {
      *sync_status =
          grpc::Status(grpc::StatusCode::UNAUTHENTICATED, std::string(id.status().message()));
    } else if (expected_.has_value() && *id != *expected_) {
      *sync_status = grpc::Status(
          grpc::StatusCode::UNAUTHENTICATED,
          absl::StrCat("peer proved id ", id->ToString(), ", not ", expected_->ToString()));
    } else {
      if (proven_ != nullptr) proven_->Set(*id);
      *sync_status = grpc::Status::OK;
    }
    return true;  // decided synchronously
  }
  void Cancel(TlsCustomVerificationCheckRequest*) override {}

 private:
  const std::optional<NodeId> expected_;
  const std::shared_ptr<ProvenId> proven_;
};

std::shared_ptr<StaticDataCertificateProvider> OwnCertificate(const TlsCertificate& own) {
  std::vector<IdentityKeyCertPair> pairs = {
      IdentityKeyCertPair{std::string(own.private_key_pem.view()), own.certificate_pem}};
  return std::make_shared<StaticDataCertificateProvider>(std::move(pairs));
}

}  // namespace

std::shared_ptr<grpc::ChannelCredentials> PeerChannelCredentials(const TlsCertificate& own,
                                                                 std::optional<NodeId> expected,
                                                                 std::shared_ptr<ProvenId> proven) {
  grpc::experimental::TlsChannelCredentialsOptions options;
  options.set_certificate_provider(OwnCertificate(own));
  options.watch_identity_key_cert_pairs();
  // No CA: the verifier below is the whole trust decision.
  options.set_verify_server_certs(false);
  options.set_check_call_host(false);
  options.set_certificate_verifier(
      ExternalCertificateVerifier::Create<IdentityVerifier>(expected, std::move(proven)));
  return grpc::experimental::TlsCredentials(options);
}

std::shared_ptr<grpc::ServerCredentials> PeerServerCredentials(const TlsCertificate& own) {
  grpc::experimental::TlsServerCredentialsOptions options(OwnCertificate(own));
  options.watch_identity_key_cert_pairs();
  options.set_cert_request_type(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_BUT_DONT_VERIFY);
  options.set_certificate_verifier(
      ExternalCertificateVerifier::Create<IdentityVerifier>(std::nullopt, nullptr));
  return grpc::experimental::TlsServerCredentials(options);
}

absl::StatusOr<NodeId> CallerIds::Of(const grpc::CallbackServerContext& call) {
  std::shared_ptr<const grpc::AuthContext> auth = call.auth_context();
  if (auth == nullptr) return absl::PermissionDeniedError("peer call without TLS");
  std::vector<grpc::string_ref> certs = auth->FindPropertyValues("x509_pem_cert");
  if (certs.empty()) return absl::PermissionDeniedError("peer call without a client certificate");
  std::string pem(certs.front().data(), certs.front().size());
  {
    absl::MutexLock lock(&mu_);
    auto it = by_certificate_.find(pem);
    if (it != by_certificate_.end()) return it->second;
  }
  absl::StatusOr<NodeId> id = PeerIdFromCertificate(pem);
  if (!id.ok()) return id;
  absl::MutexLock lock(&mu_);
  if (by_certificate_.size() >= 4096) by_certificate_.clear();  // bounded; refills as needed
  by_certificate_.emplace(std::move(pem), *id);
  return id;
}

}  // namespace swarmkv
