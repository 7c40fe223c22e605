#pragma once

#include "ui/clustertarget.h"

#include <QPointer>
#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;

namespace lanedeck::ui {

/// The strip above the designer that says where the lane group would go: the target (local sandbox or a
/// kubeconfig context), the namespace, and the connection state in words.
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
    QString currentNamespace() const;
    void setNamespace(const QString &ns);
    ConnectionState state() const { return m_state; }

Q_SIGNALS:
    void targetChanged(const QString &id, const QString &ns);
    void stateChanged(lanedeck::ui::ConnectionState state, const QString &message);

private:
    void reloadTargets();
    void connectCurrent();
    void showState(ConnectionState state, const QString &message);

    QPointer<ClusterTargetSource> m_source;
    QComboBox *m_targets;
    QLineEdit *m_namespace;
    QLabel *m_stateIcon;
    QLabel *m_stateText;
    ConnectionState m_state = ConnectionState::Disconnected;
};

} // namespace lanedeck::ui
