#include "kube/status.h"

#include <nlohmann/json.hpp>

namespace lanedeck::kube {

using nlohmann::json;

ApiStatus parseStatus(std::string_view body, long httpStatus)
{
    ApiStatus status;
    status.httpStatus = httpStatus;
    const json j = json::parse(body, nullptr, false);
    if (j.is_object() && j.value("kind", "") == "Status" && j.contains("message")) {
        status.isStatus = true;
        status.message = j.value("message", "");
        for (const auto &cause : j.value("details", json::object()).value("causes", json::array())) {
            status.causes.push_back({cause.value("reason", ""), cause.value("message", ""), cause.value("field", "")});
        }
    } else {
        status.message = std::string(body.substr(0, 500));
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

} // namespace lanedeck::kube
