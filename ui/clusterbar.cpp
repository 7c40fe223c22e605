#include "ui/clusterbar.h"

#include "ui/elidedlabel.h"
#include "ui/lanecolors.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QStyle>

namespace lanedeck::ui {

ClusterBar::ClusterBar(QWidget *parent)
    : QWidget(parent), m_targets(new QComboBox(this)), m_destination(new QLabel(this)),
      m_override(new QCheckBox(tr("Into another:"), this)), m_namespace(new QLineEdit(this)),
      m_flavor(new QComboBox(this)), m_switchFlavor(new QPushButton(this)), m_adviceText(new QLabel(this)),
      m_drift(new QLabel(this)), m_stateIcon(new QLabel(this)), m_stateText(new ElidedLabel(this))
{
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(6, 4, 6, 4);
    auto *targetLabel = new QLabel(tr("&Target:"), this);
    targetLabel->setBuddy(m_targets);
    m_targets->setObjectName(QStringLiteral("clusterTargetCombo"));
    m_targets->setAccessibleName(tr("Cluster target"));
    m_targets->setToolTip(tr("Where diff and push go: the local sandbox, or a context of your kubeconfig."));
    m_targets->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    auto *nsLabel = new QLabel(tr("Namespace:"), this);
    m_destination->setObjectName(QStringLiteral("clusterDestinationLabel"));
    m_destination->setTextFormat(Qt::PlainText);
    m_override->setObjectName(QStringLiteral("clusterOtherNamespaceCheck"));
    m_override->setToolTip(tr("Push, diff and preview the group in another namespace than its own "
                              "metadata.namespace, for this document only."));
    m_namespace->setObjectName(QStringLiteral("clusterNamespaceEdit"));
    m_namespace->setAccessibleName(tr("Other namespace"));
    m_namespace->setPlaceholderText(tr("namespace"));
    m_namespace->setToolTip(tr("The namespace the group goes to instead of its own."));
    m_namespace->setMaximumWidth(m_namespace->fontMetrics().horizontalAdvance(QLatin1Char('m')) * 14);
    m_namespace->setEnabled(false);
    auto *flavorLabel = new QLabel(tr("Flavor:"), this);
    flavorLabel->setBuddy(m_flavor);
    m_flavor->setObjectName(QStringLiteral("clusterFlavorCombo"));
    m_flavor->setAccessibleName(tr("Flavor"));
    m_flavor->addItem(flavorDisplayName(QStringLiteral("asm")), QStringLiteral("asm"));
    m_flavor->addItem(flavorDisplayName(QStringLiteral("istio")), QStringLiteral("istio"));
    m_flavor->addItem(flavorDisplayName(QStringLiteral("asm-crd")), QStringLiteral("asm-crd"));
    m_flavor->setToolTip(
        tr("Which mesh API the lanes are rendered for, pushed and diffed in (the same choice "
           "as on the Resources tab)."));
    m_switchFlavor->setObjectName(QStringLiteral("clusterFlavorSwitchButton"));
    m_switchFlavor->setVisible(false);
    m_adviceText->setObjectName(QStringLiteral("clusterFlavorAdviceLabel"));
    m_adviceText->setTextFormat(Qt::PlainText);
    m_adviceText->setVisible(false);
    m_adviceText->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_drift->setObjectName(QStringLiteral("clusterDriftLabel"));
    m_drift->setTextFormat(Qt::PlainText);
    m_drift->setVisible(false);
    m_stateText->setObjectName(QStringLiteral("clusterStateLabel"));
    m_stateText->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // A long state (errors, warnings, lane problems) must not widen the window: it ends in "…" where it is
    // cut, and the tooltip shows it whole.
    layout->addWidget(targetLabel);
    layout->addWidget(m_targets);
    layout->addSpacing(12);
    layout->addWidget(nsLabel);
    layout->addWidget(m_destination);
    layout->addWidget(m_override);
    layout->addWidget(m_namespace);
    layout->addSpacing(12);
    layout->addWidget(flavorLabel);
    layout->addWidget(m_flavor);
    layout->addWidget(m_switchFlavor);
    layout->addWidget(m_adviceText, 1);
    layout->addSpacing(12);
    layout->addWidget(m_drift);
    layout->addWidget(m_stateIcon);
    layout->addWidget(m_stateText, 2);

    connect(m_targets, &QComboBox::currentIndexChanged, this, [this] { connectCurrent(); });
    connect(m_override, &QCheckBox::toggled, this, [this](bool on) {
        m_namespace->setEnabled(on);
        if (on && m_namespace->text().trimmed().isEmpty()) {
            m_namespace->setFocus();
        }
        overrideEdited();
    });
    connect(m_namespace, &QLineEdit::editingFinished, this, &ClusterBar::overrideEdited);
    connect(m_flavor, &QComboBox::currentIndexChanged, this,
            [this] { Q_EMIT flavorChanged(m_flavor->currentData().toString()); });
    connect(m_switchFlavor, &QPushButton::clicked, this, [this] {
        if (!m_advice.flavor.isEmpty()) {
            Q_EMIT adviceTaken(m_advice);
        }
    });
    showDestination();
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

void ClusterBar::setDocumentNamespace(const QString &ns)
{
    if (ns != m_documentNamespace) {
        m_documentNamespace = ns;
        showDestination();
    }
}

QString ClusterBar::namespaceOverride() const
{
    return m_appliedOverride;
}

void ClusterBar::setNamespaceOverride(const QString &ns)
{
    {
        const QSignalBlocker blockCheck(m_override);
        const QSignalBlocker blockEdit(m_namespace);
        m_override->setChecked(!ns.isEmpty());
        m_namespace->setEnabled(!ns.isEmpty());
        m_namespace->setText(ns);
    }
    overrideEdited();
}

QString ClusterBar::targetNamespace() const
{
    return m_appliedOverride.isEmpty() ? m_documentNamespace : m_appliedOverride;
}

void ClusterBar::overrideEdited()
{
    const QString wanted = m_override->isChecked() ? m_namespace->text().trimmed() : QString();
    if (wanted == m_appliedOverride) {
        return;
    }
    m_appliedOverride = wanted;
    showDestination();
    Q_EMIT namespaceOverrideChanged(m_appliedOverride);
    // The source reads the inventory of the namespace the group goes to.
    connectCurrent();
}

void ClusterBar::showDestination()
{
    const QString into = targetNamespace();
    if (m_appliedOverride.isEmpty() || m_appliedOverride == m_documentNamespace) {
        m_destination->setText(into.isEmpty() ? tr("(none: the group has no namespace)") : into);
        m_destination->setToolTip(tr("The group's metadata.namespace: push, diff and the Resources tab put "
                                     "its resources here."));
        m_destination->setPalette(QPalette());
    } else {
        m_destination->setText(tr("⚠ %1, not the group's %2").arg(into, m_documentNamespace));
        m_destination->setToolTip(tr("Push, diff and the Resources tab put the group into %1 instead of its "
                                     "metadata.namespace %2. Clear \"Into another\" to use the group's.")
                                      .arg(into, m_documentNamespace));
        QPalette palette = m_destination->palette();
        palette.setColor(QPalette::WindowText, problemColor());
        m_destination->setPalette(palette);
    }
    m_destination->setAccessibleName(tr("Destination namespace: %1").arg(m_destination->text()));
}

QString ClusterBar::flavor() const
{
    return m_flavor->currentData().toString();
}

void ClusterBar::setFlavor(const QString &flavor)
{
    const int index = m_flavor->findData(flavor);
    if (index >= 0 && index != m_flavor->currentIndex()) {
        const QSignalBlocker blocker(m_flavor);
        m_flavor->setCurrentIndex(index);
    }
}

void ClusterBar::setFlavorAdvice(const FlavorAdvice &advice)
{
    m_advice = advice;
    const bool show = !advice.problem.isEmpty();
    m_adviceText->setVisible(show);
    m_adviceText->setText(show ? tr("⚠ %1").arg(advice.problem) : QString());
    m_adviceText->setToolTip(advice.problem);
    QPalette palette = m_adviceText->palette();
    palette.setColor(QPalette::WindowText, problemColor());
    m_adviceText->setPalette(palette);
    m_switchFlavor->setVisible(show && !advice.flavor.isEmpty());
    m_switchFlavor->setText(advice.switchText());
    m_switchFlavor->setToolTip(advice.problem);
}

void ClusterBar::setDrift(const QString &text, bool drifted)
{
    m_drift->setVisible(!text.isEmpty());
    m_drift->setText(text);
    m_drift->setToolTip(text);
    QPalette palette = m_drift->palette();
    palette.setColor(QPalette::WindowText, drifted ? problemColor() : QPalette().color(QPalette::WindowText));
    m_drift->setPalette(palette);
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
            showState(ConnectionState::Connecting, tr("Connecting to %1…").arg(target.displayName));
            Q_EMIT targetChanged(id, targetNamespace());
            m_source->connectTo(target, targetNamespace());
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
