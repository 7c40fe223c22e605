// lanedeck: the desktop console. Parses the command line and hands over to ui/.
#include "ui/clusterbar.h"
#include "ui/clustertarget.h"
#include "ui/documentcontroller.h"
#include "ui/kubeconfigtargetsource.h"
#include "ui/mainwindow.h"
#include "ui/sandboxtarget.h"
#include "ui/settings.h"
#include "ui/topologyview.h"
#include "ui/trafficdemo.h"
#include "ui/trafficpage.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QPalette>
#include <QStyle>
#include <QStyleFactory>
#include <QTimer>

#include <cstdio>
#include <memory>
#include <string_view>

namespace {

/// Fusion's dark variant: the same roles a desktop dark theme sets, so every widget reads on it.
QPalette darkPalette()
{
    QPalette p;
    const QColor window(0x2B, 0x2B, 0x2B);
    const QColor base(0x1E, 0x1E, 0x1E);
    const QColor text(0xE6, 0xE6, 0xE6);
    const QColor disabled(0x80, 0x80, 0x80);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, QColor(0x26, 0x26, 0x26));
    p.setColor(QPalette::ToolTipBase, QColor(0x3A, 0x3A, 0x3A));
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::PlaceholderText, QColor(0x9A, 0x9A, 0x9A));
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, QColor(0x35, 0x35, 0x35));
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, Qt::white);
    p.setColor(QPalette::Light, QColor(0x4A, 0x4A, 0x4A));
    p.setColor(QPalette::Midlight, QColor(0x40, 0x40, 0x40));
    p.setColor(QPalette::Mid, QColor(0x55, 0x55, 0x55));
    p.setColor(QPalette::Dark, QColor(0x18, 0x18, 0x18));
    p.setColor(QPalette::Shadow, Qt::black);
    p.setColor(QPalette::Highlight, QColor(0x2F, 0x6F, 0xB5));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Link, QColor(0x79, 0xB8, 0xFF));
    p.setColor(QPalette::Disabled, QPalette::Text, disabled);
    p.setColor(QPalette::Disabled, QPalette::WindowText, disabled);
    p.setColor(QPalette::Disabled, QPalette::ButtonText, disabled);
    return p;
}

bool isDark(const QPalette &palette)
{
    return palette.color(QPalette::Window).lightness() < 128;
}

/// --help and --version must answer without a display (packaging, shell completion and CI call them).
bool answersWithoutDisplay(int argc, char *argv[])
{
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg(argv[i]);
        if (arg == "--help" || arg == "-h" || arg == "-?" || arg == "--help-all" || arg == "--version" ||
            arg == "-v") {
            return true;
        }
    }
    return false;
}

} // namespace

int main(int argc, char *argv[])
{
    std::unique_ptr<QCoreApplication> application;
    if (answersWithoutDisplay(argc, argv)) {
        application = std::make_unique<QCoreApplication>(argc, argv);
    } else {
        application = std::make_unique<QApplication>(argc, argv);
    }
    QCoreApplication &app = *application;
    QApplication::setApplicationName(QStringLiteral("lanedeck"));
    QApplication::setOrganizationName(QStringLiteral("LaneDeck"));
    QApplication::setOrganizationDomain(QStringLiteral("lanedeck.io"));
    QApplication::setApplicationVersion(QStringLiteral(LANEDECK_VERSION));
    QApplication::setApplicationDisplayName(QStringLiteral("LaneDeck"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QApplication::translate(
        "main",
        "Design, preview, push and demonstrate traffic lanes on Istio and Alibaba Cloud ASM meshes."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("FILE"),
                                 QApplication::translate("main", "A lane group document to open."),
                                 QStringLiteral("[FILE]"));
    const QCommandLineOption dark(QStringLiteral("dark"),
                                  QApplication::translate("main", "Use a dark palette."));
    const QCommandLineOption light(QStringLiteral("light"),
                                   QApplication::translate("main", "Use a light palette."));
    const QCommandLineOption screenshot(
        QStringLiteral("screenshot"),
        QApplication::translate("main", "Save a PNG of the main window to FILE once it is shown, then quit."),
        QStringLiteral("FILE"));
    const QCommandLineOption tab(
        QStringLiteral("tab"),
        QApplication::translate("main",
                                "Show the tab NAME: designer, paths, resources, traffic or topology."),
        QStringLiteral("NAME"));
    const QCommandLineOption lane(
        QStringLiteral("lane"),
        QApplication::translate("main", "Light up lane NAME's path on the Topology tab."),
        QStringLiteral("NAME"));
    const QCommandLineOption size(
        QStringLiteral("size"),
        QApplication::translate("main", "Window size WxH in device-independent pixels."),
        QStringLiteral("WxH"));
    const QCommandLineOption demo(
        QStringLiteral("demo"),
        QApplication::translate("main", "Open the seed scenario, push it to the local sandbox and sample it "
                                        "live on the Traffic page (the live canary demonstration)."));
    const QCommandLineOption canary(
        QStringLiteral("canary"),
        QApplication::translate("main", "With --demo: set the lane weights W1/W2/... and push them S seconds "
                                        "after sampling starts (default 10), e.g. 20/40/40@10."),
        QStringLiteral("W1/W2/...@S"));
    const QCommandLineOption rollout(
        QStringLiteral("rollout"),
        QApplication::translate("main",
                                "With --demo: run the canary rollout of s2 (0 to 50% in three steps) on "
                                "the Rollout panel: 'promote', or 'fault' (mockc v2 fails 20% of its "
                                "requests, and the gates roll it back)."),
        QStringLiteral("promote|fault"));
    const QCommandLineOption delay(
        QStringLiteral("delay"),
        QApplication::translate("main", "With --screenshot: wait MS milliseconds first."),
        QStringLiteral("MS"), QStringLiteral("500"));
    const QCommandLineOption kubeconfig(
        QStringLiteral("kubeconfig"),
        QApplication::translate("main",
                                "Read the cluster contexts from FILE only (as kubectl's --kubeconfig); "
                                "otherwise KUBECONFIG, else ~/.kube/config."),
        QStringLiteral("FILE"));
    const QCommandLineOption exportCharts(
        QStringLiteral("export-charts"),
        QApplication::translate("main",
                                "With --screenshot: also write the Traffic page's charts PNG to FILE, as "
                                "its Charts (PNG) export does."),
        QStringLiteral("FILE"));
    const QCommandLineOption noBaggage(
        QStringLiteral("no-baggage"),
        QApplication::translate("main",
                                "With --demo: SERVICE's workloads drop the baggage header, so requests "
                                "leave their lane after it (repeatable)."),
        QStringLiteral("SERVICE"));
    const QCommandLineOption source(
        QStringLiteral("source"),
        QApplication::translate("main", "With --demo: show the Traffic page's source NAME: sampler (the "
                                        "default) or telemetry (the mesh's telemetry in Prometheus)."),
        QStringLiteral("NAME"), QStringLiteral("sampler"));
    parser.addOptions({demo, canary, rollout, noBaggage, source, dark, light, screenshot, delay, tab, lane,
                       size, kubeconfig, exportCharts});
    parser.process(app);
    if (parser.positionalArguments().size() > 1) {
        std::fputs("lanedeck: at most one FILE\n", stderr);
        return 2;
    }

    // Fusion draws the same on every platform and honours the whole palette, which the dark palette needs.
    if (parser.isSet(dark) || parser.isSet(light) || parser.isSet(screenshot)) {
        QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    }
    if (parser.isSet(dark)) {
        QApplication::setPalette(darkPalette());
    } else if (parser.isSet(light)) {
        QApplication::setPalette(QApplication::style()->standardPalette());
    }

    // Read before the window exists: it starts on its built-in sandbox source, which records the sandbox as
    // the last target as soon as the cluster bar connects to it.
    const QString lastTarget = lanedeck::ui::UiSettings().lastTarget();
    lanedeck::ui::MainWindow window;
    window.setDarkPalette(isDark(QApplication::palette()));

    // The cluster bar lists the local sandbox (the window's own, which pushes run in and the Traffic page
    // follows), then every context of the kubeconfig; the window restores the target used last.
    lanedeck::ui::KubeconfigTargetSource::Options kubeOptions;
    kubeOptions.explicitPath =
        parser.isSet(kubeconfig) ? parser.value(kubeconfig) : lanedeck::ui::KubeconfigSettings().path();
    lanedeck::ui::KubeconfigTargetSource contexts(kubeOptions);
    contexts.setExecApproval(window.execApproval());
    contexts.setGroupProvider([&window] { return window.document()->group(); });
    lanedeck::ui::CompositeTargetSource targets;
    targets.addSource(window.sandboxTarget());
    targets.addSource(&contexts);
    window.setTargetSource(&targets);
    window.clusterBar()->selectTarget(lastTarget);
    if (parser.isSet(size)) {
        const QStringList wh = parser.value(size).split(QLatin1Char('x'));
        if (wh.size() == 2) {
            window.resize(wh[0].toInt(), wh[1].toInt());
        }
    }
    if (!parser.positionalArguments().isEmpty()) {
        // A screenshot run has nobody to read a message box: it reports on stderr and fails instead.
        QString error;
        if (!window.openFile(parser.positionalArguments().front(),
                             parser.isSet(screenshot) ? &error : nullptr) &&
            parser.isSet(screenshot)) {
            std::fprintf(stderr, "lanedeck: %s\n", qPrintable(error));
            return 1;
        }
    }
    lanedeck::ui::TrafficDemo::Options demoOptions;
    if (parser.isSet(canary) && !lanedeck::ui::TrafficDemo::parseCanary(parser.value(canary), &demoOptions)) {
        std::fputs("lanedeck: --canary: expected weights and seconds like 20/40/40@10\n", stderr);
        return 2;
    }
    demoOptions.noBaggage = parser.values(noBaggage);
    if (parser.value(source) != QLatin1String("sampler") &&
        parser.value(source) != QLatin1String("telemetry")) {
        std::fputs("lanedeck: --source: expected sampler or telemetry\n", stderr);
        return 2;
    }
    demoOptions.showTelemetry = parser.value(source) == QLatin1String("telemetry");
    if (parser.isSet(rollout) &&
        !lanedeck::ui::TrafficDemo::parseRollout(parser.value(rollout), &demoOptions)) {
        std::fputs("lanedeck: --rollout: expected promote or fault\n", stderr);
        return 2;
    }
    lanedeck::ui::TrafficDemo trafficDemo(&window, demoOptions);
    if (parser.isSet(demo)) {
        QString error;
        if (!trafficDemo.start(QString(), &error)) {
            std::fprintf(stderr, "lanedeck: --demo: %s\n", qPrintable(error));
            return 1;
        }
        const bool unattended = parser.isSet(screenshot);
        QObject::connect(&trafficDemo, &lanedeck::ui::TrafficDemo::started, &window,
                         [unattended](const QString &why) {
                             if (!why.isEmpty()) {
                                 std::fprintf(stderr, "lanedeck: --demo: %s\n", qPrintable(why));
                                 if (unattended) {
                                     // A screenshot of a demo that did not start would hide the failure.
                                     QApplication::exit(1);
                                 }
                             }
                         });
        QObject::connect(&trafficDemo, &lanedeck::ui::TrafficDemo::rolloutStarted, &window,
                         [](const QString &why) {
                             if (!why.isEmpty()) {
                                 std::fprintf(stderr, "lanedeck: --rollout: %s\n", qPrintable(why));
                             }
                         });
    }
    if (parser.isSet(tab)) {
        window.showTab(parser.value(tab));
    }
    if (parser.isSet(lane)) {
        const lanedeck::Lane *found = window.document()->group().lane(parser.value(lane).toStdString());
        if (!found) {
            std::fprintf(stderr, "lanedeck: no lane '%s' in the group\n", qPrintable(parser.value(lane)));
            return 2;
        }
        window.topology()->setLane(static_cast<int>(found - window.document()->group().lanes.data()));
    }
    window.show();

    if (parser.isSet(screenshot)) {
        const QString path = parser.value(screenshot);
        const QString chartsPath = parser.value(exportCharts);
        QTimer::singleShot(parser.value(delay).toInt(), &window, [&window, path, chartsPath] {
            bool ok = window.grab().save(path);
            std::fprintf(ok ? stdout : stderr, "%s %s\n", ok ? "wrote" : "cannot write", qPrintable(path));
            if (ok && !chartsPath.isEmpty()) {
                QString error;
                ok = window.trafficPage()->exportCharts(chartsPath, &error);
                std::fprintf(ok ? stdout : stderr, "%s\n",
                             qPrintable(ok ? QStringLiteral("wrote ") + chartsPath : error));
            }
            QApplication::exit(ok ? 0 : 1);
        });
    } else if (!parser.isSet(demo)) {
        QTimer::singleShot(0, &window, [&window] { window.offerRecovery(); });
    }
    return QApplication::exec();
}
