#pragma once

#include "base/result.h"

#include <chrono>
#include <string>
#include <string_view>

namespace lanedeck::kube {

/// What LaneDeck tells a user about an X.509 client certificate: whom it names and when it is valid. A
/// certificate is public: none of this is a secret (the key is never read here).
struct CertificateInfo
{
    std::string commonName; ///< the subject's CN (the Kubernetes user name), empty when it has none
    std::chrono::system_clock::time_point notBefore;
    std::chrono::system_clock::time_point notAfter;
};

/// Reads the first certificate of a PEM text, such as a kubeconfig's client-certificate-data.
Result<CertificateInfo> readCertificate(std::string_view pem);

/// Why the certificate is not valid at `now` ("expired at 2024-05-01T12:00:00Z"), or empty when it is.
std::string validityProblem(const CertificateInfo &certificate, std::chrono::system_clock::time_point now);

/// RFC 3339 in UTC, to the second: "2024-05-01T12:00:00Z".
std::string formatUtc(std::chrono::system_clock::time_point when);

} // namespace lanedeck::kube
