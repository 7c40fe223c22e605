#include "ui/trafficdemo.h"

#include "ui/clusterbar.h"
#include "ui/documentcontroller.h"
#include "ui/mainwindow.h"
#include "ui/sandboxtarget.h"
#include "ui/trafficpage.h"

#include <QDir>
#include <QFileInfo>

namespace lanedeck::ui {

TrafficDemo::TrafficDemo(MainWindow *window, Options options, QObject *parent)
    : QObject(parent), m_window(window), m_options(options)
{
}

bool TrafficDemo::start(const QString &document, QString *error)
{
    if (!m_window->openFile(document, error)) {
        return false;
    }
    SandboxTargetSource *sandbox = m_window->sandboxTarget();
    m_window->clusterBar()->selectTarget(QString::fromLatin1(kLocalSandboxId));
    TrafficPage *page = m_window->trafficPage();
    page->setRate(m_options.rate);
    page->setConcurrency(m_options.concurrency);
    page->setAmount(TrafficPage::Amount::UntilStopped);
    page->setClassification(TrafficPage::Classification::Chain);
    m_window->showTab(QStringLiteral("traffic"));

    // The sandbox runs the asm flavor (the seed's); a push applies at once, with no dialog to confirm.
    PushRequest request;
    request.dryRun = false;
    PushJob *job = sandbox->push(m_window->document()->group(), mesh::RenderOptions{mesh::Flavor::Asm, {}}, request);
    job->setParent(this);
    connect(job, &PushJob::finished, this, [this, job, page](bool, const QString &pushError) {
        job->deleteLater();
        QString message = pushError;
        if (message.isEmpty()) {
            page->start(&message);
        }
        Q_EMIT started(message);
    });
    return true;
}

QString findExampleDocument(const QString &applicationDir, const QString &sourceExamples)
{
    const QStringList candidates{
        applicationDir + QStringLiteral("/../share/lanedeck/examples/mock.lanes.yaml"),
        sourceExamples + QStringLiteral("/mock.lanes.yaml"),
    };
    for (const auto &candidate : candidates) {
        if (QFileInfo::exists(candidate)) {
            return QDir::cleanPath(candidate);
        }
    }
    return {};
}

} // namespace lanedeck::ui
