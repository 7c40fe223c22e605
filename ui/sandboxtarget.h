#pragma once

#include "ui/clustertarget.h"

#include <QString>

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace lanedeck::sandbox {
struct SandboxInstance;
struct Fault;
} // namespace lanedeck::sandbox
namespace lanedeck::rollout {
class Target;
}

namespace lanedeck::ui {

/// The "Local sandbox" target with a real sandbox behind it: a push renders the group and runs it in the
/// core's sandbox::Sandbox on loopback (started by the first push, reconfigured atomically by later ones, so
/// traffic being sampled moves to the new weights at once). The dry run compares with what the sandbox runs.
/// Work happens off the GUI thread; results come back as the PushJob's signals.
class SandboxTargetSource final : public ClusterTargetSource
{
    Q_OBJECT
public:
    explicit SandboxTargetSource(QObject *parent = nullptr);
    ~SandboxTargetSource() override;

    QList<ClusterTarget> targets() const override;
    void connectTo(const ClusterTarget &target, const QString &ns) override;
    bool canPush() const override { return true; }
    PushJob *push(const LaneGroup &group, const mesh::RenderOptions &render,
                  const PushRequest &request) override;
    /// Compares the generated resources with the ones the sandbox runs (nothing before the first push).
    DiffJob *diff(const LaneGroup &group, const mesh::RenderOptions &render) override;

    /// The running sandbox's gateway ("http://127.0.0.1:<port>/"), empty before the first push.
    QString gatewayUrl() const;
    /// Where the running sandbox serves its Istio metrics ("127.0.0.1:<port>", a Prometheus scrape target),
    /// empty before the first push. It stays the same when a push restarts the sandbox.
    QString metricsTarget() const;
    /// The running sandbox's workloads (for mapping telemetry to lanes); empty before the first push.
    std::vector<sandbox::SandboxInstance> instances() const;
    /// Seeds the gateway's weighted choices of sandboxes started from now on (reproducible splits for tests
    /// and screenshots); 0, the default, is random.
    void setSeed(quint64 seed);
    /// Whether a service's workloads forward the baggage header (sandbox::Sandbox::setBaggagePropagation), in
    /// the running sandbox and in those started later: off shows the leak the seed's usage notes warn about.
    void setBaggagePropagation(const QString &service, bool enabled);
    /// A rollout target on this sandbox (for rollout::Runner, used from the runner's thread): each step is
    /// a push as the designer's, rendered as the last push was; state and lease in files at `statePath`.
    /// The source's state outlives the target; pushes it makes are not announced (announceApplied()).
    std::unique_ptr<rollout::Target> rolloutTarget(const QString &statePath) const;
    /// Says a push made elsewhere (a rollout step) took effect: applied(group), on the GUI thread.
    void announceApplied(const LaneGroup &group);
    /// Makes one workload of the running sandbox fail on purpose (a default Fault clears it); kept for
    /// sandboxes a later push starts. An error in words, or empty. Waits for a push in progress.
    QString setFault(const QString &service, const QString &version, const sandbox::Fault &fault);
    /// The faults set, by (service, version).
    std::map<std::pair<std::string, std::string>, sandbox::Fault> faults() const;
    /// Stops the sandbox (the window closing, or a test cleaning up). A later push starts it again.
    void stop();

    struct State;

Q_SIGNALS:
    /// The gateway URL changed: the sandbox started, moved, or stopped (empty).
    void gatewayChanged(const QString &url);

private:
    std::shared_ptr<State> m_state;
    QString m_gatewayUrl;
};

} // namespace lanedeck::ui
