// The console with a big group: 1,000 services x 20 lanes from the generator bench_render uses
// (syntheticgroup.h). Per run, in a fresh process: the time until the main window is shown with every view
// filled, until the topology's background layout is on the canvas, one dot layout on its own, the render of
// the same group to YAML (bench_render's work, the peer), a cell toggle and a weight drag step (the edit plus
// the repaint of every view, on the GUI thread), and RSS; then the same toggle with one view at a time on its
// own document (view_*: designer, lane paths, problems, topology, resources, and the document's validation
// alone), the resources' worker until its result is on screen, the longest GUI-thread pass meanwhile (wall
// and CPU) and the RSS before that part and its peak; and the main window's own peak with its Resources tab
// shown through 5 more toggles (`shown_peak_rss_mib`, the window an operator has). Each toggle and weight
// step also reports the GUI thread's CPU time (`*_cpu_ms`: what the edit costs that thread, whatever else the
// machine runs) and the longest stretch the GUI thread was busy in the 600 ms after it (`*_settle_gap_ms`, a
// 1 ms heartbeat's longest gap: deferred work such as a worker's result being applied). The parent prints
// every run and the medians. docs/BENCHMARKS.md ("Topology and big groups") has the command and results.
//
//   xvfb-run -a -s "-screen 0 1400x900x24" bench_topology [--runs R] [SERVICES] [LANES]
#include "graph/drawing.h"
#include "graph/layout.h"
#include "guithread.h"
#include "lanes/groupedits.h"
#include "lanes/validation.h"
#include "mesh/render.h"
#include "syntheticgroup.h"
#include "ui/designerview.h"
#include "ui/documentcontroller.h"
#include "ui/lanepainting.h"
#include "ui/lanepathsmodel.h"
#include "ui/mainwindow.h"
#include "ui/problemsmodel.h"
#include "ui/resourcesview.h"
#include "ui/topologyview.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QHeaderView>
#include <QProcess>
#include <QTableView>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <vector>

using namespace lanedeck;
using namespace lanedeck::ui;

namespace {

long statusKiB(const char *field)
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly)) {
        return 0;
    }
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith(field)) {
            return line.mid(static_cast<int>(qstrlen(field))).trimmed().split(' ').front().toLong();
        }
    }
    return 0;
}

double median(std::vector<double> values)
{
    if (values.empty()) {
        return 0;
    }
    std::sort(values.begin(), values.end());
    const std::size_t n = values.size();
    return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

double ms(const QElapsedTimer &timer)
{
    return static_cast<double>(timer.nsecsElapsed()) / 1e6;
}

/// Runs the event loop for `milliseconds` and returns the longest stretch the GUI thread spent on other work
/// (a timer's or a worker's result) meanwhile.
/// Resets VmHWM to the current RSS (writing 5 to clear_refs), so that the next VmHWM read is the peak of what
/// runs in between; false where the kernel does not allow it.
bool resetPeakRss()
{
    QFile clearRefs(QStringLiteral("/proc/self/clear_refs"));
    return clearRefs.open(QIODevice::WriteOnly) && clearRefs.write("5") == 1;
}

double longestGap(int milliseconds)
{
    bench::Heartbeat heartbeat;
    QEventLoop loop;
    QTimer::singleShot(milliseconds, &loop, &QEventLoop::quit);
    heartbeat.reset();
    loop.exec();
    return heartbeat.longestGapMs();
}

/// One edit's figures: the edit and repaint (wall and GUI-thread CPU), then the settling after it.
struct EditTimes
{
    std::vector<double> wall;
    std::vector<double> signalsOnly; ///< the edit's synchronous part (signals to every view)
    std::vector<double> cpu;
    std::vector<double> settleGap;

    void measure(const std::function<void()> &edit)
    {
        QElapsedTimer timer;
        const double cpuBefore = bench::threadCpuMs();
        timer.start();
        edit();
        signalsOnly.push_back(ms(timer));
        QApplication::processEvents();
        wall.push_back(ms(timer));
        cpu.push_back(bench::threadCpuMs() - cpuBefore);
        settleGap.push_back(longestGap(600));
    }
};

double maxOf(const std::vector<double> &values)
{
    return values.empty() ? 0 : *std::max_element(values.begin(), values.end());
}

/// The resources view's figures of viewToggle: `applied` the median time until a worker's rendering is on
/// screen (wall time), `guiMax` the longest single event loop pass while waiting for it (the GUI thread's
/// cost of applying the result, whatever the worker's pace).
struct ResourcesFigures
{
    double applied = 0;
    double guiMax = 0;
    double guiMaxCpu = 0; ///< the GUI thread's CPU time in its longest pass (without time it was preempted)
};

/// Toggles a cell of a document that one view alone follows, 5 times: the median time until the view has
/// repainted (validation included: the `none` view measures it alone). For the resources view, `resourcesOut`
/// gets the figures of the worker's result being applied.
double viewToggle(const LaneGroup &group, const std::function<QWidget *(DocumentController *)> &make,
                  ResourcesFigures *resourcesOut = nullptr)
{
    DocumentController doc;
    doc.newDocument(group);
    std::unique_ptr<QWidget> view(make(&doc));
    view->resize(1360, 860);
    view->show();
    QApplication::processEvents();
    if (auto *topology = qobject_cast<TopologyView *>(view.get())) {
        while (topology->layoutPending()) {
            QApplication::processEvents(QEventLoop::WaitForMoreEvents, 50);
        }
    }
    auto *resources = qobject_cast<ResourcesView *>(view.get());
    std::vector<double> times;
    std::vector<double> latencies;
    double guiMax = 0;
    double guiMaxCpu = 0;
    for (int i = 0; i < 5; ++i) {
        LaneGroup after = doc.group();
        const std::string service = "svc-" + std::to_string(i * 7 + 3);
        edits::setLaneHasService(after, 2, service, !after.laneHas(after.lanes[2], service));
        QElapsedTimer timer;
        timer.start();
        doc.edit(after, QStringLiteral("toggle"));
        QApplication::processEvents();
        times.push_back(ms(timer));
        if (resources) {
            while (resources->renderPending()) {
                // processEvents(flags, ms) never sleeps (Qt drops WaitForMoreEvents there): each pass is
                // GUI-thread work, so the longest is the longest stall an operator would feel.
                QElapsedTimer pass;
                pass.start();
                const double cpuBefore = bench::threadCpuMs();
                QApplication::processEvents(QEventLoop::AllEvents, 20);
                guiMax = std::max(guiMax, ms(pass));
                guiMaxCpu = std::max(guiMaxCpu, bench::threadCpuMs() - cpuBefore);
            }
            latencies.push_back(ms(timer));
        }
    }
    if (resourcesOut) {
        resourcesOut->applied = median(latencies);
        resourcesOut->guiMax = guiMax;
        resourcesOut->guiMaxCpu = guiMaxCpu;
    }
    return median(times);
}

/// The per-view split of a toggle: "view_NAME_ms" figures.
void printViewSplit(const LaneGroup &group)
{
    const auto table = [](QAbstractItemModel *model, QAbstractItemDelegate *delegate) {
        auto *view = new QTableView;
        model->setParent(view);
        view->setModel(model);
        if (delegate) {
            delegate->setParent(view);
            view->setItemDelegate(delegate);
        }
        view->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
        view->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
        return view;
    };
    ResourcesFigures applied;
    const double none = viewToggle(group, [](DocumentController *) { return new QWidget; });
    const double designer = viewToggle(group, [](DocumentController *d) { return new DesignerView(d); });
    const double paths = viewToggle(
        group, [&](DocumentController *d) { return table(new LanePathsModel(d), new LanePathDelegate); });
    const double problems =
        viewToggle(group, [&](DocumentController *d) { return table(new ProblemsModel(d), nullptr); });
    const double topology = viewToggle(group, [](DocumentController *d) { return new TopologyView(d); });
    // Peak RSS of the resources view's part alone.
    const bool peakReset = resetPeakRss();
    const double resourcesBase = statusKiB("VmRSS:") / 1024.0;
    const double resources = viewToggle(
        group, [](DocumentController *d) { return new ResourcesView(d); }, &applied);
    const double resourcesPeak = peakReset ? statusKiB("VmHWM:") / 1024.0 : 0;
    std::printf("view_document_ms=%.1f view_designer_ms=%.1f view_paths_ms=%.1f view_problems_ms=%.1f "
                "view_topology_ms=%.1f view_resources_ms=%.1f resources_applied_ms=%.1f "
                "resources_gui_max_ms=%.1f resources_gui_max_cpu_ms=%.1f resources_rss_before_mib=%.1f "
                "resources_peak_rss_mib=%.1f ",
                none, designer, paths, problems, topology, resources, applied.applied, applied.guiMax,
                applied.guiMaxCpu, resourcesBase, resourcesPeak);
}

/// The main window's peak RSS with its Resources tab shown: the preview rendered, then 5 toggles, each until
/// the preview has the new rendering and the deferred work after it (the drift check) has run. 0 where the
/// peak cannot be reset.
double resourcesShownPeak(MainWindow &window)
{
    const bool peakReset = resetPeakRss();
    window.showTab(QStringLiteral("resources"));
    const auto settle = [&] {
        while (window.resources()->renderPending()) {
            QApplication::processEvents(QEventLoop::WaitForMoreEvents, 50);
        }
        longestGap(600);
    };
    settle();
    DocumentController *doc = window.document();
    for (int i = 0; i < 5; ++i) {
        LaneGroup after = doc->group();
        const std::string service = "svc-" + std::to_string(i * 11 + 5);
        edits::setLaneHasService(after, 3, service, !after.laneHas(after.lanes[3], service));
        doc->edit(after, QStringLiteral("toggle"));
        settle();
    }
    return peakReset ? statusKiB("VmHWM:") / 1024.0 : 0;
}

int child(int services, int lanes)
{
    const LaneGroup group = bench::syntheticGroup(services, lanes);
    QTemporaryDir autosave;
    MainWindow::Options options;
    options.autosaveDirectory = autosave.path();
    options.autosaveIdleMs = 3600 * 1000;

    QElapsedTimer clock;
    clock.start();
    MainWindow window(options);
    window.document()->newDocument(group);
    window.resize(1360, 860);
    window.showTab(QStringLiteral("topology"));
    window.show();
    QApplication::processEvents();
    const double open = ms(clock);
    while (window.topology()->layoutPending()) {
        QApplication::processEvents(QEventLoop::WaitForMoreEvents, 50);
    }
    QApplication::processEvents();
    const double layoutReady = ms(clock);

    DocumentController *doc = window.document();
    EditTimes toggles;
    for (int i = 0; i < 10; ++i) {
        LaneGroup after = doc->group();
        const std::string service = "svc-" + std::to_string(i * 7 + 1);
        edits::setLaneHasService(after, 1, service, !after.laneHas(after.lanes[1], service));
        toggles.measure([&] { doc->edit(after, QStringLiteral("toggle")); });
    }
    EditTimes drags;
    for (int w = 1; w <= 10; ++w) {
        drags.measure([&] { doc->setLaneWeight(1, w, true); });
    }
    while (window.topology()->layoutPending()) {
        QApplication::processEvents(QEventLoop::WaitForMoreEvents, 50);
    }
    const double rss = statusKiB("VmRSS:") / 1024.0;
    const double peak = statusKiB("VmHWM:") / 1024.0;
    const double shownPeak = resourcesShownPeak(window);

    // The peers and the core's parts alone, after the RSS figures so that they hold only the console's.
    QElapsedTimer timer;
    timer.start();
    const auto layout = graph::layoutGraph(group, graph::nodeSizes(group));
    const double layoutAlone = ms(timer);
    if (!layout) {
        std::fprintf(stderr, "%s\n", layout.error().message.c_str());
        return 1;
    }
    timer.restart();
    const graph::Drawing drawing = graph::draw(group, *layout, 1);
    const double draw = ms(timer);
    timer.restart();
    const auto problems = validate(group);
    const double validation = ms(timer);
    // Keep the optimizer from dropping the work whose time is measured.
    std::fprintf(stderr, "%zu nodes drawn, %zu problems\n", drawing.nodes.size(), problems.size());
    timer.restart();
    const auto rendered = mesh::render(group, {mesh::Flavor::Asm, std::nullopt});
    const std::string yaml = rendered ? mesh::toYamlStream(rendered->resources) : std::string();
    const double render = ms(timer);

    printViewSplit(group);
    std::printf(
        "open_ms=%.1f layout_ready_ms=%.1f layout_ms=%.1f draw_ms=%.1f validate_ms=%.1f render_ms=%.1f "
        "toggle_ms=%.1f toggle_edit_ms=%.1f toggle_max_ms=%.1f toggle_cpu_ms=%.1f toggle_cpu_max_ms=%.1f "
        "toggle_settle_gap_ms=%.1f toggle_settle_gap_max_ms=%.1f "
        "weight_ms=%.1f weight_max_ms=%.1f weight_cpu_ms=%.1f weight_cpu_max_ms=%.1f "
        "weight_settle_gap_ms=%.1f weight_settle_gap_max_ms=%.1f rss_mib=%.1f peak_rss_mib=%.1f "
        "shown_peak_rss_mib=%.1f\n",
        open, layoutReady, layoutAlone, draw, validation, render, median(toggles.wall),
        median(toggles.signalsOnly), maxOf(toggles.wall), median(toggles.cpu), maxOf(toggles.cpu),
        median(toggles.settleGap), maxOf(toggles.settleGap), median(drags.wall), maxOf(drags.wall),
        median(drags.cpu), maxOf(drags.cpu), median(drags.settleGap), maxOf(drags.settleGap), rss, peak,
        shownPeak);
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QStringList args = QApplication::arguments().mid(1);
    int runs = 5;
    if (args.size() >= 2 && args[0] == QLatin1String("--runs")) {
        runs = args[1].toInt();
        args = args.mid(2);
    }
    const bool isChild = !args.isEmpty() && args[0] == QLatin1String("--child");
    if (isChild) {
        args.removeFirst();
    }
    const int services = args.size() > 0 ? args[0].toInt() : 1000;
    const int lanes = args.size() > 1 ? args[1].toInt() : 20;
    if (runs < 1 || services < 1 || lanes < 1) {
        std::fprintf(stderr, "usage: bench_topology [--runs R] [SERVICES] [LANES]\n");
        return 2;
    }
    if (isChild) {
        return child(services, lanes);
    }
    std::map<QString, std::vector<double>> figures;
    QStringList order;
    for (int run = 0; run < runs; ++run) {
        QProcess process;
        process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        process.start(QApplication::applicationFilePath(),
                      {QStringLiteral("--child"), QString::number(services), QString::number(lanes)});
        if (!process.waitForFinished(600000) || process.exitCode() != 0) {
            std::fprintf(stderr, "run %d failed\n", run + 1);
            return 1;
        }
        const QString line = QString::fromUtf8(process.readAllStandardOutput()).trimmed();
        std::printf("run %d: %s\n", run + 1, qPrintable(line));
        for (const QString &pair : line.split(QLatin1Char(' '))) {
            const QString key = pair.section(QLatin1Char('='), 0, 0);
            if (!order.contains(key)) {
                order << key;
            }
            figures[key].push_back(pair.section(QLatin1Char('='), 1).toDouble());
        }
    }
    std::printf("services=%d lanes=%d runs=%d medians:", services, lanes, runs);
    for (const QString &key : order) {
        std::printf(" %s=%.1f", qPrintable(key), median(figures[key]));
    }
    std::printf(" layout/render=%.2f\n", median(figures[QStringLiteral("layout_ms")]) /
                                             std::max(0.001, median(figures[QStringLiteral("render_ms")])));
    return 0;
}
