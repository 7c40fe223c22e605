#include "ui/execapproval.h"

#include "ui/settings.h"

#include <QMessageBox>
#include <QMetaObject>
#include <QPushButton>
#include <QThread>

namespace lanedeck::ui {

ExecApprovalPrompt::ExecApprovalPrompt(QWidget *window, QObject *parent) : QObject(parent), m_window(window)
{
    m_asker = [this](const ExecRequest &request) {
        QMessageBox box(
            QMessageBox::Question, tr("Run a credential command?"),
            tr("To reach the cluster, your kubeconfig runs a command for credentials:\n\n%1 %2\n\n"
               "It comes from %3 (user %4). LaneDeck runs it only if you allow it; the answer is "
               "remembered for this command.")
                .arg(request.command, request.args.join(QLatin1Char(' ')), request.kubeconfigFile,
                     request.user),
            QMessageBox::NoButton, m_window);
        QPushButton *allow = box.addButton(tr("&Allow"), QMessageBox::AcceptRole);
        box.addButton(tr("&Refuse"), QMessageBox::RejectRole);
        box.setDefaultButton(allow);
        box.exec();
        return box.clickedButton() == allow;
    };
}

void ExecApprovalPrompt::setAsker(Asker asker)
{
    m_asker = std::move(asker);
}

QString ExecApprovalPrompt::key(const ExecRequest &request)
{
    return QStringList{request.kubeconfigFile, request.command, request.args.join(QChar(0x1F))}.join(
        QChar(0x1E));
}

bool ExecApprovalPrompt::approve(const ExecRequest &request)
{
    UiSettings settings;
    const QString k = key(request);
    if (settings.approvedExecCommands().contains(k)) {
        return true;
    }
    if (!m_asker || !m_asker(request)) {
        return false;
    }
    settings.addApprovedExecCommand(k);
    return true;
}

bool ExecApprovalPrompt::approveFromAnyThread(const ExecRequest &request)
{
    if (QThread::currentThread() == thread()) {
        return approve(request);
    }
    bool approved = false;
    QMetaObject::invokeMethod(
        this, [this, &request] { return approve(request); }, Qt::BlockingQueuedConnection, &approved);
    return approved;
}

} // namespace lanedeck::ui
