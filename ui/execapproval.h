#pragma once

#include <QObject>
#include <QPointer>
#include <QString>
#include <QStringList>

#include <functional>

class QWidget;

namespace lanedeck::ui {

/// The command a kubeconfig asks to run for credentials (kube::ExecApproval in Qt types).
struct ExecRequest
{
    QString command;
    QStringList args;
    QString kubeconfigFile;
    QString user;
};

/// Asks the operator before a kubeconfig's exec credential plugin runs for the first time, and remembers the
/// commands approved (command, arguments and kubeconfig file) in the settings. The cluster client's
/// kube::ExecApprover runs on a worker thread: it calls approveFromAnyThread(), which asks on the GUI thread
/// and blocks the worker until the operator answered.
class ExecApprovalPrompt final : public QObject
{
    Q_OBJECT
public:
    using Asker = std::function<bool(const ExecRequest &)>;

    /// Asks with a message box over `window`.
    explicit ExecApprovalPrompt(QWidget *window, QObject *parent = nullptr);

    /// Replaces the message box (tests, or a different dialog).
    void setAsker(Asker asker);

    /// On the GUI thread: true if approved before, else asks and remembers a yes.
    bool approve(const ExecRequest &request);
    /// From any thread: approve() on this object's thread, blocking the caller until answered.
    bool approveFromAnyThread(const ExecRequest &request);

    /// The key a request is remembered by.
    static QString key(const ExecRequest &request);

private:
    QPointer<QWidget> m_window;
    Asker m_asker;
};

} // namespace lanedeck::ui
