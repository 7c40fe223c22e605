#include "ui/clustertarget.h"

#include <QTimer>

namespace lanedeck::ui {

QList<ClusterTarget> LocalSandboxSource::targets() const
{
    return {ClusterTarget{ClusterTarget::Kind::Sandbox, QString::fromLatin1(kLocalSandboxId), tr("Local sandbox"),
                          tr("Runs the lane group against LaneDeck's local sandbox; needs no cluster."),
                          QStringLiteral("istio-system")}};
}

void LocalSandboxSource::connectTo(const ClusterTarget &target, const QString &ns)
{
    // Asynchronous like a real connection, so the cluster bar handles both the same way.
    QTimer::singleShot(0, this, [this, target, ns] {
        Q_EMIT stateChanged(ConnectionState::Connected,
                            tr("%1, namespace %2: no cluster needed").arg(target.displayName, ns));
    });
}

} // namespace lanedeck::ui
