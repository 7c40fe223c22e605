#pragma once

// Client certificates minted on the spot (OpenSSL), valid when a test says: expired ones, ones not valid yet,
// ones signed by the test cluster's client CA (DIR/ca.crt, DIR/ca.key) or self-signed.

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <chrono>
#include <memory>
#include <string>

namespace lanedeck::testing {

struct MintedCertificate
{
    std::string certificatePem;
    std::string keyPem; ///< empty when minting failed
};

/// A P-256 client certificate for user `commonName` in group `organization`, valid from notBefore to
/// notAfter, signed by the CA given as PEM, or self-signed when caCertificatePem is empty.
inline MintedCertificate mintClientCertificate(const std::string &commonName, const std::string &organization,
                                               std::chrono::system_clock::time_point notBefore,
                                               std::chrono::system_clock::time_point notAfter,
                                               const std::string &caCertificatePem = {},
                                               const std::string &caKeyPem = {})
{
    using Key = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
    using Cert = std::unique_ptr<X509, decltype(&X509_free)>;
    using Bio = std::unique_ptr<BIO, decltype(&BIO_free)>;
    auto toPem = [](auto write) {
        Bio bio(BIO_new(BIO_s_mem()), BIO_free);
        write(bio.get());
        char *data = nullptr;
        const long size = BIO_get_mem_data(bio.get(), &data);
        return std::string(data, static_cast<std::size_t>(size));
    };
    Key key(EVP_EC_gen("P-256"), EVP_PKEY_free);
    Cert certificate(X509_new(), X509_free);
    X509_set_version(certificate.get(), 2);
    ASN1_INTEGER_set(
        X509_get_serialNumber(certificate.get()),
        static_cast<long>(std::chrono::system_clock::now().time_since_epoch().count() & 0x7fffffff));
    ASN1_TIME_set(X509_getm_notBefore(certificate.get()), std::chrono::system_clock::to_time_t(notBefore));
    ASN1_TIME_set(X509_getm_notAfter(certificate.get()), std::chrono::system_clock::to_time_t(notAfter));
    X509_set_pubkey(certificate.get(), key.get());
    X509_NAME *subject = X509_get_subject_name(certificate.get());
    X509_NAME_add_entry_by_txt(subject, "O", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char *>(organization.c_str()), -1, -1, 0);
    X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char *>(commonName.c_str()), -1, -1, 0);
    X509_EXTENSION *usage = X509V3_EXT_conf_nid(nullptr, nullptr, NID_ext_key_usage, "clientAuth");
    X509_add_ext(certificate.get(), usage, -1);
    X509_EXTENSION_free(usage);

    Cert ca(nullptr, X509_free);
    Key caKey(nullptr, EVP_PKEY_free);
    if (!caCertificatePem.empty()) {
        Bio certBio(BIO_new_mem_buf(caCertificatePem.data(), static_cast<int>(caCertificatePem.size())),
                    BIO_free);
        Bio keyBio(BIO_new_mem_buf(caKeyPem.data(), static_cast<int>(caKeyPem.size())), BIO_free);
        ca.reset(PEM_read_bio_X509(certBio.get(), nullptr, nullptr, nullptr));
        caKey.reset(PEM_read_bio_PrivateKey(keyBio.get(), nullptr, nullptr, nullptr));
        if (!ca || !caKey) {
            return {};
        }
    }
    X509_set_issuer_name(certificate.get(), ca ? X509_get_subject_name(ca.get()) : subject);
    if (X509_sign(certificate.get(), caKey ? caKey.get() : key.get(), EVP_sha256()) <= 0) {
        return {};
    }
    return {toPem([&](BIO *b) { PEM_write_bio_X509(b, certificate.get()); }), toPem([&](BIO *b) {
                PEM_write_bio_PrivateKey(b, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
            })};
}

} // namespace lanedeck::testing
