// One refresh of the mesh-telemetry view on a Prometheus holding 1,000 workloads x 20 lanes of series: a
// generated lane group of 50 services in a chain with 20 lanes that each deploy every service (1,000
// workloads), a scrape target serving Istio's request counter and duration buckets for every hop of every
// lane (1,000 counters and 20,000 buckets), and Debian's prometheus scraping it every second. Measures the
// time of one refresh (telemetry::observe: its queries, the mapping to lanes, the arithmetic) plus the model
// update the console does (TrafficLaneModel, TelemetryHopModel), and counts its queries. The peer, side by
// side in the same run: the same request counts fetched one query per lane and hop. docs/BENCHMARKS.md
// ("Mesh telemetry") has the command and results.
//
// Then the console: a Traffic page showing the mesh-telemetry source (TelemetryPanel: queries and mapping on
// its own thread, models and charts on the GUI thread) refreshes N times while a heartbeat timer on the GUI
// thread records the longest gap between its ticks: how long the GUI thread was kept from its events.
//
//   QT_QPA_PLATFORM=offscreen bench_telemetry [--refreshes N]
#include "guithread.h"
#include "telemetry/localprometheus.h"
#include "telemetry/meshtelemetry.h"
#include "ui/documentcontroller.h"
#include "ui/telemetrypanel.h"
#include "ui/trafficmodels.h"
#include "ui/trafficpage.h"

#include <httplib.h>

#include <QApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QStandardPaths>
#include <QTimer>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <thread>
#include <vector>

using namespace lanedeck;

namespace {

constexpr int kServices = 50;
constexpr int kLanes = 20;

LaneGroup generatedGroup()
{
    LaneGroup group;
    group.name = "bench";
    group.ingress.entryService = "svc0";
    for (int s = 0; s < kServices; ++s) {
        Service service;
        service.name = "svc" + std::to_string(s);
        if (s + 1 < kServices) {
            service.calls = {"svc" + std::to_string(s + 1)};
        }
        group.services.push_back(service);
    }
    for (int l = 0; l < kLanes; ++l) {
        Lane lane;
        lane.name = "lane" + std::to_string(l);
        lane.labelValue = "v" + std::to_string(l);
        lane.weight = l == 0 ? 24 : 4;
        for (const auto &service : group.services) {
            lane.services.push_back(service.name);
        }
        group.lanes.push_back(lane);
    }
    return group;
}

/// The scrape target: counters that grow with time, so every window holds requests.
std::string metricsText(const LaneGroup &group, double seconds)
{
    static const double buckets[] = {0.5,  1,    5,     10,    25,    50,     100,    250,     500,    1000,
                                     2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000};
    std::string out = "# TYPE istio_requests_total counter\n";
    std::string histogram = "# TYPE istio_request_duration_milliseconds histogram\n";
    for (const auto &lane : group.lanes) {
        const double count = std::floor(seconds * lane.weight);
        for (int s = 0; s < kServices; ++s) {
            const std::string source =
                s == 0 ? "source_workload=\"istio-ingressgateway\",source_workload_namespace=\"istio-system\""
                       : "source_workload=\"svc" + std::to_string(s - 1) + "-" + lane.labelValue +
                             "\",source_workload_namespace=\"default\"";
            const std::string labels =
                "reporter=\"source\"," + source + ",destination_workload=\"svc" + std::to_string(s) + "-" +
                lane.labelValue + "\",destination_workload_namespace=\"default\",destination_service=\"svc" +
                std::to_string(s) + ".default.svc.cluster.local\",destination_version=\"" + lane.labelValue +
                "\",destination_service_namespace=\"default\",response_code=\"200\"";
            out += "istio_requests_total{" + labels + "} " + std::to_string(std::llround(count)) + "\n";
            double cumulative = 0;
            for (std::size_t b = 0; b < std::size(buckets); ++b) {
                cumulative += b < 6 ? std::floor(count / 6) : 0;
                histogram += "istio_request_duration_milliseconds_bucket{" + labels + ",le=\"" +
                             std::to_string(buckets[b]) + "\"} " + std::to_string(std::llround(cumulative)) +
                             "\n";
            }
            histogram += "istio_request_duration_milliseconds_bucket{" + labels + ",le=\"+Inf\"} " +
                         std::to_string(std::llround(count)) + "\n";
        }
    }
    return out + histogram;
}

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    return values.empty() ? 0 : values[values.size() / 2];
}

/// What the GUI thread saw over the console's refreshes: per refresh, the longest gap between two heartbeat
/// ticks (a 1 ms timer) from refresh() to the panel's updated(), and the refresh's wall time.
struct GuiRun
{
    std::vector<double> maxGap;
    std::vector<double> wall;
    std::vector<double> cpu; ///< the GUI thread's CPU time over the refresh
    /// The peer: the same heartbeat over as long again with no refresh running (what the scheduler alone
    /// does to it on this machine).
    std::vector<double> idleMaxGap;
    std::vector<double> idleCpu;
    std::uint64_t total = 0;
    QString error;
};

GuiRun guiRefreshes(const LaneGroup &group, const QString &url, int refreshes)
{
    ui::DocumentController document;
    document.edit(group, QStringLiteral("bench"));
    ui::TrafficPage page(&document);
    ui::TelemetryPanel *panel = page.telemetryPanel();
    panel->setGroup(group);
    panel->setContext(QStringLiteral("bench_telemetry"));
    panel->setPrometheusUrl(url);
    panel->setWindowSeconds(30);
    panel->setRefreshInterval(3'600'000); // only the refreshes asked for below
    page.setSource(ui::TrafficPage::Source::MeshTelemetry);
    page.resize(1280, 820);
    page.show();

    GuiRun run;
    QElapsedTimer clock;
    clock.start();
    bench::Heartbeat heartbeat;
    QEventLoop settle;
    QTimer::singleShot(2000, &settle, &QEventLoop::quit); // the first show, its paint and refresh
    settle.exec();
    for (int r = 0; r < refreshes; ++r) {
        QEventLoop loop;
        const auto done = QObject::connect(panel, &ui::TelemetryPanel::updated, &loop, &QEventLoop::quit);
        const auto failed =
            QObject::connect(panel, &ui::TelemetryPanel::failed, &loop, [&](const QString &message) {
                run.error = message;
                loop.quit();
            });
        heartbeat.reset();
        const qint64 started = clock.nsecsElapsed();
        double cpu = bench::threadCpuMs();
        panel->refresh();
        loop.exec();
        // The charts repaint after the models changed: let the paint events run inside the measurement.
        QCoreApplication::processEvents();
        const double wall = double(clock.nsecsElapsed() - started) / 1e6;
        run.wall.push_back(wall);
        run.maxGap.push_back(heartbeat.longestGapMs());
        run.cpu.push_back(bench::threadCpuMs() - cpu);
        QEventLoop idle;
        QTimer::singleShot(int(wall) + 1, &idle, &QEventLoop::quit);
        heartbeat.reset();
        cpu = bench::threadCpuMs();
        idle.exec();
        run.idleMaxGap.push_back(heartbeat.longestGapMs());
        run.idleCpu.push_back(bench::threadCpuMs() - cpu);
        QObject::disconnect(done);
        QObject::disconnect(failed);
        if (!run.error.isEmpty()) {
            break;
        }
        run.total = panel->view() ? panel->view()->split.total : 0;
    }
    return run;
}

} // namespace

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QStandardPaths::setTestModeEnabled(true); // the panel remembers its URL: not in the operator's settings
    QApplication::setApplicationName(QStringLiteral("bench_telemetry"));
    int refreshes = 20;
    const QStringList args = app.arguments();
    if (const auto i = args.indexOf(QStringLiteral("--refreshes")); i > 0 && i + 1 < args.size()) {
        refreshes = std::max(1, args[i + 1].toInt());
    }
    const LaneGroup group = generatedGroup();
    const auto start = std::chrono::steady_clock::now();
    httplib::Server target;
    target.Get("/metrics", [&](const httplib::Request &, httplib::Response &response) {
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() + 1;
        response.set_content(metricsText(group, seconds), "text/plain; version=0.0.4");
    });
    const int port = target.bind_to_any_port("127.0.0.1");
    std::thread serving([&] { target.listen_after_bind(); });

    telemetry::LocalPrometheus prometheus;
    if (auto started = prometheus.start({"127.0.0.1:" + std::to_string(port)}); !started) {
        std::fprintf(stderr, "bench_telemetry: %s\n", started.error().message.c_str());
        target.stop();
        serving.join();
        return 1;
    }
    telemetry::PrometheusEndpoint endpoint;
    endpoint.url = prometheus.url();
    telemetry::PrometheusClient client(telemetry::directTransport(endpoint), endpoint.describe());
    // Until Prometheus holds every series for a while (the window needs two scrapes at least).
    for (int i = 0; i < 300; ++i) {
        const auto count = client.query("count(istio_requests_total offset 5s)");
        if (count && !count->empty() && count->front().value >= kServices * kLanes) {
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }

    telemetry::TelemetryWindow window;
    window.window = std::chrono::seconds(30);
    ui::TrafficLaneModel laneModel;
    ui::TelemetryHopModel hopModel;
    std::vector<double> refresh;
    std::vector<double> mapping;
    int queries = 0;
    std::uint64_t total = 0;
    for (int r = 0; r < refreshes; ++r) {
        const int before = client.queriesSent();
        QElapsedTimer timer;
        timer.start();
        const auto view = telemetry::observe(client, group, {}, window);
        if (!view) {
            std::fprintf(stderr, "bench_telemetry: %s\n", view.error().message.c_str());
            return 1;
        }
        laneModel.setSummary(view->split);
        hopModel.setHops(view->hops);
        refresh.push_back(double(timer.nsecsElapsed()) / 1e6);
        queries = client.queriesSent() - before;
        total = view->split.total;
        // The model update alone: what the console runs on the GUI thread (the queries and the mapping run on
        // the panel's own thread).
        QElapsedTimer cpu;
        cpu.start();
        laneModel.setSummary(view->split);
        hopModel.setHops(view->hops);
        mapping.push_back(double(cpu.nsecsElapsed()) / 1e6);
    }

    // Each query alone, for where the time goes.
    const double end =
        std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    for (const auto &query : telemetry::telemetryQueries(group, window)) {
        QElapsedTimer timer;
        timer.start();
        const auto answer = client.query(query, end);
        std::printf("  %.1f ms, %zu series: %.90s...\n", double(timer.nsecsElapsed()) / 1e6,
                    answer ? answer->size() : std::size_t(0), query.c_str());
    }

    // The peer: one query per lane and hop for the same request counts.
    std::vector<double> naive;
    int naiveQueries = 0;
    for (int r = 0; r < 3; ++r) {
        const int before = client.queriesSent();
        QElapsedTimer timer;
        timer.start();
        for (const auto &lane : group.lanes) {
            for (int s = 0; s < kServices; ++s) {
                const std::string selector = "reporter=\"source\",destination_workload=\"svc" +
                                             std::to_string(s) + "-" + lane.labelValue + "\"";
                const std::string query = "sum(istio_requests_total{" + selector +
                                          "}) - sum(istio_requests_total{" + selector + "} offset 30s)";
                if (!client.query(query)) {
                    return 1;
                }
            }
        }
        naive.push_back(double(timer.nsecsElapsed()) / 1e6);
        naiveQueries = client.queriesSent() - before;
    }
    std::printf("series: %d counters, %d buckets (%d services x %d lanes = %d workloads)\n",
                kServices * kLanes, kServices * kLanes * 20, kServices, kLanes, kServices * kLanes);
    std::printf(
        "refresh (queries + mapping + model update): median %.1f ms over %d, max %.1f ms; %d queries; "
        "%llu requests in the window\n",
        median(refresh), refreshes, *std::max_element(refresh.begin(), refresh.end()), queries,
        static_cast<unsigned long long>(total));
    std::printf("model update alone: median %.2f ms\n", median(mapping));
    std::printf("peer, one query per lane x hop (request counts only): median %.1f ms over 3; %d queries; "
                "ratio peer/refresh %.1f\n",
                median(naive), naiveQueries, median(naive) / median(refresh));

    const GuiRun gui = guiRefreshes(group, QString::fromStdString(prometheus.url()), refreshes);
    if (!gui.error.isEmpty()) {
        std::fprintf(stderr, "bench_telemetry: the console's refresh failed: %s\n", qPrintable(gui.error));
    } else {
        std::printf(
            "console (Traffic page, mesh telemetry shown): refresh median %.1f ms over %d; GUI thread's "
            "longest gap between 1 ms heartbeats per refresh: median %.1f ms, max %.1f ms; GUI thread "
            "CPU per refresh: median %.1f ms; %llu requests in the window\n",
            median(gui.wall), refreshes, median(gui.maxGap),
            *std::max_element(gui.maxGap.begin(), gui.maxGap.end()), median(gui.cpu),
            static_cast<unsigned long long>(gui.total));
        std::printf("peer, the same heartbeat as long again with no refresh: longest gap median %.1f ms, max "
                    "%.1f ms; GUI thread CPU median %.1f ms\n",
                    median(gui.idleMaxGap), *std::max_element(gui.idleMaxGap.begin(), gui.idleMaxGap.end()),
                    median(gui.idleCpu));
    }
    prometheus.stop();
    target.stop();
    serving.join();
    return gui.error.isEmpty() ? 0 : 1;
}
