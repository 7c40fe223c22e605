#include "commands.h"

#include "base/atomicfile.h"
#include "kube/client.h"
#include "kube/inventory.h"
#include "kube/kubeconfig.h"
#include "lanes/document.h"
#include "mesh/render.h"
#include "mesh/resource.h"
#include "rollout/clustertarget.h"
#include "rollout/runner.h"
#include "sandbox/sandbox.h"
#include "telemetry/localprometheus.h"
#include "telemetry/meshtelemetry.h"

#include <QDir>
#include <QFileInfo>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <pthread.h>
#include <thread>
#include <unistd.h>

namespace lanectl {
namespace {

using namespace lanedeck;

/// The gates' reading of the mesh's telemetry: the lanes at the ingress over the time since the step was
/// pushed, less its first second (the mesh takes the new weights, the previous step's requests finish), in
/// whole seconds rounded down: a window reaching back before the push would mix the previous step's split
/// in. While Prometheus has nothing for that time yet (the first scrapes of a step), or cannot answer, the
/// gates wait and stderr says why; a step that waits too long is aborted by the runner.
std::function<Result<std::optional<rollout::Observation>>(std::chrono::milliseconds)>
meshObservation(telemetry::PrometheusClient &prometheus, const LaneGroup &group,
                telemetry::WorkloadMap workloads)
{
    return [&prometheus, &group, workloads = std::move(workloads)](
               std::chrono::milliseconds since) -> Result<std::optional<rollout::Observation>> {
        telemetry::TelemetryWindow window;
        window.window = std::chrono::floor<std::chrono::seconds>(since) - std::chrono::seconds(1);
        if (window.window < std::chrono::seconds(2)) { // increase() needs two scrapes inside the window
            return std::optional<rollout::Observation>{};
        }
        auto view = telemetry::observe(prometheus, group, workloads, window);
        if (!view) {
            err("telemetry: " + view.error().message + " (the gates wait)\n");
            return std::optional<rollout::Observation>{};
        }
        if (view->stale || view->split.total == 0) {
            return std::optional<rollout::Observation>{};
        }
        return std::optional(rollout::observationFromTelemetry(*view));
    };
}

/// Where a plan with gatesFrom: telemetry reads: `url`; else, on the sandbox with `runLocal`, a Prometheus
/// started to scrape it; else the cluster's own, found and reached through its API server. Sets `client`
/// and returns which workload is which lane's (the sandbox's instances, or the cluster's inventory).
Result<telemetry::WorkloadMap> telemetrySource(const std::string &url, bool runLocal, const LaneGroup &group,
                                               sandbox::Sandbox *box, kube::Client *cluster,
                                               telemetry::LocalPrometheus &local,
                                               std::optional<telemetry::PrometheusClient> &client)
{
    telemetry::WorkloadMap workloads;
    if (box) {
        workloads = telemetry::workloadsFromSandbox(group, box->instances());
    } else {
        std::vector<std::string> namespaces;
        for (const auto &service : group.services) {
            if (std::find(namespaces.begin(), namespaces.end(), service.ns) == namespaces.end()) {
                namespaces.push_back(service.ns);
            }
        }
        auto inventory = kube::readInventory(*cluster, namespaces);
        if (!inventory) {
            return inventory.error();
        }
        workloads = telemetry::workloadsFromInventory(group, *inventory);
    }
    telemetry::PrometheusEndpoint endpoint;
    endpoint.url = url;
    if (box && runLocal) {
        if (auto started = local.start({"127.0.0.1:" + std::to_string(box->metricsPort())}); !started) {
            return Error{"--telemetry: " + started.error().message};
        }
        endpoint.url = local.url();
    }
    if (!endpoint.url.empty()) {
        const std::string description = endpoint.describe();
        client.emplace(telemetry::directTransport(std::move(endpoint)), description);
        return workloads;
    }
    auto found = telemetry::discoverPrometheus(*cluster);
    if (!found) {
        return found.error();
    }
    client.emplace(telemetry::serviceProxyTransport(*cluster, found->ns, found->name, found->port),
                   found->ref() + " via the API server");
    return workloads;
}

/// The audit log: one JSON object per line, flushed after each so a crash loses nothing written.
class AuditLog
{
public:
    bool open(const std::string &path)
    {
        m_file.open(path, std::ios::app);
        return m_file.good();
    }
    void write(const rollout::Event &event)
    {
        if (m_file.is_open()) {
            m_file << rollout::eventJson(event).dump() << '\n';
            m_file.flush();
        }
    }

private:
    std::ofstream m_file;
};

/// The live line per event on stderr: each gate's measurement against its threshold.
void printEvent(const rollout::Event &event)
{
    using Kind = rollout::Event::Kind;
    const std::string step = event.step >= 0 ? "step " + std::to_string(event.step + 1) + ": " : "";
    switch (event.kind) {
    case Kind::Evaluated: {
        std::string line =
            step + std::to_string(event.requests) + " requests, " + rollout::toString(event.verdict);
        for (const auto &gate : event.gates) {
            line += "\n    [" + rollout::toString(gate.verdict) + "] " + gate.gate + ": " + gate.text;
        }
        err(line + "\n");
        return;
    }
    case Kind::Pushed: {
        err((event.pushOk ? "pushed " : "PUSH FAILED ") + event.message + "\n");
        if (!event.pushOk) {
            for (const auto &line : event.pushResults) {
                err("    " + line + "\n");
            }
        }
        return;
    }
    default:
        err(event.message + "\n");
    }
}

/// Blocks SIGINT/SIGTERM in every thread started afterwards; a watcher thread turns them into an abort.
sigset_t blockSignals()
{
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    return signals;
}

int exitCodeOf(rollout::Outcome outcome)
{
    switch (outcome) {
    case rollout::Outcome::Promoted:
        return Ok;
    case rollout::Outcome::RolledBack:
        return RolledBack;
    case rollout::Outcome::Aborted:
        return Aborted;
    case rollout::Outcome::Refused:
        break;
    }
    return Refused;
}

int rolloutCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Rolls a lane out in the steps of a Rollout plan: pushes each step's weights, samples through the "
        "ingress, judges the plan's gates every interval, rolls back on the first failure and promotes after "
        "the last step. Exit code 0 promoted, 4 rolled back, 5 aborted (Ctrl-C, too few requests, failed "
        "push), 6 refused (another rollout holds the group, the plan changed, nothing to resume, the "
        "analysis of the cluster found errors)."));
    parser.addPositionalArgument(QStringLiteral("PLAN"),
                                 QStringLiteral("The Rollout document (alone, or beside its LaneGroup)."));
    const QCommandLineOption target(
        QStringLiteral("target"),
        QStringLiteral("sandbox (default): the local sandbox mesh; or a kubeconfig context: that cluster."),
        QStringLiteral("TARGET"), QStringLiteral("sandbox"));
    const QCommandLineOption kubeconfig(
        QStringLiteral("kubeconfig"),
        QStringLiteral("Cluster: the kubeconfig (default: $KUBECONFIG, ~/.kube/config)."),
        QStringLiteral("FILE"));
    const QCommandLineOption probeUrl(
        QStringLiteral("probe-url"),
        QStringLiteral("Cluster: sample this URL instead of the ingress address read "
                       "from the cluster (a port-forward)."),
        QStringLiteral("URL"));
    const QCommandLineOption hostHeader(QStringLiteral("host"),
                                        QStringLiteral("Cluster: the Host header to send with --probe-url."),
                                        QStringLiteral("HOST"));
    const QCommandLineOption dryRun(
        QStringLiteral("dry-run"), QStringLiteral("Check the plan and print each step's weights and gates."));
    const QCommandLineOption resume(QStringLiteral("resume"),
                                    QStringLiteral("Continue the rollout in progress from its saved step."));
    const QCommandLineOption rollback(
        QStringLiteral("rollback"),
        QStringLiteral("Push the plan's rollback weights now and end the rollout."));
    const QCommandLineOption jsonLog(
        QStringLiteral("json-log"),
        QStringLiteral("Append every event as a JSON line to FILE (the audit log)."), QStringLiteral("FILE"));
    const QCommandLineOption state(QStringLiteral("state"),
                                   QStringLiteral("The sandbox's state file (default: PLAN.state.json)."),
                                   QStringLiteral("FILE"));
    const QCommandLineOption flavor(QStringLiteral("flavor"), QStringLiteral("asm (default) or istio."),
                                    QStringLiteral("FLAVOR"), QStringLiteral("asm"));
    const QCommandLineOption fault(
        QStringLiteral("fault"),
        QStringLiteral("Sandbox: make a workload fail, SERVICE:VERSION:error=20%,latency=100ms "
                       "(repeatable)."),
        QStringLiteral("SPEC"));
    const QCommandLineOption seed(QStringLiteral("seed"),
                                  QStringLiteral("Sandbox: seed the gateway's weighted choices."),
                                  QStringLiteral("N"), QStringLiteral("0"));
    const QCommandLineOption telemetryOption(
        QStringLiteral("telemetry"),
        QStringLiteral("Sandbox: run Debian's prometheus scraping it, for a plan whose gates read the "
                       "mesh's telemetry (gatesFrom: telemetry)."));
    const QCommandLineOption prometheusUrl(
        QStringLiteral("prometheus"),
        QStringLiteral("The Prometheus that gatesFrom: telemetry reads (default for a cluster: found in it "
                       "and reached through the API server, as lanectl observe does)."),
        QStringLiteral("URL"));
    const QCommandLineOption ignoreAnalysis(
        QStringLiteral("ignore-analysis"),
        QStringLiteral(
            "Cluster: start even when the analysis of the cluster (lanectl analyze) finds errors."));
    parser.addOptions({target, kubeconfig, probeUrl, hostHeader, dryRun, resume, rollback, jsonLog, state,
                       flavor, fault, seed, telemetryOption, prometheusUrl, ignoreAnalysis});
    const QString usage =
        QStringLiteral("lanectl rollout PLAN [--target sandbox|CONTEXT] [--kubeconfig FILE] [--probe-url URL "
                       "[--host H]] [--dry-run] [--resume | --rollback] [--json-log FILE] "
                       "[--state FILE] [--flavor asm|istio] [--fault SPEC]... [--seed N] [--telemetry | "
                       "--prometheus URL] [--ignore-analysis]");
    if (int code = parseArguments(parser, arguments, usage, 1, 1); code >= 0) {
        return code;
    }
    auto usageError = [&](const std::string &message) {
        err("lanectl: " + message + "\nusage: " + usage.toStdString() + "\n");
        return Usage;
    };
    if (parser.isSet(resume) && parser.isSet(rollback)) {
        return usageError("--resume and --rollback exclude each other");
    }
    const auto f = mesh::parseFlavor(parser.value(flavor).toStdString());
    if (!f || *f == mesh::Flavor::AsmCrd) {
        return usageError("--flavor: the sandbox runs asm or istio");
    }
    std::vector<sandbox::FaultSpec> faults;
    for (const auto &spec : parser.values(fault)) {
        auto parsed = sandbox::parseFaultSpec(spec.toStdString());
        if (!parsed) {
            return usageError(parsed.error().message);
        }
        faults.push_back(*parsed);
    }

    if (parser.value(target) != QLatin1String("sandbox") && !faults.empty()) {
        return usageError("--fault: only the sandbox fails on purpose");
    }

    const QString planPath = parser.positionalArguments().front();
    auto loaded = rollout::loadPlanFile(planPath.toStdString());
    if (!loaded.readable) {
        std::string text;
        for (auto problem : loaded.problems) {
            text += problem.toString() + '\n';
        }
        err(text);
        return loaded.problems.size() == 1 && loaded.problems.front().where.line == 0 ? IoError : Failed;
    }
    const QString groupPath = loaded.plan.groupFile.empty()
                                  ? planPath
                                  : QDir::cleanPath(QFileInfo(planPath).absoluteDir().filePath(
                                        QString::fromStdString(loaded.plan.groupFile)));
    int code = Ok;
    const auto group = loadValidGroup(groupPath, code);
    if (!group) {
        return code;
    }
    const auto problems = rollout::checkPlan(loaded, *group);
    if (!problems.empty()) {
        std::string text;
        for (const auto &p : problems) {
            text += p.toString() + '\n';
        }
        err(text + std::to_string(problems.size()) + " problem(s) in " + planPath.toStdString() + "\n");
        return Failed;
    }
    const rollout::Plan &plan = loaded.plan;
    const bool onSandbox = parser.value(target) == QLatin1String("sandbox");
    if (parser.isSet(telemetryOption) && !onSandbox) {
        return usageError("--telemetry: only the sandbox gets a Prometheus of its own; give the cluster's "
                          "with --prometheus URL, or let lanectl find it");
    }
    if (parser.isSet(telemetryOption) && parser.isSet(prometheusUrl)) {
        return usageError("--telemetry and --prometheus exclude each other");
    }
    if (plan.gatesFrom == rollout::GateSource::Telemetry && onSandbox && !parser.isSet(telemetryOption) &&
        !parser.isSet(prometheusUrl) && !parser.isSet(dryRun)) {
        return usageError(
            "the plan's gates read the mesh's telemetry (gatesFrom: telemetry): give --telemetry "
            "to run a Prometheus scraping the sandbox, or --prometheus URL");
    }
    if (parser.isSet(dryRun)) {
        out("plan " + plan.name + ": lane " + plan.lane + " of group " + group->name + ", " +
            std::to_string(plan.steps.size()) + " steps, evaluated every " +
            std::to_string(plan.interval.count()) + " ms at " + std::to_string(static_cast<int>(plan.rate)) +
            " requests/s\n");
        std::vector<std::vector<std::string>> rows{{"STEP", "WEIGHTS", "HOLD", "MIN REQUESTS", "GATES"}};
        const auto json = rollout::planJson(plan);
        for (std::size_t i = 0; i < plan.steps.size(); ++i) {
            const auto &step = plan.steps[i];
            const auto &gates =
                json["steps"][i].contains("gates") ? json["steps"][i]["gates"] : json["gates"];
            rows.push_back({std::to_string(i + 1),
                            rollout::weightsText(rollout::stepWeights(plan, step, *group), *group),
                            std::to_string(step.hold.count()) + " ms", std::to_string(step.minRequests),
                            gates.dump()});
        }
        rows.push_back(
            {"rollback", rollout::weightsText(rollout::rollbackWeights(plan, *group), *group), "", "", ""});
        printTable(rows);
        out("plan hash " + rollout::planHash(plan, *group) + "\n");
        return Ok;
    }

    const std::string statePath = parser.isSet(state) ? parser.value(state).toStdString()
                                                      : rollout::defaultStatePath(planPath.toStdString());
    AuditLog audit;
    if (parser.isSet(jsonLog) && !audit.open(parser.value(jsonLog).toStdString())) {
        err("lanectl: cannot open " + parser.value(jsonLog).toStdString() + " for appending\n");
        return IoError;
    }
    const sigset_t signals = blockSignals();

    std::unique_ptr<sandbox::Sandbox> box;
    std::unique_ptr<kube::Client> client;
    std::unique_ptr<rollout::Target> rolloutTarget;
    if (parser.value(target) == QLatin1String("sandbox")) {
        // The sandbox starts at the weights in force: the saved step's when resuming or rolling back, else
        // the group's own.
        LaneGroup initial = *group;
        if (parser.isSet(resume) || parser.isSet(rollback)) {
            auto text = readFileLimited(statePath, 1 << 20);
            if (text) {
                auto json = nlohmann::json::parse(*text, nullptr, false);
                if (auto saved = rollout::stateFromJson(json); !json.is_discarded() && saved) {
                    initial = rollout::withWeights(*group, saved->weights);
                }
            }
        }
        auto rendered = mesh::render(initial, {*f, {}});
        if (!rendered) {
            err("lanectl: " + rendered.error().message + "\n");
            return Failed;
        }
        sandbox::SandboxOptions options;
        options.seed = parser.value(seed).toULongLong();
        box = std::make_unique<sandbox::Sandbox>(*group, options);
        for (const auto &spec : faults) {
            if (auto set = box->setFault(spec.service, spec.version, spec.fault); !set) {
                return usageError(set.error().message);
            }
        }
        if (auto started = box->start(rendered->resources); !started) {
            err("lanectl: " + started.error().message + "\n");
            return Failed;
        }
        for (const auto &spec : faults) {
            err("fault on " + spec.service + ":" + spec.version + ": " + sandbox::toString(spec.fault) +
                "\n");
        }
        rolloutTarget = std::make_unique<rollout::SandboxTarget>(*box, *f, statePath);
    } else {
        kube::KubeconfigSource source;
        source.explicitPath = parser.value(kubeconfig).toStdString();
        auto config = kube::loadKubeconfig(source);
        if (!config) {
            err("lanectl: " + config.error().message + "\n");
            return Failed;
        }
        auto connection = kube::resolveConnection(*config, parser.value(target).toStdString());
        if (!connection) {
            err("lanectl: " + connection.error().message + "\n");
            return Failed;
        }
        auto created = kube::Client::create(*connection);
        if (!created) {
            err("lanectl: " + created.error().message + "\n");
            return Failed;
        }
        client = std::move(*created);
        // The push gate of lanectl apply, once before the first step (the steps change only weights, which
        // the analysis does not judge). A rollback is never held up by it: it is the way out.
        if (!parser.isSet(rollback) &&
            preflightGate(*client, *group, {*f, {}}, parser.isSet(ignoreAnalysis)) != Ok) {
            return Refused;
        }
        rolloutTarget = std::make_unique<rollout::ClusterTarget>(*client, *group, mesh::RenderOptions{*f, {}},
                                                                 parser.value(probeUrl).toStdString(),
                                                                 parser.value(hostHeader).toStdString());
    }
    rollout::RunnerOptions runnerOptions;
    runnerOptions.resume = parser.isSet(resume);
    telemetry::LocalPrometheus localPrometheus;
    std::optional<telemetry::PrometheusClient> prometheus;
    if (plan.gatesFrom == rollout::GateSource::Telemetry && !parser.isSet(rollback)) {
        auto workloads =
            telemetrySource(parser.value(prometheusUrl).toStdString(), parser.isSet(telemetryOption), *group,
                            box.get(), client.get(), localPrometheus, prometheus);
        if (!workloads) {
            err("lanectl: " + workloads.error().message + "\n");
            return Failed;
        }
        err("gates read the mesh's telemetry from " + prometheus->description() + "\n");
        runnerOptions.meshObservation = meshObservation(*prometheus, *group, std::move(*workloads));
    }
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    runnerOptions.holder = "lanectl@" + std::string(host) + ":" + std::to_string(::getpid());
    runnerOptions.onEvent = [&audit](const rollout::Event &event) {
        audit.write(event);
        printEvent(event);
    };
    rollout::Runner runner(plan, *group, *rolloutTarget, runnerOptions);
    rollout::RunResult result;
    if (parser.isSet(rollback)) {
        result = runner.rollBackOnly();
    } else {
        std::atomic<bool> done{false};
        std::thread watcher([&] {
            const timespec tick{0, 50'000'000};
            while (!done) {
                if (sigtimedwait(&signals, nullptr, &tick) > 0) {
                    err("\nstopping: the step in force stays; --resume continues, --rollback undoes\n");
                    runner.requestAbort();
                    return;
                }
            }
        });
        result = runner.run();
        done = true;
        watcher.join();
    }
    if (box) {
        box->stop();
    }
    const std::string outcome = rollout::toString(result.outcome);
    out((result.message.rfind(outcome, 0) == 0 ? "" : outcome + ": ") + result.message + "\n");
    return exitCodeOf(result.outcome);
}

} // namespace

std::vector<Command> rolloutCommands()
{
    return {
        {"rollout", "Step a lane's weight up under statistical gates; roll back on failure", rolloutCommand},
    };
}

} // namespace lanectl
