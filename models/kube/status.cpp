#include "kube/status.h"

#include "base/utf8.h"

#include <QByteArray>

#include <nlohmann/json.hpp>

#include <algorithm>

namespace lanedeck::kube {
namespace {

using nlohmann::json;

/// The string member `key` of an object, or empty when it is missing or not a string.
std::string stringMember(const json &object, const char *key)
{
    const auto it = object.find(key);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

const json *objectMember(const json &object, const char *key)
{
    const auto it = object.find(key);
    return it != object.end() && it->is_object() ? &*it : nullptr;
}

} // namespace

ApiStatus parseStatus(std::string_view body, long httpStatus)
{
    ApiStatus status;
    status.httpStatus = httpStatus;
    const json j = json::parse(body, nullptr, false);
    if (j.is_object() && stringMember(j, "kind") == "Status") {
        status.message = displayText(stringMember(j, "message"), kMaxStatusMessageBytes);
        status.isStatus = !status.message.empty();
        if (const json *details = objectMember(j, "details")) {
            const auto causes = details->find("causes");
            if (causes != details->end() && causes->is_array()) {
                for (const auto &cause : *causes) {
                    if (status.causes.size() == kMaxStatusCauses) {
                        break;
                    }
                    if (cause.is_object()) {
                        status.causes.push_back(
                            {displayText(stringMember(cause, "reason"), kMaxCauseTextBytes),
                             displayText(stringMember(cause, "message"), kMaxCauseTextBytes),
                             displayText(stringMember(cause, "field"), kMaxCauseTextBytes)});
                    }
                }
            }
        }
    }
    if (!status.isStatus) {
        status.message = displayText(body, kMaxBodyQuoteBytes);
    }
    return status;
}

std::string ApiStatus::summary() const
{
    std::string text = "HTTP " + std::to_string(httpStatus);
    if (!message.empty()) {
        text += ": " + message;
    }
    if (httpStatus == 401) {
        text += " (the server did not accept the credentials of this kubeconfig user)";
    } else if (httpStatus == 403) {
        text += " (the kubeconfig user lacks the RBAC permission for this; ask for a role that allows it)";
    }
    return text;
}

namespace {

std::string base64(std::string_view text)
{
    return QByteArray(text.data(), static_cast<qsizetype>(text.size())).toBase64().toStdString();
}

std::string percentEncoded(std::string_view text)
{
    return QByteArray(text.data(), static_cast<qsizetype>(text.size())).toPercentEncoding().toStdString();
}

void replaceAll(std::string &body, const std::string &what)
{
    for (std::size_t at = body.find(what); at != std::string::npos; at = body.find(what, at)) {
        body.replace(at, what.size(), kRedacted);
        at += kRedacted.size();
    }
}

} // namespace

void redactSecrets(std::string &body, const std::vector<std::string> &secrets)
{
    constexpr std::size_t kShortest = 6;
    std::vector<std::string> forms;
    for (const auto &secret : secrets) {
        if (secret.size() < kShortest) {
            continue;
        }
        forms.push_back(secret);
        forms.push_back(base64(secret));
        forms.push_back(percentEncoded(secret));
    }
    // Longest first, so that a secret inside another's encoding does not leave the rest of it behind.
    std::sort(forms.begin(), forms.end(), [](const auto &a, const auto &b) { return a.size() > b.size(); });
    for (const auto &form : forms) {
        replaceAll(body, form);
    }
}

} // namespace lanedeck::kube
