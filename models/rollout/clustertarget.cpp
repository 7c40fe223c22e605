#include "rollout/clustertarget.h"

#include "kube/discovery.h"
#include "kube/ingress.h"
#include "kube/push.h"
#include "mesh/naming.h"

#include <sstream>

namespace lanedeck::rollout {
namespace {

/// metadata.resourceVersion, or empty (objectMember only descends into objects).
std::string resourceVersionOf(const nlohmann::json &object)
{
    const auto &metadata = kube::metadataOf(object);
    const auto found = metadata.find("resourceVersion");
    return found != metadata.end() && found->is_string() ? found->get<std::string>() : std::string();
}

/// The annotation `key` when it is a string, else nothing.
std::optional<std::string> annotation(const nlohmann::json &object, const char *key)
{
    const auto &annotations = kube::objectMember(kube::metadataOf(object), "annotations");
    const auto found = annotations.find(key);
    if (found == annotations.end() || !found->is_string()) {
        return std::nullopt;
    }
    return found->get<std::string>();
}

} // namespace

ClusterTarget::ClusterTarget(kube::Client &client, LaneGroup group, mesh::RenderOptions render,
                             std::string probeUrl, std::string hostHeader)
    : m_client(client), m_group(std::move(group)), m_render(render), m_probeUrl(std::move(probeUrl)),
      m_hostHeader(std::move(hostHeader))
{}

std::string ClusterTarget::describe() const
{
    return "cluster " + m_client.connection().cluster.server + " (VirtualService " + m_group.ns + "/" +
           mesh::ingressVirtualServiceName(m_group) + ")";
}

Result<std::vector<std::string>> ClusterTarget::push(const LaneGroup &weighted)
{
    auto report = kube::push(m_client, weighted, m_render, {});
    if (!report) {
        return report.error();
    }
    std::vector<std::string> lines;
    for (const auto &result : report->results) {
        lines.push_back(result.resource + " " + kube::toString(result.outcome) +
                        (result.message.empty() ? "" : ": " + result.message));
    }
    if (!report->ok()) {
        std::string all;
        for (const auto &line : lines) {
            all += (all.empty() ? "" : "; ") + line;
        }
        return Error{"the push failed: " + all};
    }
    return lines;
}

Result<traffic::SamplerConfig> ClusterTarget::probe()
{
    traffic::SamplerConfig config;
    if (!m_probeUrl.empty()) {
        config.url = m_probeUrl;
        if (!m_hostHeader.empty()) {
            config.headers.push_back("Host: " + m_hostHeader);
        }
        return config;
    }
    auto address = kube::resolveIngress(m_client, m_group.ingress);
    if (!address) {
        return address.error();
    }
    config.url = address->url;
    if (!address->host.empty()) {
        config.headers.push_back("Host: " + address->host);
    }
    return config;
}

Result<std::string> ClusterTarget::ingressPath()
{
    if (!m_path.empty()) {
        return m_path;
    }
    auto mesh = kube::discoverMesh(m_client);
    if (!mesh) {
        return mesh.error();
    }
    if (mesh->istioVersions.empty()) {
        return Error{
            "the cluster serves no networking.istio.io API: no VirtualService to keep the rollout on"};
    }
    auto kind = kube::kindInfo(*mesh, "networking.istio.io/" + mesh->istioVersions.front(), "VirtualService");
    if (!kind) {
        return kind.error();
    }
    m_path = kube::objectPath(*kind, m_group.ns, mesh::ingressVirtualServiceName(m_group));
    return m_path;
}

Result<nlohmann::json> ClusterTarget::readIngress()
{
    auto path = ingressPath();
    if (!path) {
        return path.error();
    }
    const kube::Response response = m_client.send(kube::Request{"GET", *path, {}, "application/json"});
    if (response.notFound()) {
        return Error{"no VirtualService " + m_group.ns + "/" + mesh::ingressVirtualServiceName(m_group) +
                     ": push the group once (lanectl apply) before rolling it out"};
    }
    if (!response.ok()) {
        return Error{"reading the ingress VirtualService: " + response.message()};
    }
    return response.json();
}

Result<void> ClusterTarget::patchAnnotations(const nlohmann::json &annotations,
                                             const std::string &resourceVersion)
{
    auto path = ingressPath();
    if (!path) {
        return path.error();
    }
    nlohmann::json patch = {
        {"metadata", {{"annotations", annotations}, {"resourceVersion", resourceVersion}}}};
    const kube::Response response = m_client.send(kube::Request{
        "PATCH", *path + "?fieldManager=lanedeck-rollout", patch.dump(), "application/merge-patch+json"});
    if (response.status == 409) {
        return Error{"the ingress VirtualService changed while the rollout wrote its state (409); try again"};
    }
    if (!response.ok()) {
        return Error{"writing the rollout state on the ingress VirtualService: " + response.message()};
    }
    return {};
}

Result<std::optional<RolloutState>> ClusterTarget::loadState()
{
    auto object = readIngress();
    if (!object) {
        return object.error();
    }
    const auto text = annotation(*object, kStateAnnotation);
    if (!text) {
        return std::optional<RolloutState>{};
    }
    auto json = nlohmann::json::parse(*text, nullptr, false);
    if (json.is_discarded()) {
        return Error{std::string("the annotation ") + kStateAnnotation + " is not JSON"};
    }
    auto state = stateFromJson(json);
    if (!state) {
        return state.error();
    }
    return std::optional<RolloutState>(std::move(*state));
}

Result<void> ClusterTarget::saveState(const RolloutState &state)
{
    auto object = readIngress();
    if (!object) {
        return object.error();
    }
    return patchAnnotations({{kStateAnnotation, stateJson(state).dump()}}, resourceVersionOf(*object));
}

Result<void> ClusterTarget::acquireLease(const std::string &holder, std::int64_t expiresMs)
{
    auto object = readIngress();
    if (!object) {
        return object.error();
    }
    if (const auto lease = annotation(*object, kLeaseAnnotation)) {
        std::istringstream fields(*lease);
        std::string current;
        std::int64_t expiry = 0;
        fields >> current >> expiry;
        if (current != holder && expiry > nowMs()) {
            return Error{"another rollout of this group is running (" + current + ", its lease expires in " +
                         std::to_string((expiry - nowMs()) / 1000) + " s; annotation " + kLeaseAnnotation +
                         ")"};
        }
    }
    auto patched = patchAnnotations({{kLeaseAnnotation, holder + " " + std::to_string(expiresMs)}},
                                    resourceVersionOf(*object));
    if (!patched) {
        return Error{"cannot take the rollout lease: " + patched.error().message};
    }
    return {};
}

void ClusterTarget::releaseLease(const std::string &holder)
{
    auto object = readIngress();
    if (!object) {
        return;
    }
    const auto lease = annotation(*object, kLeaseAnnotation);
    if (!lease || lease->rfind(holder + " ", 0) != 0) {
        return; // not ours (any more)
    }
    (void)patchAnnotations({{kLeaseAnnotation, nullptr}}, resourceVersionOf(*object));
}

} // namespace lanedeck::rollout
