// The Traffic page under load: the real main window shows the Traffic tab while the sampler drives the local
// sandbox (the seed scenario) at its maximum rate. Measures how late a 10 ms QTimer on the GUI thread fires
// (the event loop's stalls: p50, p99 and max over the run) and the process RSS after 25,000, 50,000 and
// 100,000 samples. Each run is a fresh process (RSS is per process); the parent prints every run and the
// medians. docs/BENCHMARKS.md ("Traffic page") has the command and results.
//
//   xvfb-run -a bench_trafficpage [--runs R] [--connections C] [--samples N]
#include "ui/documentcontroller.h"
#include "ui/mainwindow.h"
#include "ui/sandboxtarget.h"
#include "ui/trafficpage.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <vector>

using namespace lanedeck;
using namespace lanedeck::ui;

namespace {

constexpr int kTickMs = 10;

long rssKiB()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly)) {
        return 0;
    }
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:")) {
            return line.mid(6).trimmed().split(' ').front().toLong();
        }
    }
    return 0;
}

/// CPU time the calling thread has used, in seconds.
double threadCpuSeconds()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

double percentile(std::vector<double> values, double p)
{
    if (values.empty()) {
        return 0;
    }
    std::sort(values.begin(), values.end());
    const auto at = static_cast<std::size_t>(p / 100.0 * double(values.size() - 1) + 0.5);
    return values[std::min(at, values.size() - 1)];
}

/// Lateness of a 10 ms timer in ms, for as long as it runs.
class StallProbe final : public QObject
{
public:
    explicit StallProbe(QObject *parent) : QObject(parent)
    {
        m_timer.setTimerType(Qt::PreciseTimer);
        m_timer.setInterval(kTickMs);
        connect(&m_timer, &QTimer::timeout, this, [this] {
            const double now = double(m_clock.nsecsElapsed()) / 1e6;
            m_lateness.push_back(std::max(0.0, now - m_last - kTickMs));
            if (m_lateness.back() > m_worst) {
                m_worst = m_lateness.back();
                m_worstAt = now / 1000.0;
            }
            m_last = now;
        });
    }
    void start()
    {
        m_lateness.clear();
        m_worst = 0;
        m_worstAt = 0;
        m_clock.start();
        m_last = 0;
        m_timer.start();
    }
    std::vector<double> stop()
    {
        m_timer.stop();
        return m_lateness;
    }

    /// When the worst stall ended, in seconds from start().
    double worstAt() const { return m_worstAt; }

private:
    QTimer m_timer;
    double m_worst = 0;
    double m_worstAt = 0;
    QElapsedTimer m_clock;
    double m_last = 0;
    std::vector<double> m_lateness;
};

int child(int connections, quint64 samples)
{
    MainWindow window;
    window.resize(1360, 860);
    window.show();
    QString error;
    if (!window.openFile(QStringLiteral(LANEDECK_SOURCE_DIR "/resources/examples/mock.lanes.yaml"), &error)) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return 1;
    }
    window.showTab(QStringLiteral("traffic"));
    TrafficPage *page = window.trafficPage();
    page->setRate(0);
    page->setConcurrency(connections);
    page->setAmount(TrafficPage::Amount::UntilStopped);

    auto *probe = new StallProbe(&window);
    std::vector<double> idle;
    long rssStart = 0;
    const quint64 marks[] = {samples / 4, samples / 2, samples};
    long rssAt[3] = {0, 0, 0};
    int snapshots = 0;
    QElapsedTimer runClock;
    double guiCpuStart = 0;
    double guiCpuLast = 0;
    double guiCpuWorst = 0; // the most GUI-thread CPU between two snapshots, and at which snapshot
    int guiCpuWorstAt = 0;

    QObject::connect(page, &TrafficPage::summaryUpdated, &window, [&] {
        ++snapshots;
        const double cpu = threadCpuSeconds();
        if (cpu - guiCpuLast > guiCpuWorst) {
            guiCpuWorst = cpu - guiCpuLast;
            guiCpuWorstAt = snapshots;
        }
        guiCpuLast = cpu;
        const quint64 total = page->summary().total;
        for (int i = 0; i < 3; ++i) {
            if (!rssAt[i] && total >= marks[i]) {
                rssAt[i] = rssKiB();
            }
        }
        if (total >= samples && page->isRunning()) {
            page->stop();
        }
    });
    QObject::connect(page, &TrafficPage::runningChanged, &window, [&](bool running) {
        if (running) {
            return;
        }
        const double seconds = double(runClock.elapsed()) / 1000.0;
        const double guiCpu = (threadCpuSeconds() - guiCpuStart) / seconds * 100.0;
        const std::vector<double> busy = probe->stop();
        const auto &s = page->summary();
        std::printf("RESULT idle_p50=%.2f idle_p99=%.2f idle_max=%.2f p50=%.2f p99=%.2f max=%.2f ticks=%zu "
                    "rss_start=%ld rss_25=%ld rss_50=%ld rss_100=%ld samples=%llu rate=%.0f errors=%llu "
                    "snapshots_per_s=%.1f gui_cpu_pct=%.1f max_at_s=%.1f seconds=%.1f "
                    "gui_cpu_worst_ms=%.1f gui_cpu_worst_snapshot=%d\n",
                    percentile(idle, 50), percentile(idle, 99), percentile(idle, 100), percentile(busy, 50),
                    percentile(busy, 99), percentile(busy, 100), busy.size(), rssStart, rssAt[0], rssAt[1],
                    rssAt[2], static_cast<unsigned long long>(s.total), s.achievedRate,
                    static_cast<unsigned long long>(s.errorCount()), snapshots / seconds, guiCpu,
                    probe->worstAt(), seconds, guiCpuWorst * 1000.0, guiCpuWorstAt);
        std::fflush(stdout);
        QApplication::quit();
    });

    // Idle first (window shown, nothing sampled) for a baseline; then push to the sandbox and sample.
    probe->start();
    QTimer::singleShot(3000, &window, [&] {
        idle = probe->stop();
        rssStart = rssKiB();
        PushRequest request;
        request.dryRun = false;
        PushJob *job =
            window.sandboxTarget()->push(window.document()->group(), mesh::RenderOptions{}, request);
        QObject::connect(job, &PushJob::finished, &window, [&, job](bool, const QString &pushError) {
            job->deleteLater();
            QString startError = pushError;
            if (startError.isEmpty() && page->start(&startError)) {
                runClock.start();
                guiCpuStart = threadCpuSeconds();
                guiCpuLast = guiCpuStart;
                probe->start();
                return;
            }
            std::fprintf(stderr, "%s\n", qPrintable(startError));
            QApplication::exit(1);
        });
    });
    return QApplication::exec();
}

} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("bench_trafficpage"));
    const QStringList args = QApplication::arguments();
    const auto value = [&](const char *name, int fallback) {
        const qsizetype at = args.indexOf(QString::fromLatin1(name));
        return at >= 0 && at + 1 < args.size() ? args[at + 1].toInt() : fallback;
    };
    const int runs = value("--runs", 3);
    const int connections = value("--connections", 16);
    const int samples = value("--samples", 100000);
    if (args.contains(QStringLiteral("--child"))) {
        return child(connections, quint64(samples));
    }

    std::printf(
        "Traffic page while sampling the sandbox at maximum rate, %d connections, %d samples, %d runs\n",
        connections, samples, runs);
    const QStringList keys{QStringLiteral("idle_max"),   QStringLiteral("p50"),
                           QStringLiteral("p99"),        QStringLiteral("max"),
                           QStringLiteral("rss_start"),  QStringLiteral("rss_25"),
                           QStringLiteral("rss_50"),     QStringLiteral("rss_100"),
                           QStringLiteral("rate"),       QStringLiteral("snapshots_per_s"),
                           QStringLiteral("gui_cpu_pct")};
    QMap<QString, std::vector<double>> results;
    for (int run = 0; run < runs; ++run) {
        QProcess process;
        process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        process.start(QApplication::applicationFilePath(),
                      {QStringLiteral("--child"), QStringLiteral("--connections"),
                       QString::number(connections), QStringLiteral("--samples"), QString::number(samples)});
        if (!process.waitForFinished(600000) || process.exitCode() != 0) {
            std::fprintf(stderr, "run %d failed\n", run + 1);
            return 1;
        }
        const QString out = QString::fromUtf8(process.readAllStandardOutput());
        const qsizetype at = out.indexOf(QLatin1String("RESULT "));
        if (at < 0) {
            std::fprintf(stderr, "run %d printed no result:\n%s\n", run + 1, qPrintable(out));
            return 1;
        }
        const QString line = out.mid(at + 7).section(QLatin1Char('\n'), 0, 0);
        std::printf("run %d: %s\n", run + 1, qPrintable(line));
        for (const QString &pair : line.split(QLatin1Char(' '), Qt::SkipEmptyParts)) {
            results[pair.section(QLatin1Char('='), 0, 0)].push_back(
                pair.section(QLatin1Char('='), 1).toDouble());
        }
    }
    std::printf("median:");
    for (const QString &key : keys) {
        std::printf(" %s=%.2f", qPrintable(key), percentile(results.value(key), 50));
    }
    std::printf(
        "\n(stalls in ms; RSS in KiB at the start of sampling and after 25%%/50%%/100%% of the samples)\n");
    return 0;
}
