#include "ui/clusterbar.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QStyle>

namespace lanedeck::ui {

ClusterBar::ClusterBar(QWidget *parent)
    : QWidget(parent), m_targets(new QComboBox(this)), m_namespace(new QLineEdit(this)),
      m_stateIcon(new QLabel(this)), m_stateText(new QLabel(this))
{
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(6, 4, 6, 4);
    auto *targetLabel = new QLabel(tr("&Target:"), this);
    targetLabel->setBuddy(m_targets);
    m_targets->setObjectName(QStringLiteral("clusterTargetCombo"));
    m_targets->setAccessibleName(tr("Cluster target"));
    m_targets->setToolTip(tr("Where diff and push go: the local sandbox, or a context of your kubeconfig."));
    m_targets->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    auto *nsLabel = new QLabel(tr("Na&mespace:"), this);
    nsLabel->setBuddy(m_namespace);
    m_namespace->setObjectName(QStringLiteral("clusterNamespaceEdit"));
    m_namespace->setAccessibleName(tr("Cluster namespace"));
    m_namespace->setToolTip(tr("The namespace the lane group's resources are pushed to."));
    m_namespace->setMaximumWidth(m_namespace->fontMetrics().horizontalAdvance(QLatin1Char('m')) * 18);
    m_stateText->setObjectName(QStringLiteral("clusterStateLabel"));
    m_stateText->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // A long state (errors, warnings, lane problems) must not widen the window: it is clipped and the
    // tooltip shows it whole.
    m_stateText->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    layout->addWidget(targetLabel);
    layout->addWidget(m_targets);
    layout->addSpacing(12);
    layout->addWidget(nsLabel);
    layout->addWidget(m_namespace);
    layout->addSpacing(12);
    layout->addWidget(m_stateIcon);
    layout->addWidget(m_stateText, 1);

    connect(m_targets, &QComboBox::currentIndexChanged, this, [this] { connectCurrent(); });
    connect(m_namespace, &QLineEdit::editingFinished, this, [this] { connectCurrent(); });
    showState(ConnectionState::Disconnected, tr("No target"));
}

void ClusterBar::setSource(ClusterTargetSource *source)
{
    if (m_source) {
        disconnect(m_source, nullptr, this, nullptr);
    }
    m_source = source;
    if (m_source) {
        connect(m_source, &ClusterTargetSource::targetsChanged, this, &ClusterBar::reloadTargets);
        connect(m_source, &ClusterTargetSource::stateChanged, this, &ClusterBar::showState);
    }
    reloadTargets();
}

QString ClusterBar::currentTargetId() const
{
    return m_targets->currentData().toString();
}

QString ClusterBar::currentTargetName() const
{
    return m_targets->currentText();
}

void ClusterBar::selectTarget(const QString &id)
{
    const int index = m_targets->findData(id);
    if (index >= 0) {
        m_targets->setCurrentIndex(index);
    }
}

QString ClusterBar::currentNamespace() const
{
    return m_namespace->text().trimmed();
}

void ClusterBar::setNamespace(const QString &ns)
{
    m_namespace->setText(ns);
}

void ClusterBar::reloadTargets()
{
    const QString previous = currentTargetId();
    {
        const QSignalBlocker blocker(m_targets);
        m_targets->clear();
        if (m_source) {
            for (const auto &target : m_source->targets()) {
                m_targets->addItem(target.displayName, target.id);
                m_targets->setItemData(m_targets->count() - 1, target.detail, Qt::ToolTipRole);
            }
        }
        const int index = m_targets->findData(previous);
        m_targets->setCurrentIndex(index >= 0 ? index : 0);
    }
    connectCurrent();
}

void ClusterBar::connectCurrent()
{
    if (!m_source || m_targets->currentIndex() < 0) {
        showState(ConnectionState::Disconnected, tr("No target"));
        return;
    }
    const auto targets = m_source->targets();
    const QString id = currentTargetId();
    for (const auto &target : targets) {
        if (target.id == id) {
            if (m_namespace->text().trimmed().isEmpty() && !target.defaultNamespace.isEmpty()) {
                m_namespace->setText(target.defaultNamespace);
            }
            showState(ConnectionState::Connecting, tr("Connecting to %1…").arg(target.displayName));
            Q_EMIT targetChanged(id, currentNamespace());
            m_source->connectTo(target, currentNamespace());
            return;
        }
    }
}

void ClusterBar::showState(ConnectionState state, const QString &message)
{
    m_state = state;
    QStyle::StandardPixmap icon = QStyle::SP_MessageBoxInformation;
    switch (state) {
    case ConnectionState::Connected:
        icon = QStyle::SP_DialogApplyButton;
        break;
    case ConnectionState::Failed:
        icon = QStyle::SP_MessageBoxCritical;
        break;
    case ConnectionState::Connecting:
        icon = QStyle::SP_BrowserReload;
        break;
    case ConnectionState::Disconnected:
        icon = QStyle::SP_MessageBoxInformation;
        break;
    }
    const int size = style()->pixelMetric(QStyle::PM_SmallIconSize, nullptr, this);
    m_stateIcon->setPixmap(style()->standardIcon(icon, nullptr, this).pixmap(size, size));
    m_stateText->setText(message);
    m_stateText->setToolTip(message);
    m_stateText->setAccessibleName(tr("Connection state: %1").arg(message));
    Q_EMIT stateChanged(state, message);
}

} // namespace lanedeck::ui
