// The Traffic page against a real in-process sandbox: the seed scenario pushed to the "Local sandbox" target,
// sampled from the page, and the chart models checked against the weights; a canary step (weights changed in
// the document and pushed through the push dialog while sampling) moves the split; the exports parse back.
#include "testsupport.h"

#include "traffic/export.h"
#include "ui/documentcontroller.h"
#include "ui/lanecolors.h"
#include "ui/mainwindow.h"
#include "ui/pushdialog.h"
#include "ui/sandboxtarget.h"
#include "ui/trafficcharts.h"
#include "ui/trafficdemo.h"
#include "ui/trafficmodels.h"
#include "ui/trafficpage.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QChart>
#include <QFile>
#include <QImage>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPointer>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QUndoStack>

#include <nlohmann/json.hpp>

#include <cmath>
#include <memory>

using namespace lanedeck;
using namespace lanedeck::ui;

namespace {
constexpr int kTimeoutMs = 120000; // generous: the machine is shared; nothing here measures time
const QString kExample = QStringLiteral(LANEDECK_SOURCE_DIR "/resources/examples/mock.lanes.yaml");

/// Rows of a CSV file, split at commas outside quotes.
QList<QStringList> readCsv(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return {};
    }
    QList<QStringList> rows;
    const QStringList lines = QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    for (const QString &line : lines) {
        QStringList fields;
        QString field;
        bool quoted = false;
        for (int i = 0; i < line.size(); ++i) {
            const QChar c = line[i];
            if (c == QLatin1Char('"')) {
                if (quoted && i + 1 < line.size() && line[i + 1] == QLatin1Char('"')) {
                    field += c;
                    ++i;
                } else {
                    quoted = !quoted;
                }
            } else if (c == QLatin1Char(',') && !quoted) {
                fields << field;
                field.clear();
            } else {
                field += c;
            }
        }
        fields << field;
        rows << fields;
    }
    return rows;
}
} // namespace

class TestTrafficPage : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void seedConvergesToWeights();
    void exportsAreComplete();
    void exportCoversTheWholeSession();
    void canaryPushMovesSplit();
    void supersededRunIsDropped();
    void demoStartsSampling();
    void closingWhileSampling();
    void pushIsAnnouncedWhenItsDialogIsGone();
    void formErrorsInWords_data();
    void chainModelHighlightsFallbackAndLeaks();
    void formErrorsInWords();
    void samplerSettingsAreRemembered();
    void headersExampleNamesTheGroupsLane();
    void chartsPictureSaysWhatItShows();

private:
    /// A window with the seed open, pushed to a seeded sandbox, and the page set to `count` requests at
    /// maximum rate (0: until stopped).
    void openAndPush(int count);
    void watchModels();
    double laneValue(int row, int column) const
    {
        return m_page->laneModel()->index(row, column).data(ValueRole).toDouble();
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<MainWindow> m_window;
    TrafficPage *m_page = nullptr;
    std::vector<std::unique_ptr<QAbstractItemModelTester>> m_testers;
};

void TestTrafficPage::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QApplication::setOrganizationName(QStringLiteral("LaneDeckTest"));
    QApplication::setApplicationName(QStringLiteral("tst_trafficpage"));
}

void TestTrafficPage::init()
{
    QSettings().clear();
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    MainWindow::Options options;
    options.autosaveDirectory = m_dir->filePath(QStringLiteral("autosave"));
    m_window = std::make_unique<MainWindow>(options);
    m_page = m_window->trafficPage();
    watchModels();
}

void TestTrafficPage::cleanup()
{
    m_testers.clear();
    if (m_window) {
        m_window->document()->undoStack()->setClean(); // no save prompt on close
        m_window.reset();
    }
}

void TestTrafficPage::watchModels()
{
    for (QAbstractItemModel *model : std::initializer_list<QAbstractItemModel *>{
             m_page->laneModel(), m_page->timelineModel(), m_page->chainModel()}) {
        m_testers.push_back(std::make_unique<QAbstractItemModelTester>(
            model, QAbstractItemModelTester::FailureReportingMode::QtTest));
    }
}

void TestTrafficPage::pushIsAnnouncedWhenItsDialogIsGone()
{
    // The push dialog owns its job and may be closed while the push runs; the push still takes effect, and
    // the sandbox source, not the job, says so: the page follows the new gateway and restarts on the group.
    QString error;
    QVERIFY2(m_window->openFile(kExample, &error), qPrintable(error));
    SandboxTargetSource *sandbox = m_window->sandboxTarget();
    QSignalSpy gateway(sandbox, &SandboxTargetSource::gatewayChanged);
    QSignalSpy applied(sandbox, &ClusterTargetSource::applied);
    PushRequest request;
    request.dryRun = false;
    QPointer<PushJob> job =
        sandbox->push(m_window->document()->group(), mesh::RenderOptions{mesh::Flavor::Asm, {}}, request);
    QVERIFY(job);
    QSignalSpy finished(job.data(), &PushJob::finished);
    // The job announces the apply as it starts the work; it goes at that moment, like a closed dialog's.
    connect(job.data(), &PushJob::progress, job.data(), &QObject::deleteLater);
    QTRY_VERIFY(job.isNull());
    QTRY_COMPARE_WITH_TIMEOUT(applied.size(), 1, kTimeoutMs);
    QCOMPARE(applied.front().front().value<LaneGroup>().name, m_window->document()->group().name);
    QCOMPARE(gateway.size(), 1);
    QVERIFY(sandbox->gatewayUrl().startsWith(QLatin1String("http://127.0.0.1:")));
    QCOMPARE(m_page->targetUrl(), sandbox->gatewayUrl());
    QCOMPARE(finished.size(), 0); // nobody was left to tell
}

void TestTrafficPage::openAndPush(int count)
{
    QString error;
    QVERIFY2(m_window->openFile(kExample, &error), qPrintable(error));
    SandboxTargetSource *sandbox = m_window->sandboxTarget();
    sandbox->setSeed(20260601);
    QSignalSpy gateway(sandbox, &SandboxTargetSource::gatewayChanged);
    PushRequest request;
    request.dryRun = false;
    PushJob *job =
        sandbox->push(m_window->document()->group(), mesh::RenderOptions{mesh::Flavor::Asm, {}}, request);
    QVERIFY(job);
    job->setParent(this);
    QSignalSpy finished(job, &PushJob::finished);
    QVERIFY(finished.wait(kTimeoutMs));
    QCOMPARE(finished.front().at(1).toString(), QString());
    QTRY_COMPARE(gateway.size(), 1); // the source's own announcement, queued beside the job's
    QVERIFY(sandbox->gatewayUrl().startsWith(QLatin1String("http://127.0.0.1:")));
    // The page follows the target: its URL is the sandbox's gateway.
    QCOMPARE(m_page->targetUrl(), sandbox->gatewayUrl());
    m_page->setRate(0);
    m_page->setConcurrency(4);
    m_page->setThreads(2); // the console's runs are shared out among sampling threads too
    m_page->setAmount(count ? TrafficPage::Amount::Requests : TrafficPage::Amount::UntilStopped, count);
    m_page->setClassification(TrafficPage::Classification::Chain);
}

void TestTrafficPage::seedConvergesToWeights()
{
    openAndPush(4000);
    m_window->show();
    m_window->showTab(QStringLiteral("traffic"));
    QSignalSpy updates(m_page, &TrafficPage::summaryUpdated);
    QSignalSpy running(m_page, &TrafficPage::runningChanged);
    QString error;
    QVERIFY2(m_page->start(&error), qPrintable(error));
    QTRY_VERIFY_WITH_TIMEOUT(!m_page->isRunning(), kTimeoutMs);
    QVERIFY(m_page->lastRun());
    QCOMPARE(m_page->lastRun()->config.threads, 2);
    QCOMPARE(traffic::samplingThreads(m_page->lastRun()->config), 2);
    QVERIFY(updates.size() >= 1);

    // The lane model: the core's numbers, configured 60/20/20, each weight inside its lane's 95% interval.
    const auto *lanes = m_page->laneModel();
    QCOMPARE(lanes->rowCount(), 3);
    const QStringList names{QStringLiteral("s1"), QStringLiteral("s2"), QStringLiteral("s3")};
    const double weights[] = {0.6, 0.2, 0.2};
    quint64 total = 0;
    for (int row = 0; row < 3; ++row) {
        QCOMPARE(lanes->index(row, TrafficLaneModel::Lane).data().toString(), names[row]);
        QCOMPARE(laneValue(row, TrafficLaneModel::Weight), weights[row]);
        const double low = laneValue(row, TrafficLaneModel::Low);
        const double high = laneValue(row, TrafficLaneModel::High);
        const double share = laneValue(row, TrafficLaneModel::Share);
        QVERIFY2(low <= weights[row] && weights[row] <= high,
                 qPrintable(QStringLiteral("%1: %2 not in [%3, %4]")
                                .arg(names[row])
                                .arg(weights[row])
                                .arg(low)
                                .arg(high)));
        QVERIFY(low <= share && share <= high);
        QVERIFY(high - low < 0.05); // 4000 samples: intervals a few points wide
        QVERIFY(laneValue(row, TrafficLaneModel::P50) > 0);
        QVERIFY(laneValue(row, TrafficLaneModel::P99) >= laneValue(row, TrafficLaneModel::P50));
        total += lanes->index(row, TrafficLaneModel::Count).data(ValueRole).toULongLong();
    }
    QCOMPARE(total, quint64(4000));
    QVERIFY2(m_page->verdict().startsWith(QLatin1String("matches 60/20/20, p = ")),
             qPrintable(m_page->verdict()));
    QCOMPARE(m_page->verdict(), QString::fromStdString(m_page->lastRun()->summary.verdict));

    // The time line adds up to the same requests, and each second's shares add up to 100%.
    const auto *timeline = m_page->timelineModel();
    QCOMPARE(timeline->laneNames(), names);
    QVERIFY(timeline->rowCount() >= 1);
    quint64 requests = 0;
    for (int row = 0; row < timeline->rowCount(); ++row) {
        requests += timeline->index(row, TrafficTimelineModel::Requests).data(ValueRole).toULongLong();
        double sum = 0;
        for (int lane = 0; lane < 3; ++lane) {
            sum += timeline->index(row, TrafficTimelineModel::FirstLane + lane).data(ValueRole).toDouble();
        }
        QVERIFY(std::abs(sum - 1.0) < 1e-9);
    }
    QCOMPARE(requests, quint64(4000));

    // The seed's three chains: s1 in lane, s2 falling back at mockb, s3 at mocka and mockc. None leaked.
    const auto *chains = m_page->chainModel();
    QCOMPARE(chains->rowCount(), 3);
    QMap<QString, QString> outcomeByLane;
    for (int row = 0; row < 3; ++row) {
        outcomeByLane[chains->index(row, TrafficChainModel::Lane).data().toString()] =
            chains->index(row, TrafficChainModel::Outcome).data().toString();
        QVERIFY(chains->index(row, TrafficChainModel::Chain)
                    .data()
                    .toString()
                    .startsWith(QLatin1String("-> mocka(")));
    }
    QCOMPARE(outcomeByLane.value(QStringLiteral("s1")), QStringLiteral("in lane"));
    QCOMPARE(outcomeByLane.value(QStringLiteral("s2")), QStringLiteral("fell back: mockb"));
    QCOMPARE(outcomeByLane.value(QStringLiteral("s3")), QStringLiteral("fell back: mocka, mockc"));

    // Clicking a chain shows its sample response.
    auto *view = m_page->findChild<QTableView *>(QStringLiteral("trafficChains"));
    auto *response = m_page->findChild<QPlainTextEdit *>(QStringLiteral("trafficResponse"));
    QVERIFY(view && response);
    const QModelIndex first = view->model()->index(0, TrafficChainModel::Chain);
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, view->visualRect(first).center());
    QVERIFY(response->toPlainText().contains(first.data().toString()));
    QVERIFY(response->toPlainText().contains(QLatin1String("Hops:")));
}

void TestTrafficPage::exportsAreComplete()
{
    openAndPush(1500);
    QString error;
    QVERIFY2(m_page->start(&error), qPrintable(error));
    QTRY_VERIFY_WITH_TIMEOUT(!m_page->isRunning() && m_page->lastRun(), kTimeoutMs);

    const QString csv = m_dir->filePath(QStringLiteral("samples.csv"));
    QVERIFY2(m_page->exportCsv(csv, &error), qPrintable(error));
    const auto rows = readCsv(csv);
    QCOMPARE(rows.size(), 1 + 1500);
    QCOMPARE(rows.front().mid(0, 3),
             (QStringList{QStringLiteral("run"), QStringLiteral("session_us"), QStringLiteral("sequence")}));
    const int laneColumn = int(rows.front().indexOf(QStringLiteral("lane")));
    QVERIFY(laneColumn >= 0);
    QMap<QString, int> perLane;
    for (qsizetype i = 1; i < rows.size(); ++i) {
        QCOMPARE(rows[i].size(), rows.front().size());
        QCOMPARE(rows[i][0], QStringLiteral("1"));
        ++perLane[rows[i][laneColumn]];
    }
    QCOMPARE(perLane.keys(), (QStringList{QStringLiteral("s1"), QStringLiteral("s2"), QStringLiteral("s3")}));
    const auto summaryRows = readCsv(QString::fromStdString(traffic::summaryCsvPath(csv.toStdString())));
    QCOMPARE(summaryRows.size(), 1 + 3);
    const int summaryLane = int(summaryRows.front().indexOf(QStringLiteral("lane")));
    const int countColumn = int(summaryRows.front().indexOf(QStringLiteral("count")));
    for (qsizetype i = 1; i < summaryRows.size(); ++i) {
        QCOMPARE(summaryRows[i][countColumn].toInt(), perLane.value(summaryRows[i][summaryLane]));
    }

    const QString json = m_dir->filePath(QStringLiteral("samples.json"));
    QVERIFY2(m_page->exportJson(json, &error), qPrintable(error));
    const auto parsed = nlohmann::json::parse(testing::readText(json.toStdString()));
    QCOMPARE(parsed.at("runs").size(), std::size_t(1));
    const auto &run = parsed.at("runs").at(0);
    QCOMPARE(run.at("samples").size(), std::size_t(1500));
    QCOMPARE(run.at("summary").at("lanes").size(), std::size_t(3));
    QCOMPARE(QString::fromStdString(run.at("summary").at("verdict").get<std::string>()), m_page->verdict());
    // One run: nothing to say about runs.
    QVERIFY(m_page->findChild<QLabel *>(QStringLiteral("trafficExportScope"))->isHidden());

    const QString png = m_dir->filePath(QStringLiteral("charts.png"));
    QVERIFY2(m_page->exportCharts(png, &error), qPrintable(error));
    const QImage image(png);
    QVERIFY(!image.isNull());
    QVERIFY(image.width() >= 2 * 260 && image.height() >= 2 * 160); // the four charts, two by two
}

void TestTrafficPage::exportCoversTheWholeSession()
{
    openAndPush(0);
    QString error;
    QVERIFY2(m_page->start(&error), qPrintable(error));
    QTRY_VERIFY_WITH_TIMEOUT(m_page->summary().total >= 500, kTimeoutMs);
    auto *exportCsvButton = m_page->findChild<QPushButton *>(QStringLiteral("trafficExportCsv"));
    // While sampling the button offers to stop and export what is there; the call itself says why not.
    QVERIFY(exportCsvButton && exportCsvButton->isEnabled());
    QVERIFY2(exportCsvButton->toolTip().contains(QLatin1String("Stops sampling")),
             qPrintable(exportCsvButton->toolTip()));
    QVERIFY(!m_page->exportCsv(m_dir->filePath(QStringLiteral("early.csv")), &error));
    QVERIFY2(error.contains(QLatin1String("Still sampling")), qPrintable(error));

    // A canary step pushed to the sandbox while sampling: the page starts a second run of the same session.
    LaneGroup canary = m_window->document()->group();
    canary.lanes[0].weight = 20;
    canary.lanes[1].weight = 40;
    canary.lanes[2].weight = 40;
    PushRequest request;
    request.dryRun = false;
    PushJob *job =
        m_window->sandboxTarget()->push(canary, mesh::RenderOptions{mesh::Flavor::Asm, {}}, request);
    QVERIFY(job);
    job->setParent(this);
    QSignalSpy pushed(job, &PushJob::finished);
    QVERIFY(pushed.wait(kTimeoutMs));
    QCOMPARE(m_page->runCount(), 2);
    QCOMPARE(m_page->session().size(), std::size_t(2));
    QVERIFY(m_page->session()[1].startMicros > 0);
    QTRY_VERIFY_WITH_TIMEOUT(m_page->summary().total >= 500, kTimeoutMs);
    m_page->stop();
    QTRY_VERIFY_WITH_TIMEOUT(!m_page->isRunning() && exportCsvButton->isEnabled(), kTimeoutMs);
    const auto &session = m_page->session();
    QVERIFY(session[0].run && session[1].run);
    QVERIFY(session[0].run->summary.total >= 500);
    QCOMPARE(session[0].run->samples.size(), std::size_t(session[0].run->summary.total));
    QCOMPARE(session[1].run, m_page->lastRun());

    // The CSV: every sample of both runs, each on the session's time line, and each run's own summary against
    // the weights it sampled.
    const QString csv = m_dir->filePath(QStringLiteral("session.csv"));
    QVERIFY2(m_page->exportCsv(csv, &error), qPrintable(error));
    const auto rows = readCsv(csv);
    QCOMPARE(rows.size(), qsizetype(1 + session[0].run->samples.size() + session[1].run->samples.size()));
    const int scheduledColumn = int(rows.front().indexOf(QStringLiteral("scheduled_us")));
    QMap<QString, int> perRun;
    for (qsizetype i = 1; i < rows.size(); ++i) {
        ++perRun[rows[i][0]];
        const qint64 start = session[rows[i][0] == QLatin1String("1") ? 0 : 1].startMicros;
        QCOMPARE(rows[i][1].toLongLong(), start + rows[i][scheduledColumn].toLongLong());
    }
    QCOMPARE(perRun.value(QStringLiteral("1")), int(session[0].run->samples.size()));
    QCOMPARE(perRun.value(QStringLiteral("2")), int(session[1].run->samples.size()));
    const auto summaryRows = readCsv(QString::fromStdString(traffic::summaryCsvPath(csv.toStdString())));
    QCOMPARE(summaryRows.size(), 1 + 3 + 3);
    const int weightColumn = int(summaryRows.front().indexOf(QStringLiteral("weight")));
    QStringList weights;
    for (qsizetype i = 1; i < summaryRows.size(); ++i) {
        weights << summaryRows[i][0] + QLatin1Char(':') + summaryRows[i][weightColumn];
    }
    QCOMPARE(weights.join(QLatin1Char(' ')), QStringLiteral("1:60 1:20 1:20 2:20 2:40 2:40"));

    // The JSON likewise.
    const QString json = m_dir->filePath(QStringLiteral("session.json"));
    QVERIFY2(m_page->exportJson(json, &error), qPrintable(error));
    const auto parsed = nlohmann::json::parse(testing::readText(json.toStdString()));
    QCOMPARE(parsed.at("runs").size(), std::size_t(2));
    for (std::size_t i = 0; i < 2; ++i) {
        const auto &run = parsed.at("runs").at(i);
        QCOMPARE(run.at("samples").size(), session[i].run->samples.size());
        QCOMPARE(run.at("summary").at("total").get<std::uint64_t>(), session[i].run->summary.total);
        QCOMPARE(run.at("startMicros").get<std::int64_t>(), session[i].startMicros);
        QCOMPARE(run.at("summary").at("lanes").at(0).at("weight").get<int>(), i == 0 ? 60 : 20);
    }

    // The page says what the files and the charts hold.
    auto *scope = m_page->findChild<QLabel *>(QStringLiteral("trafficExportScope"));
    QVERIFY(scope && !scope->isHidden());
    QVERIFY2(scope->text().startsWith(QStringLiteral("Runs in this session: 2 ")), qPrintable(scope->text()));
    QVERIFY2(m_page->charts()[1]->chart()->title().contains(QStringLiteral("run 2, since")),
             qPrintable(m_page->charts()[1]->chart()->title()));
    QVERIFY(m_page->charts()[0]->chart()->title() == QStringLiteral("Lane share over time"));

    // A new start is a new session.
    m_page->setAmount(TrafficPage::Amount::Requests, 100);
    QVERIFY2(m_page->start(&error), qPrintable(error));
    QCOMPARE(m_page->session().size(), std::size_t(1));
    QVERIFY(scope->isHidden());
    QTRY_VERIFY_WITH_TIMEOUT(!m_page->isRunning() && exportCsvButton->isEnabled(), kTimeoutMs);
    QVERIFY2(m_page->exportCsv(csv, &error), qPrintable(error));
    QCOMPARE(readCsv(csv).size(), 1 + 100);
}

void TestTrafficPage::canaryPushMovesSplit()
{
    openAndPush(0);
    m_window->show();
    m_window->showTab(QStringLiteral("traffic"));
    QString error;
    QVERIFY2(m_page->start(&error), qPrintable(error));
    // At least two whole seconds at 60/20/20 on the time line before the step.
    QTRY_VERIFY_WITH_TIMEOUT(m_page->summary().classified >= 1000 && m_page->timelineModel()->rowCount() >= 3,
                             kTimeoutMs);
    QCOMPARE(m_page->runCount(), 1);
    QVERIFY(m_page->verdict().contains(QLatin1String("60/20/20")));

    // The canary step: s1 down to 20, the others rebalance to 40/40, pushed through the push dialog.
    m_window->document()->setLaneWeight(0, 20, true);
    const auto &lanes = m_window->document()->group().lanes;
    QCOMPARE(lanes[0].weight, 20);
    QCOMPARE(lanes[1].weight, 40);
    QCOMPARE(lanes[2].weight, 40);
    PushDialog *dialog = m_window->push();
    QVERIFY(dialog);
    QTRY_COMPARE_WITH_TIMEOUT(dialog->stage(), PushDialog::Stage::Review, kTimeoutMs);
    QVERIFY(dialog->model()->count(PushOutcome::Result::Configured) >= 1); // the ingress VirtualService
    auto *apply = dialog->findChild<QPushButton *>(QStringLiteral("pushApplyButton"));
    QVERIFY(apply && apply->isEnabled());
    apply->click();
    QTRY_COMPARE_WITH_TIMEOUT(dialog->stage(), PushDialog::Stage::Done, kTimeoutMs);

    // Sampling went on: a new run against the pushed weights, continuing the same time line.
    QTRY_COMPARE_WITH_TIMEOUT(m_page->runCount(), 2, kTimeoutMs);
    QVERIFY(m_page->isRunning());
    QVERIFY(m_page->timelineModel()->runStartRow() >= 2);
    QTRY_VERIFY_WITH_TIMEOUT(m_page->summary().classified >= 8000, kTimeoutMs);
    const double weights[] = {0.2, 0.4, 0.4};
    for (int row = 0; row < 3; ++row) {
        QCOMPARE(laneValue(row, TrafficLaneModel::Weight), weights[row]);
        // 8000 samples: a standard error under 0.6 points, so 3 points is about five of them.
        const double share = laneValue(row, TrafficLaneModel::Share);
        QVERIFY2(std::abs(share - weights[row]) < 0.03,
                 qPrintable(QStringLiteral("lane %1: %2 after the push").arg(row).arg(share)));
    }
    QVERIFY2(m_page->verdict().contains(QLatin1String("20/40/40")), qPrintable(m_page->verdict()));
    // The time line: s1 at 60% before the step, at 20% in the new run's seconds (but its first, where the
    // push happened).
    const auto *timeline = m_page->timelineModel();
    const auto s1Share = [timeline](int from, int to, quint64 *all) {
        quint64 s1 = 0;
        *all = 0;
        for (int row = from; row < to; ++row) {
            for (int lane = 0; lane < 3; ++lane) {
                *all += timeline->laneCount(row, lane);
            }
            s1 += timeline->laneCount(row, 0);
        }
        return *all ? double(s1) / double(*all) : 0.0;
    };
    quint64 before = 0;
    quint64 after = 0;
    // Whole seconds reach the time line as they end: keep sampling until the new run has filled enough of
    // them (how many samples a second holds depends on the machine's speed).
    QTRY_VERIFY_WITH_TIMEOUT(
        (s1Share(timeline->runStartRow() + 1, timeline->rowCount(), &after), after >= 2000), kTimeoutMs);
    const double shareBefore = s1Share(0, timeline->runStartRow(), &before);
    const double shareAfter = s1Share(timeline->runStartRow() + 1, timeline->rowCount(), &after);
    QVERIFY2(before >= 500, qPrintable(QStringLiteral("%1 samples before the push").arg(before)));
    QVERIFY2(std::abs(shareBefore - 0.6) < 0.07, qPrintable(QString::number(shareBefore)));
    QVERIFY2(std::abs(shareAfter - 0.2) < 0.04, qPrintable(QString::number(shareAfter)));
    m_page->stop();
    QTRY_VERIFY_WITH_TIMEOUT(!m_page->isRunning(), kTimeoutMs);
}

void TestTrafficPage::supersededRunIsDropped()
{
    openAndPush(0);
    QString error;
    QVERIFY2(m_page->start(&error), qPrintable(error));
    QTRY_VERIFY_WITH_TIMEOUT(m_page->summary().total >= 2000, kTimeoutMs);
    // A second run supersedes the first, which is still sampling as fast as it can.
    m_page->setAmount(TrafficPage::Amount::Requests, 300);
    QVERIFY2(m_page->start(&error), qPrintable(error));
    QCOMPARE(m_page->runCount(), 2);
    QTRY_VERIFY_WITH_TIMEOUT(!m_page->isRunning() && m_page->lastRun(), kTimeoutMs);
    // Give the first run's last deliveries every chance to arrive: they must change nothing.
    QTest::qWait(500);
    QCOMPARE(m_page->summary().total, quint64(300));
    QCOMPARE(m_page->lastRun()->summary.total, quint64(300));
    QCOMPARE(m_page->lastRun()->samples.size(), std::size_t(300));
}

void TestTrafficPage::demoStartsSampling()
{
    TrafficDemo::Options options;
    options.rate = 200;
    options.concurrency = 4;
    TrafficDemo demo(m_window.get(), options);
    QSignalSpy started(&demo, &TrafficDemo::started);
    QString error;
    QVERIFY2(demo.start(QString(), &error), qPrintable(error)); // the embedded seed scenario
    QVERIFY(started.wait(kTimeoutMs));
    QCOMPARE(started.front().front().toString(), QString());
    QVERIFY(m_page->isRunning());
    QCOMPARE(m_page->targetUrl(), m_window->sandboxTarget()->gatewayUrl());
    QTRY_VERIFY_WITH_TIMEOUT(m_page->chainModel()->rowCount() == 3, kTimeoutMs);
    m_page->stop();
    QTRY_VERIFY_WITH_TIMEOUT(!m_page->isRunning(), kTimeoutMs);
}

void TestTrafficPage::closingWhileSampling()
{
    // Closing the window mid-run stops the sandbox and the sampler (in either order) and returns: the run is
    // abandoned, nothing is delivered to the deleted page, and nothing hangs (the test's watchdog would
    // tell).
    openAndPush(0);
    QString error;
    QVERIFY2(m_page->start(&error), qPrintable(error));
    QTRY_VERIFY_WITH_TIMEOUT(m_page->summary().total >= 1000, kTimeoutMs);
    QPointer<TrafficPage> page(m_page);
    m_testers.clear();
    m_window.reset();
    QVERIFY(page.isNull());
    QTest::qWait(300); // anything still queued for the deleted objects is discarded, not delivered
}

void TestTrafficPage::formErrorsInWords_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QStringList>("headers");
    QTest::addColumn<int>("mode");
    QTest::addColumn<QString>("argument");
    QTest::addColumn<QString>("expected");
    const int chain = int(TrafficPage::Classification::Chain);
    QTest::addRow("no-url") << QString() << QStringList() << chain << QString()
                            << QStringLiteral("No target URL");
    QTest::addRow("header-without-colon")
        << QStringLiteral("http://127.0.0.1:1/") << QStringList{QStringLiteral("x-lane s2")} << chain
        << QString() << QStringLiteral("Header line 1");
    QTest::addRow("header-mode-without-name")
        << QStringLiteral("http://127.0.0.1:1/") << QStringList() << int(TrafficPage::Classification::Header)
        << QString() << QStringLiteral("name the header");
    QTest::addRow("regex-that-does-not-compile")
        << QStringLiteral("http://127.0.0.1:1/") << QStringList() << int(TrafficPage::Classification::Regex)
        << QStringLiteral("(v\\d+") << QStringLiteral("Classify by regex");
}

void TestTrafficPage::formErrorsInWords()
{
    QFETCH(QString, url);
    QFETCH(QStringList, headers);
    QFETCH(int, mode);
    QFETCH(QString, argument);
    QFETCH(QString, expected);
    QString error;
    QVERIFY2(m_window->openFile(kExample, &error), qPrintable(error));
    m_page->setTargetUrl(url, QString());
    m_page->setExtraHeaders(headers);
    m_page->setClassification(static_cast<TrafficPage::Classification>(mode), argument);
    QVERIFY(!m_page->start(&error));
    QVERIFY2(error.contains(expected), qPrintable(error));
    QVERIFY(!m_page->isRunning());
    QCOMPARE(m_page->runCount(), 0);
}

void TestTrafficPage::chainModelHighlightsFallbackAndLeaks()
{
    // A summary as the core makes it, with one chain of each kind: in lane, fell back, leaked (mockb v3 under
    // mocka v2 is no lane's path: s2's baggage was lost, say).
    const LaneGroup group = testing::seedGroup();
    const auto hop = [](const char *service, const char *version, int ip) {
        return std::string("-> ") + service + "(version: " + version + ", ip: 10.0.0." + std::to_string(ip) +
               ")";
    };
    traffic::Summary summary;
    summary.chains = {{hop("mocka", "v1", 1) + hop("mockb", "v1", 2) + hop("mockc", "v1", 3), 60},
                      {hop("mocka", "v1", 1) + hop("mockb", "v3", 4) + hop("mockc", "v1", 3), 20},
                      {hop("mocka", "v2", 5) + hop("mockb", "v3", 4) + hop("mockc", "v2", 6), 7}};
    TrafficChainModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setClassifier(group, traffic::Classifier::chain(group));
    model.setSummary(summary);
    QCOMPARE(model.rowCount(), 3);
    const auto cell = [&model](int row, int column, int role = Qt::DisplayRole) {
        return model.index(row, column).data(role);
    };
    QCOMPARE(cell(0, TrafficChainModel::Outcome).toString(), QStringLiteral("in lane"));
    QVERIFY(!cell(0, TrafficChainModel::Chain, Qt::BackgroundRole).isValid());
    QCOMPARE(cell(1, TrafficChainModel::Lane).toString(), QStringLiteral("s3"));
    QCOMPARE(cell(1, TrafficChainModel::Outcome).toString(), QStringLiteral("fell back: mocka, mockc"));
    QVERIFY(cell(1, TrafficChainModel::Chain, Qt::BackgroundRole).isValid());
    QCOMPARE(cell(2, TrafficChainModel::Outcome).toString(), QStringLiteral("leaked"));
    QCOMPARE(cell(2, TrafficChainModel::Outcome, TrafficChainModel::OutcomeRole).toInt(),
             int(traffic::Outcome::Leaked));
    QCOMPARE(cell(2, TrafficChainModel::Count, Qt::BackgroundRole).value<QColor>(), problemBackground());
    QVERIFY(cell(2, TrafficChainModel::Chain, TrafficChainModel::DetailRole)
                .toString()
                .contains(QLatin1String("Leaked")));
    QCOMPARE(cell(2, TrafficChainModel::Share, ValueRole).toDouble(), 7.0 / 87.0);

    // Counts update in place; a chain seen later is appended, the rows already shown keep their place.
    summary.chains[0].count = 120;
    summary.chains.push_back({hop("mocka", "v2", 5) + hop("mockb", "v1", 2) + hop("mockc", "v2", 6), 30});
    model.setSummary(summary);
    QCOMPARE(model.rowCount(), 4);
    QCOMPARE(cell(0, TrafficChainModel::Count, ValueRole).toULongLong(), quint64(120));
    QCOMPARE(cell(3, TrafficChainModel::Outcome).toString(), QStringLiteral("fell back: mockb"));
}

QTEST_MAIN(TestTrafficPage)
void TestTrafficPage::samplerSettingsAreRemembered()
{
    // What the last run used comes back with the next window; the target does not (it follows the cluster
    // bar), nor the extra headers (they name one group's lanes).
    m_page->setTargetUrl(QStringLiteral("http://127.0.0.1:9/"), QString());
    m_page->setRate(123);
    m_page->setAmount(TrafficPage::Amount::Seconds, 7);
    m_page->setConcurrency(3);
    m_page->setClassification(TrafficPage::Classification::Header, QStringLiteral("x-lane"));
    m_page->setRestartOnPush(false);
    m_page->setExtraHeaders({QStringLiteral("x-asm-prefer-tag: s2")});
    QString error;
    QVERIFY2(m_page->start(&error), qPrintable(error));
    m_page->stop();
    QTRY_VERIFY_WITH_TIMEOUT(!m_page->isRunning(), kTimeoutMs);
    m_testers.clear();
    m_window.reset();

    MainWindow::Options options;
    options.autosaveDirectory = m_dir->filePath(QStringLiteral("autosave2"));
    m_window = std::make_unique<MainWindow>(options);
    m_page = m_window->trafficPage();
    auto value = [this](const char *name) {
        return m_page->findChild<QWidget *>(QString::fromLatin1(name))->property("value").toInt();
    };
    QCOMPARE(value("trafficRate"), 123);
    QCOMPARE(value("trafficAmount"), 7);
    QCOMPARE(value("trafficConcurrency"), 3);
    QCOMPARE(
        m_page->findChild<QWidget *>(QStringLiteral("trafficAmountKind"))->property("currentIndex").toInt(),
        int(TrafficPage::Amount::Seconds));
    QCOMPARE(
        m_page->findChild<QWidget *>(QStringLiteral("trafficClassify"))->property("currentIndex").toInt(),
        int(TrafficPage::Classification::Header));
    QCOMPARE(
        m_page->findChild<QWidget *>(QStringLiteral("trafficClassifyArgument"))->property("text").toString(),
        QStringLiteral("x-lane"));
    QVERIFY(
        !m_page->findChild<QWidget *>(QStringLiteral("trafficRestartOnPush"))->property("checked").toBool());
    QVERIFY(m_page->findChild<QPlainTextEdit *>(QStringLiteral("trafficHeaders"))->toPlainText().isEmpty());
    QVERIFY(m_page->targetUrl().isEmpty());
}

void TestTrafficPage::headersExampleNamesTheGroupsLane()
{
    auto *headers = m_page->findChild<QPlainTextEdit *>(QStringLiteral("trafficHeaders"));
    QString error;
    QVERIFY2(m_window->openFile(kExample, &error), qPrintable(error));
    QCOMPARE(headers->placeholderText(), QStringLiteral("x-asm-prefer-tag: s2   (forces lane s2)"));
    LaneGroup renamed = m_window->document()->group();
    renamed.lanes[1].name = "canary";
    renamed.routingHeader = "x-lane";
    m_window->document()->edit(renamed, QStringLiteral("rename"));
    QCOMPARE(headers->placeholderText(), QStringLiteral("x-lane: canary   (forces lane canary)"));
}

void TestTrafficPage::chartsPictureSaysWhatItShows()
{
    // The PNG for a change ticket: its header names the group, the target, the time range and the verdict,
    // and the picture has the same size whatever the window's.
    openAndPush(1000);
    QString error;
    QVERIFY2(m_page->start(&error), qPrintable(error));
    QTRY_VERIFY_WITH_TIMEOUT(m_page->lastRun() != nullptr, kTimeoutMs);
    const QStringList caption = m_page->chartsCaption();
    QCOMPARE(caption.size(), 4);
    QCOMPARE(caption[0], QStringLiteral("Traffic of lane group test"));
    QVERIFY2(caption[1].contains(m_page->targetUrl()), qPrintable(caption[1]));
    QVERIFY2(caption[2].contains(QLatin1String(" to ")) && !caption[2].contains(QLatin1String("still")),
             qPrintable(caption[2]));
    QCOMPARE(caption[3], m_page->verdict());
    const QString small = m_dir->filePath(QStringLiteral("small.png"));
    const QString large = m_dir->filePath(QStringLiteral("large.png"));
    m_window->resize(900, 600);
    QVERIFY2(m_page->exportCharts(small, &error), qPrintable(error));
    m_window->resize(1600, 1000);
    QVERIFY2(m_page->exportCharts(large, &error), qPrintable(error));
    const QImage a(small);
    const QImage b(large);
    QVERIFY(!a.isNull());
    QCOMPARE(a.size(), b.size());
    QVERIFY(a.width() >= 1500 && a.height() >= 900);
}

#include "tst_trafficpage.moc"
