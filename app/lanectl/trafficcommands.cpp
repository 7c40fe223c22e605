#include "commands.h"

#include "lanes/document.h"
#include "mesh/render.h"
#include "mesh/resource.h"
#include "sandbox/sandbox.h"
#include "telemetry/localprometheus.h"
#include "telemetry/meshtelemetry.h"
#include "traffic/export.h"
#include "traffic/sampler.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

#include <csignal>
#include <cstdio>
#include <mutex>
#include <optional>
#include <pthread.h>
#include <thread>
#include <unistd.h>

namespace lanectl {
namespace {

using namespace lanedeck;

std::optional<mesh::Flavor> sandboxFlavor(const QString &text)
{
    const auto flavor = mesh::parseFlavor(text.toStdString());
    if (!flavor || *flavor == mesh::Flavor::AsmCrd) {
        err("lanectl: the sandbox runs --flavor asm or istio, not '" + text.toStdString() + "'\n");
        return std::nullopt;
    }
    return flavor;
}

const QCommandLineOption &faultOption()
{
    static const QCommandLineOption option(
        QStringLiteral("fault"),
        QStringLiteral(
            "Make a workload fail on purpose: SERVICE:VERSION:error=20%,latency=100ms[,status=500] "
            "(repeatable)."),
        QStringLiteral("SPEC"));
    return option;
}

/// Reads every --fault and sets it on the sandbox; false (message printed) on the first bad one.
bool setFaults(const QCommandLineParser &parser, sandbox::Sandbox &box)
{
    for (const auto &text : parser.values(faultOption())) {
        auto spec = sandbox::parseFaultSpec(text.toStdString());
        if (!spec) {
            err("lanectl: --fault: " + spec.error().message + "\n");
            return false;
        }
        if (auto set = box.setFault(spec->service, spec->version, spec->fault); !set) {
            err("lanectl: --fault: " + set.error().message + "\n");
            return false;
        }
        err("fault on " + spec->service + ":" + spec->version + ": " + sandbox::toString(spec->fault) + "\n");
    }
    return true;
}

std::string percent(double share)
{
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.1f%%", share * 100.0);
    return buffer;
}

std::string millis(std::int64_t micros)
{
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, micros < 10000 ? "%.2f ms" : "%.0f ms", double(micros) / 1000.0);
    return buffer;
}

void printSummary(const traffic::Summary &summary)
{
    std::vector<std::vector<std::string>> rows{
        {"LANE", "COUNT", "SHARE", "95% INTERVAL", "WEIGHT", "P50", "P99"}};
    for (const auto &lane : summary.lanes) {
        rows.push_back({lane.name, std::to_string(lane.count), percent(lane.share),
                        percent(lane.interval.low) + " - " + percent(lane.interval.high),
                        lane.weight > 0 ? percent(lane.expectedShare) : "-", millis(lane.p50),
                        millis(lane.p99)});
    }
    if (summary.leaked) {
        rows.push_back({"(leaked)", std::to_string(summary.leaked), "", "", "-", "", ""});
    }
    printTable(rows);
    std::string line = std::to_string(summary.total) + " requests in ";
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.2f s (%.0f/s)", summary.elapsedSeconds, summary.achievedRate);
    line += buffer;
    line += ", " + std::to_string(summary.errorCount()) + " errors";
    std::string kinds;
    for (std::size_t i = 1; i < traffic::kErrorKinds; ++i) {
        if (summary.errors[i]) {
            kinds += (kinds.empty() ? "" : ", ") + traffic::toString(static_cast<traffic::ErrorKind>(i)) +
                     " " + std::to_string(summary.errors[i]);
        }
    }
    out(line + (kinds.empty() ? "" : " (" + kinds + ")") + "\n");
    out(summary.verdict + "\n");
}

/// The live progress line on stderr, when stderr is a terminal.
traffic::Sampler::SnapshotCallback progressLine(std::uint64_t count)
{
    if (!isatty(STDERR_FILENO)) {
        return {};
    }
    return [count](const traffic::Summary &s) {
        std::string line = "\r" + std::to_string(s.total) +
                           (count ? "/" + std::to_string(count) : std::string()) + " requests";
        char buffer[64];
        std::snprintf(buffer, sizeof buffer, "  %.0f/s", s.achievedRate);
        line += buffer;
        for (const auto &lane : s.lanes) {
            line += "  " + lane.name + " " + percent(lane.share);
        }
        line += "  errors " + std::to_string(s.errorCount()) + "   ";
        err(line);
    };
}

/// Blocks SIGINT and SIGTERM in this thread and every thread it starts afterwards, so that only waitForStop()
/// receives them.
sigset_t blockStopSignals()
{
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    return signals;
}

int sandboxCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Runs the lane group's mesh on loopback: a mock workload per service version, sidecar routing per "
        "hop and "
        "a gateway, all from the generated resources. Prints the gateway URL; Ctrl-C or SIGTERM stops it."));
    parser.addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("The lane group document."));
    const QCommandLineOption flavor(QStringLiteral("flavor"), QStringLiteral("asm (default) or istio."),
                                    QStringLiteral("FLAVOR"), QStringLiteral("asm"));
    const QCommandLineOption port(QStringLiteral("port"),
                                  QStringLiteral("The gateway's port (default: a free one)."),
                                  QStringLiteral("N"), QStringLiteral("0"));
    const QCommandLineOption seed(
        QStringLiteral("seed"), QStringLiteral("Seed the gateway's weighted choices (reproducible splits)."),
        QStringLiteral("N"), QStringLiteral("0"));
    const QCommandLineOption metricsPort(
        QStringLiteral("metrics-port"),
        QStringLiteral("Where Istio's metrics of every hop are served at /metrics (default: a free port)."),
        QStringLiteral("N"), QStringLiteral("0"));
    const QCommandLineOption noBaggage(
        QStringLiteral("no-baggage"),
        QStringLiteral("The service's workloads do not forward baggage (repeatable): shows lanes leaking."),
        QStringLiteral("SERVICE"));
    parser.addOptions({flavor, port, seed, metricsPort, noBaggage, faultOption()});
    if (int code =
            parseArguments(parser, arguments,
                           QStringLiteral("lanectl sandbox FILE [--flavor asm|istio] [--port N] [--seed N] "
                                          "[--metrics-port N] [--no-baggage SERVICE]... [--fault SPEC]..."),
                           1, 1);
        code >= 0) {
        return code;
    }
    const auto f = sandboxFlavor(parser.value(flavor));
    bool portOk = false;
    bool metricsOk = false;
    const int gatewayPort = parser.value(port).toInt(&portOk);
    const int metrics = parser.value(metricsPort).toInt(&metricsOk);
    if (!f || !portOk || gatewayPort < 0 || gatewayPort > 65535 || !metricsOk || metrics < 0 ||
        metrics > 65535) {
        if (f) {
            err("lanectl: --port and --metrics-port: expected 0..65535\n");
        }
        return Usage;
    }
    int code = Ok;
    const auto group = loadValidGroup(parser.positionalArguments().front(), code);
    if (!group) {
        return code;
    }
    for (const auto &service : parser.values(noBaggage)) {
        if (!group->service(service.toStdString())) {
            err("lanectl: --no-baggage: the group has no service '" + service.toStdString() + "'\n");
            return Usage;
        }
    }
    auto rendered = mesh::render(*group, {*f, {}});
    if (!rendered) {
        return fail(rendered.error());
    }
    const sigset_t signals = blockStopSignals();
    sandbox::SandboxOptions options;
    options.gatewayPort = gatewayPort;
    options.metricsPort = metrics;
    options.seed = parser.value(seed).toULongLong();
    sandbox::Sandbox box(*group, options);
    if (!setFaults(parser, box)) {
        return Usage;
    }
    for (const auto &service : parser.values(noBaggage)) {
        box.setBaggagePropagation(service.toStdString(), false);
    }
    if (auto started = box.start(rendered->resources); !started) {
        return fail(started.error());
    }
    std::string text = "sandbox (" + mesh::toString(*f) + " flavor) for lane group " + group->name + "\n";
    for (const auto &instance : box.instances()) {
        text += "  " + instance.service + " " + instance.version +
                "  http://127.0.0.1:" + std::to_string(instance.port) + "/  (workload " + instance.workload +
                ")\n";
    }
    for (const auto &service : parser.values(noBaggage)) {
        text += "  " + service.toStdString() + " does not forward baggage\n";
    }
    text += "Istio's metrics of every hop: " + box.metricsUrl() + "\n";
    err(text + "Ctrl-C stops it.\n");
    out(box.gatewayUrl() + "\n");
    int received = 0;
    sigwait(&signals, &received);
    box.stop();
    err("sandbox stopped\n");
    return Ok;
}

struct SampleOptions
{
    QCommandLineOption group{QStringLiteral("group"),
                             QStringLiteral("The lane group document (lanes, weights, paths)."),
                             QStringLiteral("FILE")};
    QCommandLineOption count{QStringList{QStringLiteral("n"), QStringLiteral("requests")},
                             QStringLiteral("Number of requests (default 1000 unless -d)."),
                             QStringLiteral("N")};
    QCommandLineOption duration{QStringList{QStringLiteral("d"), QStringLiteral("duration")},
                                QStringLiteral("Sample for a duration: 10s, 500ms, 2m."),
                                QStringLiteral("DURATION")};
    QCommandLineOption rate{
        QStringLiteral("rate"),
        QStringLiteral("Requests per second on a fixed schedule (default: as fast as -c allows)."),
        QStringLiteral("R")};
    QCommandLineOption concurrency{QStringList{QStringLiteral("c"), QStringLiteral("concurrency")},
                                   QStringLiteral("Connections / requests in flight (default 16)."),
                                   QStringLiteral("C"), QStringLiteral("16")};
    QCommandLineOption threads{QStringLiteral("threads"),
                               QStringLiteral("Sampling threads (default: one per core, at most one per "
                                              "connection)."),
                               QStringLiteral("N"), QStringLiteral("0")};
    QCommandLineOption engine{
        QStringLiteral("engine"),
        QStringLiteral("What sends the requests: auto (default: native for plain http:// "
                       "without a proxy, libcurl otherwise), curl or native."),
        QStringLiteral("ENGINE"), QStringLiteral("auto")};
    QCommandLineOption header{QStringList{QStringLiteral("H"), QStringLiteral("header")},
                              QStringLiteral("A request header 'Name: value' (repeatable)."),
                              QStringLiteral("HEADER")};
    QCommandLineOption method{QStringList{QStringLiteral("X"), QStringLiteral("method")},
                              QStringLiteral("HTTP method."), QStringLiteral("METHOD"),
                              QStringLiteral("GET")};
    QCommandLineOption body{QStringLiteral("body"), QStringLiteral("Request body."), QStringLiteral("TEXT")};
    QCommandLineOption timeout{QStringLiteral("timeout"), QStringLiteral("Per-request timeout (default 5s)."),
                               QStringLiteral("DURATION"), QStringLiteral("5s")};
    QCommandLineOption classify{
        QStringLiteral("classify"),
        QStringLiteral("chain (default: the asm-mock response chain), header:NAME or regex:RE "
                       "(first capture group)."),
        QStringLiteral("HOW"), QStringLiteral("chain")};
    QCommandLineOption csv{QStringLiteral("csv"),
                           QStringLiteral("Write every sample to F and the summary to F.summary.csv."),
                           QStringLiteral("F")};
    QCommandLineOption json{QStringLiteral("json"),
                            QStringLiteral("Write every sample and the summary as JSON to F."),
                            QStringLiteral("F")};
};

int writeExports(const traffic::SampleRun &run, const QString &csv, const QString &json)
{
    if (!csv.isEmpty()) {
        if (auto written = traffic::writeCsv(run, csv.toStdString()); !written) {
            return fail(written.error());
        }
    }
    if (!json.isEmpty()) {
        if (auto written = traffic::writeJson(run, json.toStdString()); !written) {
            return fail(written.error());
        }
    }
    return Ok;
}

/// Waits for the sampler to finish or for SIGINT/SIGTERM (which end the run early, keeping what was sampled).
/// The signals must have been blocked before the sampler (and any sandbox) started its threads.
traffic::SampleRun runSampler(traffic::Sampler &sampler, const sigset_t &signals)
{
    std::mutex mutex;
    bool done = false;
    std::thread watcher([&] {
        // A short sigtimedwait loop, so the watcher ends by itself when sampling ends without a signal.
        const timespec tick{0, 50'000'000};
        for (;;) {
            {
                std::lock_guard lock(mutex);
                if (done) {
                    return;
                }
            }
            if (sigtimedwait(&signals, nullptr, &tick) > 0) {
                sampler.requestStop();
                return;
            }
        }
    });
    traffic::SampleRun run = sampler.wait();
    {
        std::lock_guard lock(mutex);
        done = true;
    }
    watcher.join();
    return run;
}

int sampleCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Sends requests to URL, tells which lane served each one, and compares the split with "
                       "the lane weights. "
                       "Exit code 0 when the split matches the weights and no request failed, 1 otherwise."));
    parser.addPositionalArgument(QStringLiteral("URL"), QStringLiteral("The gateway URL."));
    SampleOptions o;
    parser.addOptions({o.group, o.count, o.duration, o.rate, o.concurrency, o.threads, o.engine, o.header,
                       o.method, o.body, o.timeout, o.classify, o.csv, o.json});
    OutputOption output;
    output.addTo(parser);
    const QString usage =
        QStringLiteral("lanectl sample URL --group FILE [-n N | -d DURATION] [--rate R] [-c C] [--threads N] "
                       "[--engine auto|curl|native] [-H 'K: V']... [--classify chain|header:NAME|regex:RE] "
                       "[--csv F] [--json F] [-o text|json|yaml]");
    if (int code = parseArguments(parser, arguments, usage, 1, 1); code >= 0) {
        return code;
    }
    if (!output.read(parser)) {
        return Usage;
    }
    auto usageError = [&](const std::string &message) {
        err("lanectl: " + message + "\nusage: " + usage.toStdString() + "\n");
        return Usage;
    };
    if (!parser.isSet(o.group)) {
        return usageError("--group FILE is required (the lanes and weights to compare with)");
    }
    traffic::SamplerConfig config;
    config.url = parser.positionalArguments().front().toStdString();
    if (parser.isSet(o.count) && parser.isSet(o.duration)) {
        return usageError("-n and -d exclude each other");
    }
    if (parser.isSet(o.duration)) {
        const auto d = parseDuration(parser.value(o.duration));
        if (!d) {
            return usageError("-d: expected a duration like 10s, 500ms, 2m");
        }
        config.duration = *d;
    } else {
        bool ok = false;
        config.count = parser.isSet(o.count) ? parser.value(o.count).toULongLong(&ok) : 1000;
        if (parser.isSet(o.count) && (!ok || config.count == 0)) {
            return usageError("-n: expected a positive number");
        }
    }
    bool ok = true;
    if (parser.isSet(o.rate)) {
        config.rate = parser.value(o.rate).toDouble(&ok);
        if (!ok || config.rate <= 0) {
            return usageError("--rate: expected requests per second > 0");
        }
    }
    config.concurrency = parser.value(o.concurrency).toInt(&ok);
    if (!ok || config.concurrency < 1) {
        return usageError("-c: expected a positive number");
    }
    config.threads = parser.value(o.threads).toInt(&ok);
    if (!ok || config.threads < 0 || config.threads > 256) {
        return usageError("--threads: expected 1..256 (0: one per core)");
    }
    const auto engine = traffic::parseSamplerEngine(parser.value(o.engine).toStdString());
    if (!engine) {
        return usageError("--" + engine.error().message);
    }
    config.engine = *engine;
    const auto timeout = parseDuration(parser.value(o.timeout));
    if (!timeout) {
        return usageError("--timeout: expected a duration like 5s");
    }
    config.timeout = *timeout;
    for (const auto &header : parser.values(o.header)) {
        config.headers.push_back(header.toStdString());
    }
    config.method = parser.value(o.method).toUpper().toStdString();
    config.body = parser.value(o.body).toStdString();
    int code = Ok;
    const auto group = loadValidGroup(parser.value(o.group), code);
    if (!group) {
        return code;
    }
    auto classifier = traffic::Classifier::parse(*group, parser.value(o.classify).toStdString());
    if (!classifier) {
        return usageError(classifier.error().message);
    }
    const sigset_t signals = blockStopSignals();
    traffic::Sampler sampler(config, std::move(*classifier));
    auto progress = progressLine(config.count);
    sampler.setSnapshotCallback(progress);
    if (auto started = sampler.start(); !started) {
        return usageError(started.error().message);
    }
    const traffic::SampleRun run = runSampler(sampler, signals);
    if (progress) {
        err("\n");
    }
    if (output.text()) {
        printSummary(run.summary);
    } else {
        // The summary as --json writes it, without the samples (those are for --json F and --csv F).
        output.print(traffic::toJson(run.summary));
    }
    if (int written = writeExports(run, parser.value(o.csv), parser.value(o.json)); written != Ok) {
        return written;
    }
    return run.summary.matches && run.summary.errorCount() == 0 ? Ok : Failed;
}

QString defaultExample()
{
    const QString relative = QStringLiteral("resources/examples/mock.lanes.yaml");
    const QString appDir = QCoreApplication::applicationDirPath();
    const QStringList candidates{
        relative,
        appDir + QStringLiteral("/../share/lanedeck/examples/mock.lanes.yaml"),
        QStringLiteral(LANEDECK_SOURCE_EXAMPLES "/mock.lanes.yaml"),
    };
    for (const auto &candidate : candidates) {
        if (QFileInfo::exists(candidate)) {
            return QDir::cleanPath(candidate);
        }
    }
    return relative;
}

int demoCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "The seed's Step 3 on one machine: starts the sandbox for a lane group (default: the mock example), "
        "samples it, prints the split, the verdict and each distinct response chain, and stops. "
        "Exit code 0 when the split matches the weights and no request failed."));
    parser.addPositionalArgument(QStringLiteral("FILE"),
                                 QStringLiteral("The lane group document (optional)."));
    const QCommandLineOption flavor(QStringLiteral("flavor"), QStringLiteral("asm (default) or istio."),
                                    QStringLiteral("FLAVOR"), QStringLiteral("asm"));
    const QCommandLineOption count(QStringList{QStringLiteral("n"), QStringLiteral("requests")},
                                   QStringLiteral("Number of requests (default 2000)."), QStringLiteral("N"),
                                   QStringLiteral("2000"));
    const QCommandLineOption concurrency(QStringList{QStringLiteral("c"), QStringLiteral("concurrency")},
                                         QStringLiteral("Requests in flight (default 8)."),
                                         QStringLiteral("C"), QStringLiteral("8"));
    const QCommandLineOption threads(
        QStringLiteral("threads"),
        QStringLiteral("Sampling threads (default: one per core, at most one per "
                       "connection)."),
        QStringLiteral("N"), QStringLiteral("0"));
    const QCommandLineOption seed(
        QStringLiteral("seed"), QStringLiteral("Seed the gateway's weighted choices (reproducible splits)."),
        QStringLiteral("N"), QStringLiteral("0"));
    const QCommandLineOption timeout(QStringLiteral("timeout"),
                                     QStringLiteral("Per-request timeout (default 5s)."),
                                     QStringLiteral("DURATION"), QStringLiteral("5s"));
    const QCommandLineOption telemetryOption(
        QStringLiteral("telemetry"),
        QStringLiteral(
            "Also run Prometheus (Debian's) scraping the sandbox and print the split, errors and leaks "
            "per hop from the mesh's telemetry."));
    const QCommandLineOption noBaggage(
        QStringLiteral("no-baggage"),
        QStringLiteral("The service's workloads do not forward baggage (repeatable): lanes leak (--flavor "
                       "istio) or fail (asm)."),
        QStringLiteral("SERVICE"));
    parser.addOptions(
        {flavor, count, concurrency, threads, seed, timeout, faultOption(), telemetryOption, noBaggage});
    if (int code = parseArguments(
            parser, arguments,
            QStringLiteral("lanectl demo [FILE] [--flavor asm|istio] [-n N] [-c C] [--threads N] [--seed N] "
                           "[--timeout D] [--fault SPEC]... [--telemetry] [--no-baggage SERVICE]..."),
            0, 1);
        code >= 0) {
        return code;
    }
    const auto f = sandboxFlavor(parser.value(flavor));
    if (!f) {
        return Usage;
    }
    bool ok = false;
    traffic::SamplerConfig config;
    config.count = parser.value(count).toULongLong(&ok);
    if (!ok || config.count == 0) {
        err("lanectl: -n: expected a positive number\n");
        return Usage;
    }
    config.concurrency = parser.value(concurrency).toInt(&ok);
    if (!ok || config.concurrency < 1) {
        err("lanectl: -c: expected a positive number\n");
        return Usage;
    }
    config.threads = parser.value(threads).toInt(&ok);
    if (!ok || config.threads < 0 || config.threads > 256) {
        err("lanectl: --threads: expected 1..256 (0: one per core)\n");
        return Usage;
    }
    const auto requestTimeout = parseDuration(parser.value(timeout));
    if (!requestTimeout) {
        err("lanectl: --timeout: expected a duration like 5s\n");
        return Usage;
    }
    config.timeout = *requestTimeout;
    const QString file =
        parser.positionalArguments().isEmpty() ? defaultExample() : parser.positionalArguments().front();
    int code = Ok;
    const auto group = loadValidGroup(file, code);
    if (!group) {
        return code;
    }
    auto rendered = mesh::render(*group, {*f, {}});
    if (!rendered) {
        return fail(rendered.error());
    }
    const sigset_t signals = blockStopSignals();
    sandbox::SandboxOptions options;
    options.seed = parser.value(seed).toULongLong();
    sandbox::Sandbox box(*group, options);
    if (!setFaults(parser, box)) {
        return Usage;
    }
    for (const auto &service : parser.values(noBaggage)) {
        if (!group->service(service.toStdString())) {
            err("lanectl: --no-baggage: the group has no service '" + service.toStdString() + "'\n");
            return Usage;
        }
        box.setBaggagePropagation(service.toStdString(), false);
    }
    if (auto started = box.start(rendered->resources); !started) {
        return fail(started.error());
    }
    out("sandbox (" + mesh::toString(*f) + " flavor) for " + file.toStdString() + " at " + box.gatewayUrl() +
        "\n");
    telemetry::LocalPrometheus prometheus;
    if (parser.isSet(telemetryOption)) {
        if (auto started = prometheus.start({"127.0.0.1:" + std::to_string(box.metricsPort())}); !started) {
            err("lanectl: --telemetry: " + started.error().message + "\n");
            return Failed;
        }
        out("Prometheus scraping the sandbox every second at " + prometheus.url() + "\n");
    }
    config.url = box.gatewayUrl();
    traffic::Sampler sampler(config, traffic::Classifier::chain(*group));
    auto progress = progressLine(config.count);
    sampler.setSnapshotCallback(progress);
    if (auto started = sampler.start(); !started) {
        return fail(started.error());
    }
    const traffic::SampleRun run = runSampler(sampler, signals);
    if (progress) {
        err("\n");
    }
    out("\n");
    printSummary(run.summary);
    out("\nDistinct response chains:\n");
    std::vector<std::vector<std::string>> rows{{"COUNT", "CHAIN"}};
    for (const auto &chain : run.summary.chains) {
        rows.push_back({std::to_string(chain.count), chain.chain});
    }
    printTable(rows);
    if (prometheus.isRunning()) {
        telemetry::PrometheusEndpoint endpoint;
        endpoint.url = prometheus.url();
        telemetry::PrometheusClient client(telemetry::directTransport(endpoint), endpoint.describe());
        // Within the scrape interval Prometheus has every request the gateway answered.
        const auto total = double(box.counters().gatewayRequests);
        for (int i = 0; i < 100; ++i) {
            const auto scraped = client.query(
                R"(sum(istio_requests_total{reporter="source",source_workload="istio-ingressgateway"}))");
            if (scraped && !scraped->empty() && scraped->front().value >= total) {
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        telemetry::TelemetryWindow window;
        window.window = std::chrono::seconds(300);
        const auto view = telemetry::observe(
            client, *group, telemetry::workloadsFromSandbox(*group, box.instances()), window);
        out("\nThe same traffic from the mesh's telemetry (Istio's metrics in Prometheus):\n");
        if (!view) {
            err("lanectl: " + view.error().message + "\n");
        } else {
            printTelemetry(*view);
        }
    }
    box.stop();
    return run.summary.matches && run.summary.errorCount() == 0 ? Ok : Failed;
}

} // namespace

std::vector<Command> trafficCommands()
{
    return {
        {"sandbox", "Run the lanes' mesh on loopback (mock services, sidecars, gateway)", sandboxCommand},
        {"sample", "Send requests, tell lanes apart, compare the split with the weights", sampleCommand},
        {"demo", "Sandbox + sampler on the example: the seed's Step 3 on one machine", demoCommand},
    };
}

} // namespace lanectl
