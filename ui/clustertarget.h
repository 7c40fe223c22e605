#pragma once

#include "base/result.h"
#include "mesh/resource.h"

#include <QList>
#include <QMap>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QStringList>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace lanedeck::kube {
class Client;
struct Inventory;
} // namespace lanedeck::kube

namespace lanedeck::ui {

/// A place the lane group can be diffed against and pushed to: the local sandbox (no cluster needed) or a
/// context of the operator's kubeconfig.
struct ClusterTarget
{
    enum class Kind
    {
        Sandbox,
        KubeContext
    };
    Kind kind = Kind::Sandbox;
    QString id;               ///< stable: the context name, or kLocalSandboxId
    QString displayName;      ///< as the cluster bar lists it
    QString detail;           ///< e.g. the API server URL and user, for the tooltip
    QString defaultNamespace; ///< the context's namespace, or empty

    friend bool operator==(const ClusterTarget &, const ClusterTarget &) = default;
};

inline constexpr const char *kLocalSandboxId = "lanedeck:local-sandbox";

enum class ConnectionState
{
    Disconnected,
    Connecting,
    Connected,
    Failed
};

/// What the connected cluster holds that the designer offers as completions: the Services of the working
/// namespace and, per label key, the values its workloads carry.
struct ClusterInventory
{
    QStringList services;
    QMap<QString, QStringList> labelValues;
    /// All of what was read (each Service's workloads with their pod-template labels), for the mesh-telemetry
    /// view's workload-to-lane mapping; null when the target has no inventory of that kind.
    std::shared_ptr<const kube::Inventory> detail;

    friend bool operator==(const ClusterInventory &, const ClusterInventory &) = default;
};

/// Where the selected target takes the lane group's ingress traffic (kube::IngressAddress in Qt types), or
/// why that cannot be said.
struct IngressAddress
{
    QString url;          ///< empty when `error` says why there is none
    QString host;         ///< the Host header to send; empty: any host
    QString origin;       ///< where the address came from, in words
    QStringList warnings; ///< what to check before trusting it (a cluster IP, a Service taken by its name)
    QString error;

    friend bool operator==(const IngressAddress &, const IngressAddress &) = default;
};

/// What the connected cluster says about the flavor the group is rendered in, in the console's words: why
/// it cannot work there, and the flavor (or API version) that would.
struct FlavorAdvice
{
    QString problem;    ///< empty: the flavor fits, or the target does not know (the sandbox takes any)
    QString flavor;     ///< "asm", "istio", "asm-crd" to switch to; empty when no flavor would work
    QString apiVersion; ///< the networking.istio.io version to switch to ("" for the flavor's default)

    /// The switch button's text ("Use the Istio flavor").
    QString switchText() const;
    friend bool operator==(const FlavorAdvice &, const FlavorAdvice &) = default;
};

/// A flavor's name as the console shows it ("ASM", "Istio", "ASM lane CRDs").
QString flavorDisplayName(const QString &flavor);

/// What one resource came to in a dry run, an apply or a prune, as the push dialog lists it (the cluster
/// client's kube::ResourceResult, in Qt types).
struct PushOutcome
{
    enum class Result
    {
        Created,
        Configured,
        Unchanged,
        Pruned,
        Deleted,
        Failed,
        Skipped,
        Missing ///< what the resources need is not there (the namespace): one row for all of them
    };
    QString resource; ///< mesh::Resource::displayName()
    Result result = Result::Unchanged;
    QString message;       ///< the server's message when it failed, with what to do
    QStringList conflicts; ///< on a conflict: "<manager>: <field>" per field another manager owns

    bool isConflict() const { return result == Result::Failed && !conflicts.isEmpty(); }
    friend bool operator==(const PushOutcome &, const PushOutcome &) = default;
};

/// What a push does (kube::PushOptions without the callbacks).
struct PushRequest
{
    bool dryRun = true; ///< only the server-side dry run; otherwise dry run, then apply if it passed
    bool force = false; ///< take over fields another field manager owns
    bool prune = false; ///< delete the group's objects that are no longer generated
};

/// One running push. The implementation works off the GUI thread and reports here; the receiver owns the job
/// (deleteLater once finished). After cancel() the job still emits finished(), with cancelled set.
class PushJob : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;
    virtual void cancel() = 0;

Q_SIGNALS:
    /// `phase`: "read", "dry-run", "apply" or "prune".
    void progress(const QString &phase, int done, int total);
    void outcome(const lanedeck::ui::PushOutcome &outcome);
    /// The namespace the group goes to does not exist: no resource was tried (one finding instead of a 404
    /// per resource); createNamespace() is the fix.
    void namespaceMissing(const QString &ns);
    /// `error` is empty on success; otherwise why the push stopped before trying every resource.
    void finished(bool cancelled, const QString &error);
};

/// One resource's difference between the generated and the live object (kube::ResourceDiff in Qt types).
struct ResourceDiff
{
    enum class State
    {
        Identical,
        Changed,
        New,
        Removed
    };
    QString resource;
    State state = State::Identical;
    QString unifiedDiff; ///< live (---) to generated (+++); empty when identical

    friend bool operator==(const ResourceDiff &, const ResourceDiff &) = default;
};

/// One running diff against the live cluster; same ownership and threading rules as PushJob.
class DiffJob : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;
    virtual void cancel() = 0;

Q_SIGNALS:
    void finished(const QList<lanedeck::ui::ResourceDiff> &diffs, bool cancelled, const QString &error);
};

/// A lane group that lives in the connected cluster (kube::GroupSummary in Qt types), as Cluster > Open from
/// Cluster and Delete from Cluster list it.
struct ClusterGroup
{
    enum class State
    {
        InSync,
        Drifted,
        PartlyMissing,
        Unreadable
    };
    QString name;
    QString ns;     ///< empty for a group of cluster-scoped ASM lane CRDs
    QString flavor; ///< "asm", "istio", "asm-crd"
    bool lanedeck = true;
    QStringList lanes;
    QStringList services;
    State state = State::InSync;
    QStringList missing;
    QStringList drifted;
    QString problem;
    QStringList objects;
    QString
        diff; ///< unified diffs, live to generated, of the missing and drifted objects (as lanectl diff's)

    friend bool operator==(const ClusterGroup &, const ClusterGroup &) = default;
};

/// One running listing of the cluster's lane groups; same ownership and threading rules as PushJob.
class GroupListJob : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;
    virtual void cancel() = 0;

Q_SIGNALS:
    void finished(const QList<lanedeck::ui::ClusterGroup> &groups, bool cancelled, const QString &error);
};

/// One running import of a group that lives in the cluster (kube::importGroup); same rules as PushJob.
class ImportJob : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;
    virtual void cancel() = 0;

Q_SIGNALS:
    /// `flavor` is the one the group was pushed in; `notes` say what could not be recovered.
    void finished(const lanedeck::LaneGroup &group, const QString &flavor, const QStringList &notes,
                  bool cancelled, const QString &error);
};

/// One finding of the cluster analysis (kube::Finding in Qt types), as the Problems panel and the push dialog
/// list it.
struct ClusterFinding
{
    enum class Severity
    {
        Error,
        Warning,
        Info
    };
    QString code; ///< stable ("vs-conflict", "no-workload", ...)
    Severity severity = Severity::Warning;
    QString object;  ///< "VirtualService shop/cart-timeouts", or empty
    QString lane;    ///< the lane it concerns, or empty
    QString service; ///< the group's service it concerns, or empty
    QString message;
    QString fix;

    friend bool operator==(const ClusterFinding &, const ClusterFinding &) = default;
};

/// One running analysis of the group against the connected cluster; same ownership and threading rules as
/// PushJob.
class AnalysisJob : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;
    virtual void cancel() = 0;

Q_SIGNALS:
    /// `notes`: the checks that were skipped, and why.
    void finished(const QList<lanedeck::ui::ClusterFinding> &findings, const QStringList &notes,
                  bool cancelled, const QString &error);
};

/// Opens a client of the connected cluster's API server, with the connection's credentials and exec
/// approvals. Called on a worker thread; the caller owns the client.
using KubeClientFactory = std::function<Result<std::unique_ptr<kube::Client>>()>;

/// The seam between the console and whatever reaches clusters. The cluster client (kubeconfig contexts,
/// merged as kubectl does) and the sandbox each provide one; the cluster bar only talks to this interface.
/// Implementations do their network work off the GUI thread (QtConcurrent::run, the answer handed back with
/// whenFinished(), not QFuture::then()) and report through the signals; a late answer for a target that is
/// no longer selected must be dropped.
class ClusterTargetSource : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;

    /// The targets to offer, in display order.
    virtual QList<ClusterTarget> targets() const = 0;
    /// Starts connecting to `target` with `ns` as the working namespace; returns at once.
    virtual void connectTo(const ClusterTarget &target, const QString &ns) = 0;
    /// Whether push and diff can work against the connected target (false until the client exists).
    virtual bool canPush() const { return false; }
    /// Renders `group` with `render` and pushes it as `request` says (kube::push). Returns the job, or
    /// nullptr when the target cannot push; the caller owns the job.
    virtual PushJob *push(const LaneGroup &group, const mesh::RenderOptions &render,
                          const PushRequest &request)
    {
        Q_UNUSED(group);
        Q_UNUSED(render);
        Q_UNUSED(request);
        return nullptr;
    }
    /// Diffs the generated resources against the live ones (kube::diffGroup); nullptr when not possible.
    virtual DiffJob *diff(const LaneGroup &group, const mesh::RenderOptions &render)
    {
        Q_UNUSED(group);
        Q_UNUSED(render);
        return nullptr;
    }
    /// Whether the connected target can take `render` for `group`; an empty advice when it can or when the
    /// target does not know (pure: what connecting learned, no network).
    virtual FlavorAdvice flavorAdvice(const LaneGroup &group, const mesh::RenderOptions &render) const
    {
        Q_UNUSED(group);
        Q_UNUSED(render);
        return {};
    }
    /// Creates namespace `ns` with a server-side dry run first and, unless `dryRun`, for real; the job
    /// reports one outcome ("Namespace <ns>"). nullptr when the target has no namespaces.
    virtual PushJob *createNamespace(const QString &ns, bool dryRun)
    {
        Q_UNUSED(ns);
        Q_UNUSED(dryRun);
        return nullptr;
    }
    /// Lists the lane groups the connected target holds in `ns` (empty: every namespace); nullptr when the
    /// target holds none (the sandbox).
    virtual GroupListJob *listGroups(const QString &ns)
    {
        Q_UNUSED(ns);
        return nullptr;
    }
    /// Rebuilds the document of group `name` in `ns` from its live objects.
    virtual ImportJob *importGroup(const QString &name, const QString &ns)
    {
        Q_UNUSED(name);
        Q_UNUSED(ns);
        return nullptr;
    }
    /// Deletes every object of group `name` in `ns` that LaneDeck wrote (kube::deleteGroup), or only dry-runs
    /// it; one outcome per object.
    virtual PushJob *deleteGroup(const QString &name, const QString &ns, bool dryRun)
    {
        Q_UNUSED(name);
        Q_UNUSED(ns);
        Q_UNUSED(dryRun);
        return nullptr;
    }
    /// Analyzes `group` against the connected cluster (kube::analyzeCluster). With `reread`, the cluster is
    /// read again (on connecting, before a push); otherwise the last state read is analyzed again, without
    /// the network (document edits). nullptr when the target has nothing to analyze (the sandbox).
    virtual AnalysisJob *analyze(const LaneGroup &group, const mesh::RenderOptions &render, bool reread)
    {
        Q_UNUSED(group);
        Q_UNUSED(render);
        Q_UNUSED(reread);
        return nullptr;
    }
    /// `group` carrying the settings of the objects it would shadow in the last state read
    /// (kube::adoptShadowedSettings), and which objects they came from; nullopt when nothing is adopted.
    virtual std::optional<LaneGroup> adoptShadowed(const LaneGroup &group, const mesh::RenderOptions &render,
                                                   QStringList *adopted) const
    {
        Q_UNUSED(group);
        Q_UNUSED(render);
        Q_UNUSED(adopted);
        return std::nullopt;
    }
    /// Asks for the connected target's inventory; the answer comes as inventoryChanged().
    virtual void requestInventory() {}
    /// How to reach the connected target's API server from a worker (the telemetry view's service proxy to
    /// Prometheus); empty when not connected, or for a target without one (the sandbox).
    virtual KubeClientFactory apiClientFactory() const { return {}; }
    /// Asks where the connected target takes the traffic of `ingress` (a cluster: its ingress gateway's
    /// Service); the answer comes as ingressResolved(), and a newer request supersedes an older one.
    virtual void requestIngress(const Ingress &ingress) { Q_UNUSED(ingress); }

Q_SIGNALS:
    void targetsChanged();
    void inventoryChanged(const lanedeck::ui::ClusterInventory &inventory);
    void ingressResolved(const lanedeck::ui::IngressAddress &address);
    /// A push that was not a dry run wrote `group` to the connected target, every resource of it. Emitted by
    /// the source, so it comes even when the dialog that asked for the push is gone; the traffic page
    /// restarts its statistics against the pushed weights.
    void applied(const lanedeck::LaneGroup &group);
    /// The connection state of the target last passed to connectTo(), with a message in words
    /// ("Connected to prod-eu (Kubernetes v1.30)", "kubeconfig: context 'x' has no user").
    void stateChanged(lanedeck::ui::ConnectionState state, const QString &message);
};

/// Lists the targets of several sources (the sandbox's and the kubeconfig's) as one, and routes connecting,
/// pushing, diffing, inventory and ingress lookups to the source of the selected target. Signals of the other
/// sources are dropped, so a late answer from a target no longer selected never reaches the window.
class CompositeTargetSource final : public ClusterTargetSource
{
    Q_OBJECT
public:
    using ClusterTargetSource::ClusterTargetSource;

    /// Adds `source` (not owned) after the ones added before.
    void addSource(ClusterTargetSource *source);

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
    void requestIngress(const Ingress &ingress) override;
    KubeClientFactory apiClientFactory() const override;

private:
    QList<QPointer<ClusterTargetSource>> m_sources;
    QPointer<ClusterTargetSource> m_active;
};

} // namespace lanedeck::ui
