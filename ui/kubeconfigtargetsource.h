#pragma once

#include "kube/analysis.h"
#include "kube/client.h"
#include "kube/discovery.h"
#include "kube/kubeconfig.h"
#include "ui/clustertarget.h"

#include <QPointer>

#include <functional>
#include <memory>
#include <optional>

namespace lanedeck::ui {

class Cancellation;
class ExecApprovalPrompt;

/// The contexts of the operator's kubeconfig as cluster targets, backed by the cluster client in models/kube.
/// Connecting, discovery, inventory, push and diff each run off the GUI thread on a client of their own (a
/// cancelled client stays cancelled); results come back as signals, and a late answer for a target that is
/// no longer selected is dropped. Exec credential plugins run only once the operator allowed them through
/// the window's ExecApprovalPrompt; a refusal is remembered for the session so the operator is asked once.
/// The kubeconfig the console reads when no --kubeconfig is given (QSettings "cluster/kubeconfig"); empty
/// means as kubectl: KUBECONFIG, else ~/.kube/config.
class KubeconfigSettings final
{
public:
    QString path() const;
    void setPath(const QString &value);
};

/// Whether a cluster whose discovery says `mesh` can take `group` rendered with `render`
/// (kube::checkFlavor), in the console's words, and the flavor or API version that would work: the first of
/// istio, asm, asm-crd (with the flavor's default API version, then each served one) that the cluster takes.
FlavorAdvice adviseFlavor(const kube::MeshDiscovery &mesh, const LaneGroup &group,
                          const mesh::RenderOptions &render);

class KubeconfigTargetSource final : public ClusterTargetSource
{
    Q_OBJECT
public:
    /// Where the kubeconfig comes from: `explicitPath` (--kubeconfig), else KUBECONFIG merged as kubectl
    /// does, else ~/.kube/config. `kubeconfigEnv` and `home` replace the environment (tests).
    struct Options
    {
        QString explicitPath;
        std::optional<QString> kubeconfigEnv;
        std::optional<QString> home;
    };

    explicit KubeconfigTargetSource(Options options = {}, QObject *parent = nullptr);
    ~KubeconfigTargetSource() override;

    /// Reads the kubeconfig again and lists its contexts (targetsChanged()).
    void reload();
    /// Why the kubeconfig could not be read (it names the file and field), or empty.
    QString loadError() const { return m_loadError; }

    /// Asks `prompt` before an exec credential plugin runs (not owned). Without one, plugins are refused.
    void setExecApproval(ExecApprovalPrompt *prompt);
    /// The lane group being edited: its services' namespaces are read for the inventory, and its lanes are
    /// checked against the workloads found (a lane without a ready workload is named in the state message).
    void setGroupProvider(std::function<LaneGroup()> provider);

    QList<ClusterTarget> targets() const override;
    void connectTo(const ClusterTarget &target, const QString &ns) override;
    bool canPush() const override;
    PushJob *push(const LaneGroup &group, const mesh::RenderOptions &render,
                  const PushRequest &request) override;
    DiffJob *diff(const LaneGroup &group, const mesh::RenderOptions &render) override;
    FlavorAdvice flavorAdvice(const LaneGroup &group, const mesh::RenderOptions &render) const override;
    PushJob *createNamespace(const QString &ns, bool dryRun) override;
    GroupListJob *listGroups(const QString &ns) override;
    ImportJob *importGroup(const QString &name, const QString &ns) override;
    PushJob *deleteGroup(const QString &name, const QString &ns, bool dryRun) override;
    AnalysisJob *analyze(const LaneGroup &group, const mesh::RenderOptions &render, bool reread) override;
    std::optional<LaneGroup> adoptShadowed(const LaneGroup &group, const mesh::RenderOptions &render,
                                           QStringList *adopted) const override;
    void requestInventory() override;
    /// Looks the ingress gateway's address up with kube::resolveIngress, off the GUI thread.
    void requestIngress(const Ingress &ingress) override;
    KubeClientFactory apiClientFactory() const override;

    /// The target shown when the kubeconfig cannot be read; connecting to it reports the error.
    static constexpr const char *kErrorTargetId = "lanedeck:kubeconfig-error";

private:
    struct Approvals;
    kube::ClientOptions clientOptions() const;

    Options m_options;
    std::optional<kube::Kubeconfig> m_config;
    QString m_loadError;
    QList<ClusterTarget> m_targets;
    QPointer<ExecApprovalPrompt> m_prompt;
    std::shared_ptr<Approvals> m_approvals;
    std::function<LaneGroup()> m_groupProvider;

    // The selected target: every answer carries the generation it was asked in and is dropped when stale.
    quint64 m_generation = 0;
    std::optional<kube::Connection> m_connection; ///< set once connected
    std::optional<kube::MeshDiscovery> m_mesh;    ///< what connecting discovered
    /// What the last analysis read, analyzed again on document edits without reading again.
    std::shared_ptr<const kube::ClusterState> m_clusterState;
    QString m_connectedMessage;
    QString m_lastStateMessage;
    std::shared_ptr<Cancellation> m_connecting;
    std::shared_ptr<Cancellation> m_inventory;
    std::shared_ptr<Cancellation> m_ingress;
};

} // namespace lanedeck::ui
