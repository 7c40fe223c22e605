#include "ui/trafficdemo.h"

#include "ui/clusterbar.h"
#include "ui/documentcontroller.h"
#include "ui/mainwindow.h"
#include "ui/resourcesview.h"
#include "ui/rolloutpanel.h"
#include "ui/sandboxtarget.h"
#include "ui/telemetrypanel.h"
#include "ui/trafficpage.h"

#include "sandbox/sandbox.h"
#include "telemetry/localprometheus.h"

#include <QTimer>

namespace lanedeck::ui {

TrafficDemo::TrafficDemo(MainWindow *window, Options options, QObject *parent)
    : QObject(parent), m_window(window), m_options(options)
{}

TrafficDemo::~TrafficDemo() = default;

QString TrafficDemo::prometheusUrl() const
{
    return m_prometheus ? QString::fromStdString(m_prometheus->url()) : QString();
}

void TrafficDemo::startTelemetry()
{
    TelemetryPanel *panel = m_window->trafficPage()->telemetryPanel();
    SandboxTargetSource *sandbox = m_window->sandboxTarget();
    panel->setWorkloads(telemetry::workloadsFromSandbox(m_window->document()->group(), sandbox->instances()));
    panel->setContext(QString::fromLatin1(kLocalSandboxId));
    if (m_prometheus || !m_options.telemetry || telemetry::LocalPrometheus::binary().empty()) {
        return;
    }
    auto prometheus = std::make_unique<telemetry::LocalPrometheus>();
    // Not waiting for it to be ready keeps the GUI thread free; the panel's first refreshes say it is not
    // answering yet.
    if (prometheus->start({sandbox->metricsTarget().toStdString()}, 0)) {
        m_prometheus = std::move(prometheus);
        panel->setPrometheusUrl(prometheusUrl());
        panel->setRefreshInterval(2000);
    }
}

bool TrafficDemo::start(const QString &document, QString *error)
{
    if (document.isEmpty() ? !m_window->openExample() : !m_window->openFile(document, error)) {
        if (document.isEmpty()) {
            *error = tr("cannot open the example");
        }
        return false;
    }
    for (const QString &service : m_options.noBaggage) {
        if (!m_window->document()->group().service(service.toStdString())) {
            *error = tr("no service '%1' in the group").arg(service);
            return false;
        }
        m_window->sandboxTarget()->setBaggagePropagation(service, false);
    }
    if (!m_options.noBaggage.isEmpty()) {
        m_window->resources()->setOptions(QStringLiteral("istio"), QString()); // what push() runs
    }
    m_window->clusterBar()->selectTarget(QString::fromLatin1(kLocalSandboxId));
    TrafficPage *page = m_window->trafficPage();
    page->setRate(m_options.rate);
    page->setConcurrency(m_options.concurrency);
    page->setAmount(TrafficPage::Amount::UntilStopped);
    page->setClassification(TrafficPage::Classification::Chain);
    m_window->showTab(QStringLiteral("traffic"));
    prepareRollout();

    push(QStringLiteral("start"));
    return true;
}

void TrafficDemo::push(const QString &step)
{
    // The sandbox runs the asm flavor (the seed's); a push applies at once, with no dialog to confirm.
    // Without baggage, asm's lanes lose the header they route by and the calls fail; Istio's subsets fall
    // back to the baseline, so the requests leave their lane: the propagation-off demonstration runs the
    // istio flavor.
    const mesh::Flavor flavor = m_options.noBaggage.isEmpty() ? mesh::Flavor::Asm : mesh::Flavor::Istio;
    PushRequest request;
    request.dryRun = false;
    PushJob *job = m_window->sandboxTarget()->push(m_window->document()->group(),
                                                   mesh::RenderOptions{flavor, {}}, request);
    job->setParent(this);
    connect(job, &PushJob::finished, this, [this, job, step](bool, const QString &pushError) {
        job->deleteLater();
        QString message = pushError;
        if (step == QLatin1String("canary")) {
            Q_EMIT canaryPushed(message);
            return;
        }
        if (message.isEmpty()) {
            startTelemetry();
            m_window->trafficPage()->start(&message);
            if (m_options.showTelemetry) {
                m_window->trafficPage()->setSource(TrafficPage::Source::MeshTelemetry);
            }
        }
        if (message.isEmpty() && !m_options.canaryWeights.isEmpty()) {
            QTimer::singleShot(m_options.canaryAfterMs, this, &TrafficDemo::canaryStep);
        }
        if (message.isEmpty() && !m_options.rollout.isEmpty()) {
            QTimer::singleShot(m_options.rolloutAfterMs, this, &TrafficDemo::startRollout);
        }
        Q_EMIT started(message);
    });
}

void TrafficDemo::canaryStep()
{
    DocumentController *document = m_window->document();
    LaneGroup group = document->group();
    for (qsizetype i = 0; i < m_options.canaryWeights.size() && i < qsizetype(group.lanes.size()); ++i) {
        group.lanes[std::size_t(i)].weight = m_options.canaryWeights[i];
    }
    document->edit(group, tr("Canary step"));
    push(QStringLiteral("canary"));
}

QString TrafficDemo::rolloutPlanPath()
{
    return QStringLiteral(":/lanedeck/examples/s2-canary.rollout.yaml");
}

bool TrafficDemo::parseRollout(const QString &text, Options *options)
{
    if (text != QLatin1String("promote") && text != QLatin1String("fault")) {
        return false;
    }
    options->rollout = text;
    return true;
}

/// Opens the demo plan in the Rollout panel; a scripted rollout starts s2 at 0%, as a canary does.
void TrafficDemo::prepareRollout()
{
    RolloutPanel *panel = m_window->trafficPage()->rolloutPanel();
    QString error;
    if (!panel->openPlan(rolloutPlanPath(), &error)) {
        Q_EMIT rolloutStarted(error);
        return;
    }
    if (m_options.rollout.isEmpty()) {
        return;
    }
    // The other lanes keep their proportions (60:20 is 75:25), so the plan's steps stay as documented.
    DocumentController *document = m_window->document();
    LaneGroup group = document->group();
    for (auto &lane : group.lanes) {
        lane.weight = lane.name == "s2" ? 0 : lane.name == "s1" ? 75 : 25;
    }
    document->edit(group, tr("Rollout demo: s2 starts at 0%"));
    m_window->trafficPage()->setRolloutVisible(true);
}

void TrafficDemo::startRollout()
{
    RolloutPanel *panel = m_window->trafficPage()->rolloutPanel();
    QString error;
    if (m_options.rollout == QLatin1String("fault")) {
        error = panel->setFault(QStringLiteral("mockc"), QStringLiteral("v2"), 0.2, 0);
    }
    if (error.isEmpty()) {
        panel->start(&error);
    }
    Q_EMIT rolloutStarted(error);
}

bool TrafficDemo::parseCanary(const QString &text, Options *options)
{
    const QStringList parts = text.split(QLatin1Char('@'));
    QList<int> weights;
    for (const QString &weight : parts.front().split(QLatin1Char('/'))) {
        bool ok = false;
        weights << weight.toInt(&ok);
        if (!ok || weights.back() < 0 || weights.back() > 100) {
            return false;
        }
    }
    int seconds = 10;
    if (parts.size() == 2) {
        bool ok = false;
        seconds = parts[1].toInt(&ok);
        if (!ok || seconds < 0) {
            return false;
        }
    } else if (parts.size() > 2) {
        return false;
    }
    options->canaryWeights = weights;
    options->canaryAfterMs = seconds * 1000;
    return true;
}

} // namespace lanedeck::ui
