#include "ui/clustertarget.h"

namespace lanedeck::ui {

void CompositeTargetSource::addSource(ClusterTargetSource *source)
{
    m_sources << source;
    connect(source, &ClusterTargetSource::targetsChanged, this, &ClusterTargetSource::targetsChanged);
    connect(source, &ClusterTargetSource::stateChanged, this,
            [this, source](ConnectionState state, const QString &message) {
                if (source == m_active) {
                    Q_EMIT stateChanged(state, message);
                }
            });
    connect(source, &ClusterTargetSource::inventoryChanged, this,
            [this, source](const ClusterInventory &inventory) {
                if (source == m_active) {
                    Q_EMIT inventoryChanged(inventory);
                }
            });
    connect(source, &ClusterTargetSource::ingressResolved, this,
            [this, source](const IngressAddress &address) {
                if (source == m_active) {
                    Q_EMIT ingressResolved(address);
                }
            });
    connect(source, &ClusterTargetSource::applied, this, [this, source](const LaneGroup &group) {
        if (source == m_active) {
            Q_EMIT applied(group);
        }
    });
    Q_EMIT targetsChanged();
}

QList<ClusterTarget> CompositeTargetSource::targets() const
{
    QList<ClusterTarget> all;
    for (const auto &source : m_sources) {
        if (source) {
            all << source->targets();
        }
    }
    return all;
}

void CompositeTargetSource::connectTo(const ClusterTarget &target, const QString &ns)
{
    m_active.clear();
    for (const auto &source : m_sources) {
        if (source && source->targets().contains(target)) {
            m_active = source;
            source->connectTo(target, ns);
            return;
        }
    }
    Q_EMIT stateChanged(ConnectionState::Failed, tr("%1 is no longer available").arg(target.displayName));
}

bool CompositeTargetSource::canPush() const
{
    return m_active && m_active->canPush();
}

PushJob *CompositeTargetSource::push(const LaneGroup &group, const mesh::RenderOptions &render,
                                     const PushRequest &request)
{
    return m_active ? m_active->push(group, render, request) : nullptr;
}

DiffJob *CompositeTargetSource::diff(const LaneGroup &group, const mesh::RenderOptions &render)
{
    return m_active ? m_active->diff(group, render) : nullptr;
}

void CompositeTargetSource::requestInventory()
{
    if (m_active) {
        m_active->requestInventory();
    }
}

void CompositeTargetSource::requestIngress(const Ingress &ingress)
{
    if (m_active) {
        m_active->requestIngress(ingress);
    }
}

} // namespace lanedeck::ui
