#include "ui/clustertarget.h"

namespace lanedeck::ui {

QString FlavorAdvice::switchText() const
{
    if (flavor.isEmpty()) {
        return {};
    }
    return apiVersion.isEmpty() ? ClusterTargetSource::tr("Use the %1 flavor").arg(flavorDisplayName(flavor))
                                : ClusterTargetSource::tr("Use %1 with API version %2")
                                      .arg(flavorDisplayName(flavor), apiVersion);
}

QString flavorDisplayName(const QString &flavor)
{
    if (flavor == QLatin1String("istio")) {
        return ClusterTargetSource::tr("Istio");
    }
    if (flavor == QLatin1String("asm-crd")) {
        return ClusterTargetSource::tr("ASM lane CRDs");
    }
    return ClusterTargetSource::tr("ASM");
}

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

FlavorAdvice CompositeTargetSource::flavorAdvice(const LaneGroup &group,
                                                 const mesh::RenderOptions &render) const
{
    return m_active ? m_active->flavorAdvice(group, render) : FlavorAdvice{};
}

PushJob *CompositeTargetSource::createNamespace(const QString &ns, bool dryRun)
{
    return m_active ? m_active->createNamespace(ns, dryRun) : nullptr;
}

GroupListJob *CompositeTargetSource::listGroups(const QString &ns)
{
    return m_active ? m_active->listGroups(ns) : nullptr;
}

ImportJob *CompositeTargetSource::importGroup(const QString &name, const QString &ns)
{
    return m_active ? m_active->importGroup(name, ns) : nullptr;
}

PushJob *CompositeTargetSource::deleteGroup(const QString &name, const QString &ns, bool dryRun)
{
    return m_active ? m_active->deleteGroup(name, ns, dryRun) : nullptr;
}

AnalysisJob *CompositeTargetSource::analyze(const LaneGroup &group, const mesh::RenderOptions &render,
                                            bool reread)
{
    return m_active ? m_active->analyze(group, render, reread) : nullptr;
}

std::optional<LaneGroup> CompositeTargetSource::adoptShadowed(const LaneGroup &group,
                                                              const mesh::RenderOptions &render,
                                                              QStringList *adopted) const
{
    return m_active ? m_active->adoptShadowed(group, render, adopted) : std::nullopt;
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

KubeClientFactory CompositeTargetSource::apiClientFactory() const
{
    return m_active ? m_active->apiClientFactory() : KubeClientFactory();
}

} // namespace lanedeck::ui
