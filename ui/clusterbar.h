#pragma once

#include "ui/clustertarget.h"

#include <QPointer>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;

namespace lanedeck::ui {

class ElidedLabel;

/// The strip above the designer that says where the lane group would go: the target (local sandbox or a
/// kubeconfig context), the namespace (the document's, unless the operator visibly chose another), the
/// flavor the group is rendered in (with a one-click switch when the connected cluster cannot take it), and
/// the connection state in words.
class ClusterBar final : public QWidget
{
    Q_OBJECT
public:
    explicit ClusterBar(QWidget *parent = nullptr);

    /// Lists `source`'s targets and follows its state; the bar does not own it.
    void setSource(ClusterTargetSource *source);
    ClusterTargetSource *source() const { return m_source; }

    QString currentTargetId() const;
    QString currentTargetName() const;
    /// Selects the target with `id` if it is listed (used to restore the last context).
    void selectTarget(const QString &id);
    ConnectionState state() const { return m_state; }

    /// The document's metadata.namespace: where the group goes unless another namespace is chosen.
    void setDocumentNamespace(const QString &ns);
    /// The namespace the operator chose instead of the document's ("Into another namespace"), or empty.
    /// Never remembered across documents: the window clears it when another document is loaded.
    QString namespaceOverride() const;
    void setNamespaceOverride(const QString &ns);
    /// Where push and diff put the group: the override if set, else the document's namespace.
    QString targetNamespace() const;

    /// The flavor shown in the bar ("asm", "istio", "asm-crd"); setting it does not emit flavorChanged().
    QString flavor() const;
    void setFlavor(const QString &flavor);
    /// What the connected cluster says about the flavor; an empty problem hides the advice.
    void setFlavorAdvice(const FlavorAdvice &advice);
    FlavorAdvice flavorAdvice() const { return m_advice; }

    /// Whether the live objects differ from the document, in words ("in sync", "drifted: ..."); empty hides.
    void setDrift(const QString &text, bool drifted);

Q_SIGNALS:
    void targetChanged(const QString &id, const QString &ns);
    void stateChanged(lanedeck::ui::ConnectionState state, const QString &message);
    void namespaceOverrideChanged(const QString &ns);
    /// The operator picked a flavor in the bar.
    void flavorChanged(const QString &flavor);
    /// The operator took the advice's switch (a flavor, and maybe an API version).
    void adviceTaken(const lanedeck::ui::FlavorAdvice &advice);

private:
    void reloadTargets();
    void connectCurrent();
    void showState(ConnectionState state, const QString &message);
    void showDestination();
    void overrideEdited();

    QPointer<ClusterTargetSource> m_source;
    QComboBox *m_targets;
    QLabel *m_destination;
    QCheckBox *m_override;
    QLineEdit *m_namespace;
    QComboBox *m_flavor;
    QPushButton *m_switchFlavor;
    QLabel *m_adviceText;
    QLabel *m_drift;
    QLabel *m_stateIcon;
    ElidedLabel *m_stateText;
    QString m_documentNamespace;
    QString m_appliedOverride;
    FlavorAdvice m_advice;
    ConnectionState m_state = ConnectionState::Disconnected;
};

} // namespace lanedeck::ui
