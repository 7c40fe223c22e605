#pragma once

#include <QList>
#include <QObject>
#include <QString>

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

Q_SIGNALS:
    void targetsChanged();
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
