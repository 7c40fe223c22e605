#include "kube/certificate.h"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <climits>
#include <ctime>
#include <memory>
#include <optional>

namespace lanedeck::kube {
namespace {

using Clock = std::chrono::system_clock;

std::optional<Clock::time_point> toTimePoint(const ASN1_TIME *time)
{
    std::tm tm{};
    if (!time || ASN1_TIME_to_tm(time, &tm) != 1) {
        return std::nullopt;
    }
    return Clock::from_time_t(timegm(&tm));
}

std::string commonNameOf(X509 *certificate)
{
    X509_NAME *subject = X509_get_subject_name(certificate);
    const int index = subject ? X509_NAME_get_index_by_NID(subject, NID_commonName, -1) : -1;
    if (index < 0) {
        return {};
    }
    unsigned char *utf8 = nullptr;
    const int length =
        ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index)));
    if (length < 0) {
        return {};
    }
    std::string name(reinterpret_cast<const char *>(utf8), static_cast<std::size_t>(length));
    OPENSSL_free(utf8);
    return name;
}

/// A PEM block may claim to be encrypted; OpenSSL's default would then ask for a pass phrase on the terminal.
int noPassphrase(char *, int, int, void *)
{
    return 0;
}

} // namespace

Result<CertificateInfo> readCertificate(std::string_view pem)
{
    if (pem.size() > static_cast<std::size_t>(INT_MAX)) {
        return Error{"not a PEM certificate"};
    }
    const std::unique_ptr<BIO, decltype(&BIO_free)> bio(
        BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
    const std::unique_ptr<X509, decltype(&X509_free)> certificate(
        bio ? PEM_read_bio_X509(bio.get(), nullptr, noPassphrase, nullptr) : nullptr, X509_free);
    // OpenSSL queues errors per thread, and libcurl reports the queue's errors as its own: leave it empty.
    ERR_clear_error();
    if (!certificate) {
        return Error{"not a PEM certificate"};
    }
    const auto notBefore = toTimePoint(X509_get0_notBefore(certificate.get()));
    const auto notAfter = toTimePoint(X509_get0_notAfter(certificate.get()));
    if (!notBefore || !notAfter) {
        return Error{"the certificate's validity period cannot be read"};
    }
    return CertificateInfo{commonNameOf(certificate.get()), *notBefore, *notAfter};
}

std::string validityProblem(const CertificateInfo &certificate, std::chrono::system_clock::time_point now)
{
    if (now > certificate.notAfter) {
        return "expired at " + formatUtc(certificate.notAfter);
    }
    if (now < certificate.notBefore) {
        return "is not valid before " + formatUtc(certificate.notBefore) +
               " (is this computer's clock right?)";
    }
    return {};
}

std::string formatUtc(std::chrono::system_clock::time_point when)
{
    const std::time_t t = Clock::to_time_t(when);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return text;
}

} // namespace lanedeck::kube
