#pragma once

#include "mesh/resource.h"

#include <QList>
#include <QMap>
#include <QObject>
#include <QString>
#include <QStringList>

#include <vector>

namespace lanedeck::ui {

/// A place the lane group can be diffed against and pushed to: the local sandbox (no cluster needed) or a
/// context of the operator's kubeconfig.
struct ClusterTarget
{
    enum class Kind { Sandbox, KubeContext };
    Kind kind = Kind::Sandbox;
    QString id;               ///< stable: the context name, or kLocalSandboxId
    QString displayName;      ///< as the cluster bar lists it
    QString detail;           ///< e.g. the API server URL and user, for the tooltip
    QString defaultNamespace; ///< the context's namespace, or empty

    friend bool operator==(const ClusterTarget &, const ClusterTarget &) = default;
};

inline constexpr const char *kLocalSandboxId = "lanedeck:local-sandbox";

enum class ConnectionState { Disconnected, Connecting, Connected, Failed };

/// What the connected cluster holds that the designer offers as completions: the Services of the working
/// namespace and, per label key, the values its workloads carry.
struct ClusterInventory
{
    QStringList services;
    QMap<QString, QStringList> labelValues;

    friend bool operator==(const ClusterInventory &, const ClusterInventory &) = default;
};

/// What one resource came to in a dry run or an apply, as the push dialog lists it.
struct PushOutcome
{
    enum class Result { Created, Configured, Unchanged, Pruned, Conflict, Failed };
    QString resource; ///< mesh::Resource::displayName()
    Result result = Result::Unchanged;
    QString message;  ///< the server's message for Conflict and Failed

    friend bool operator==(const PushOutcome &, const PushOutcome &) = default;
};

enum class PushPhase { DryRun, Apply };

/// One running dry run or apply. The implementation works off the GUI thread and reports here; the receiver
/// owns the job (deleteLater once finished). After cancel() the job still emits finished(), with cancelled set.
class PushJob : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;
    virtual void cancel() = 0;

Q_SIGNALS:
    void progress(int done, int total);
    void outcome(const lanedeck::ui::PushOutcome &outcome);
    /// `error` is empty on success; otherwise the reason the whole push stopped, in words.
    void finished(bool cancelled, const QString &error);
};

/// The seam between the console and whatever reaches clusters. The cluster client (kubeconfig contexts,
/// merged as kubectl does) and the sandbox each provide one; the cluster bar only talks to this interface.
/// Implementations do their network work off the GUI thread (QtConcurrent::run(...).then(this, ...)) and
/// report through the signals; a late answer for a target that is no longer selected must be dropped.
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
    /// Starts a server-side dry run or an apply of `resources` (with `force`, conflicting fields are taken
    /// over). Returns the job, or nullptr when the target cannot push; the caller owns the job.
    virtual PushJob *push(const std::vector<mesh::Resource> &resources, PushPhase phase, bool force)
    {
        Q_UNUSED(resources);
        Q_UNUSED(phase);
        Q_UNUSED(force);
        return nullptr;
    }
    /// Asks for the connected target's inventory; the answer comes as inventoryChanged().
    virtual void requestInventory() {}

Q_SIGNALS:
    void targetsChanged();
    void inventoryChanged(const lanedeck::ui::ClusterInventory &inventory);
    /// The connection state of the target last passed to connectTo(), with a message in words
    /// ("Connected to prod-eu (Kubernetes v1.30)", "kubeconfig: context 'x' has no user").
    void stateChanged(lanedeck::ui::ConnectionState state, const QString &message);
};

/// The targets available before the cluster client is wired in: the local sandbox only.
class LocalSandboxSource final : public ClusterTargetSource
{
    Q_OBJECT
public:
    using ClusterTargetSource::ClusterTargetSource;

    QList<ClusterTarget> targets() const override;
    void connectTo(const ClusterTarget &target, const QString &ns) override;
};

} // namespace lanedeck::ui
