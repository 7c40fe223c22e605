#pragma once

#include "kube/client.h"
#include "mesh/resource.h"
#include "rollout/runner.h"

#include <optional>
#include <string>

namespace lanedeck::rollout {

/// The annotations on the group's ingress VirtualService that keep a rollout's state (JSON, stateJson())
/// and its lease ("<holder> <expiry ms since the epoch>").
inline constexpr const char *kStateAnnotation = "lanedeck.io/rollout-state";
inline constexpr const char *kLeaseAnnotation = "lanedeck.io/rollout-lease";

/// A cluster as the target: a push is kube::push (server-side apply as field manager lanedeck, every
/// resource dry-run first); the state and the lease are annotations on the group's ingress VirtualService,
/// each written with a JSON merge patch conditioned on the resourceVersion just read, so two rollouts
/// racing for the lease cannot both take it (the loser gets a 409 and is refused). The VirtualService must
/// exist: push the group once (lanectl apply) before rolling out.
///
/// Probes go to the ingress address resolved from the cluster (kube::resolveIngress), or to `probeUrl`
/// (with `hostHeader`) when given: a port-forward, or a sandbox standing in for the data plane in tests.
/// The client is borrowed and used from the runner's thread only.
class ClusterTarget final : public Target
{
public:
    ClusterTarget(kube::Client &client, LaneGroup group, mesh::RenderOptions render,
                  std::string probeUrl = {}, std::string hostHeader = {});

    std::string describe() const override;
    Result<std::vector<std::string>> push(const LaneGroup &weighted) override;
    Result<traffic::SamplerConfig> probe() override;
    Result<std::optional<RolloutState>> loadState() override;
    Result<void> saveState(const RolloutState &state) override;
    Result<void> acquireLease(const std::string &holder, std::int64_t expiresMs) override;
    void releaseLease(const std::string &holder) override;

private:
    Result<std::string> ingressPath();
    Result<nlohmann::json> readIngress();
    /// Merge-patches the annotations (null removes one), conditioned on `resourceVersion`.
    Result<void> patchAnnotations(const nlohmann::json &annotations, const std::string &resourceVersion);

    kube::Client &m_client;
    LaneGroup m_group;
    mesh::RenderOptions m_render;
    std::string m_probeUrl;
    std::string m_hostHeader;
    std::string m_path; ///< the ingress VirtualService's REST path, once discovered
};

} // namespace lanedeck::rollout
