// Server-side applies N generated resources with LaneDeck and, in the same run, `kubectl apply --server-side
// -f DIR` of the same rendered files, each into a fresh namespace of the same API server; prints every run,
// the medians and the ratio. docs/BENCHMARKS.md ("Cluster apply") has the command and results.
#include "base/atomicfile.h"
#include "base/yamljson.h"
#include "kube/client.h"
#include "kube/discovery.h"
#include "kube/kubeconfig.h"
#include "kube/push.h"
#include "lanes/lanegroup.h"
#include "mesh/render.h"
#include "mesh/resource.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <sys/resource.h>
#include <unistd.h>

using namespace lanedeck;

namespace {

/// A group whose istio rendering holds at least `count` resources (a DestinationRule and a VirtualService
/// per service, three lanes), cut to exactly `count`.
std::vector<mesh::Resource> generate(int count)
{
    LaneGroup group;
    group.name = "bench";
    group.ingress.entryService = "svc-0";
    const int services = count / 2 + 1;
    for (int s = 0; s < services; ++s) {
        group.services.push_back({"svc-" + std::to_string(s), "default", 8000, {}});
    }
    for (int l = 0; l < 3; ++l) {
        Lane lane;
        lane.name = "s" + std::to_string(l + 1);
        lane.labelValue = "v" + std::to_string(l + 1);
        lane.weight = l == 0 ? 60 : 20;
        for (int s = 0; s < services; ++s) {
            if (l == 0 || s % (l + 1) == 0) {
                lane.services.push_back("svc-" + std::to_string(s));
            }
        }
        group.lanes.push_back(lane);
    }
    auto rendered = mesh::render(group, {mesh::Flavor::Istio, {}});
    if (!rendered) {
        std::fprintf(stderr, "%s\n", rendered.error().message.c_str());
        std::exit(1);
    }
    auto resources = std::move(rendered->resources);
    resources.resize(static_cast<std::size_t>(count));
    return resources;
}

std::vector<mesh::Resource> inNamespace(std::vector<mesh::Resource> resources, const std::string &ns)
{
    for (auto &r : resources) {
        r.object["metadata"]["namespace"] = ns;
    }
    return resources;
}

bool createNamespace(kube::Client &client, const std::string &ns)
{
    const nlohmann::json body{{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", ns}}}};
    const auto r = client.send(kube::Request{"POST", "/api/v1/namespaces", body.dump(), "application/json"});
    if (!r.ok() && r.status != 409) {
        std::fprintf(stderr, "creating namespace %s: %s\n", ns.c_str(), r.message().c_str());
        return false;
    }
    return true;
}

double seconds(std::chrono::steady_clock::time_point since)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

/// LaneDeck's whole push of already rendered resources, from a fresh client (TLS handshake and discovery
/// included): read live objects, dry run every resource, apply every resource.
double cpuSeconds()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
           static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

/// CPU seconds a process has used (utime + stime from /proc/PID/stat), or 0 when unknown.
double processCpuSeconds(long pid)
{
    if (pid <= 0) {
        return 0;
    }
    QFile f(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!f.open(QIODevice::ReadOnly)) {
        return 0;
    }
    const QByteArray stat = f.readAll();
    // Fields after the ")" that closes the command name: state is field 3, utime 14, stime 15.
    const QList<QByteArray> fields = stat.mid(stat.lastIndexOf(')') + 2).split(' ');
    if (fields.size() < 13) {
        return 0;
    }
    return static_cast<double>(fields[11].toLongLong() + fields[12].toLongLong()) /
           static_cast<double>(sysconf(_SC_CLK_TCK));
}

double laneDeckRun(const kube::Connection &connection, const std::vector<mesh::Resource> &resources,
                   int parallel, bool &ok, double &cpu)
{
    const auto start = std::chrono::steady_clock::now();
    const double cpuStart = cpuSeconds();
    kube::ClientOptions clientOptions;
    clientOptions.maxParallel = parallel;
    auto client = kube::Client::create(connection, clientOptions);
    auto mesh = kube::discoverMesh(**client);
    kube::PushOptions options;
    std::string lastPhase;
    auto phaseStart = std::chrono::steady_clock::now();
    options.progress = [&](const std::string &phase, std::size_t done, std::size_t total) {
        if (phase != lastPhase) {
            lastPhase = phase;
            phaseStart = std::chrono::steady_clock::now();
        }
        if (done == total && qEnvironmentVariableIsSet("BENCH_PHASES")) {
            std::fprintf(stderr, "  %s: %.3f s\n", phase.c_str(), seconds(phaseStart));
        }
    };
    auto report = kube::applyResources(**client, *mesh, resources, options);
    const double t = seconds(start);
    cpu = cpuSeconds() - cpuStart;
    ok = report.ok() && report->ok() &&
         std::all_of(report->results.begin(), report->results.end(),
                     [](const kube::ResourceResult &r) { return r.outcome == kube::Outcome::Created; });
    if (!ok) {
        std::fprintf(stderr, "LaneDeck push failed: %s\n",
                     report.ok()
                         ? (report->results.empty() ? "no results" : report->results.front().message.c_str())
                         : report.error().message.c_str());
    }
    return t;
}

double kubectlRun(const QString &kubectl, const QString &kubeconfig, const QString &dir, bool &ok)
{
    QProcess p;
    const auto start = std::chrono::steady_clock::now();
    p.start(kubectl, {QStringLiteral("--kubeconfig"), kubeconfig, QStringLiteral("apply"),
                      QStringLiteral("--server-side"), QStringLiteral("-f"), dir});
    p.waitForFinished(-1);
    const double t = seconds(start);
    ok = p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
    if (!ok) {
        std::fprintf(stderr, "kubectl failed: %s\n", p.readAllStandardError().left(2000).constData());
    }
    return t;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QString kubeconfig;
    int count = 1000;
    int runs = 3;
    int parallel = kube::ClientOptions{}.maxParallel;
    long serverPid = 0;
    const QStringList args = app.arguments();
    for (int i = 1; i + 1 < args.size(); i += 2) {
        if (args[i] == QLatin1String("--kubeconfig")) {
            kubeconfig = args[i + 1];
        } else if (args[i] == QLatin1String("--count")) {
            count = args[i + 1].toInt();
        } else if (args[i] == QLatin1String("--runs")) {
            runs = args[i + 1].toInt();
        } else if (args[i] == QLatin1String("--parallel")) {
            parallel = args[i + 1].toInt();
        } else if (args[i] == QLatin1String("--server-pid")) {
            serverPid = args[i + 1].toLong();
        }
    }
    if (kubeconfig.isEmpty() || count < 1 || runs < 1) {
        std::fprintf(stderr, "usage: bench_cluster_apply --kubeconfig FILE [--count 1000] [--runs 3] "
                             "[--parallel 64] [--server-pid PID]\n");
        return 2;
    }
    const QString kubectl = QStandardPaths::findExecutable(QStringLiteral("kubectl"));
    if (kubectl.isEmpty()) {
        std::fprintf(stderr, "kubectl not found on PATH\n");
        return 1;
    }
    kube::KubeconfigSource source;
    source.explicitPath = kubeconfig.toStdString();
    auto config = kube::loadKubeconfig(source);
    auto connection = config ? kube::resolveConnection(*config) : Result<kube::Connection>(config.error());
    if (!connection) {
        std::fprintf(stderr, "%s\n", connection.error().message.c_str());
        return 1;
    }
    auto admin = kube::Client::create(*connection);
    const auto resources = generate(count);
    const std::string stamp = std::to_string(QDateTime::currentSecsSinceEpoch());
    std::vector<double> laneDeck;
    std::vector<double> kubectlTimes;
    std::printf("%d resources (istio flavor: DestinationRules + VirtualServices), %d runs\n", count, runs);
    std::printf(
        "run  lanedeck_s  kubectl_s  ratio  lanedeck_cpu_s  server_cpu_lanedeck_s  server_cpu_kubectl_s\n");
    for (int run = 0; run < runs; ++run) {
        const std::string nsL = "bench-ld-" + stamp + "-" + std::to_string(run);
        const std::string nsK = "bench-kc-" + stamp + "-" + std::to_string(run);
        if (!createNamespace(**admin, nsL) || !createNamespace(**admin, nsK)) {
            return 1;
        }
        QTemporaryDir dir;
        for (const auto &r : inNamespace(resources, nsK)) {
            if (!writeFileAtomically(dir.filePath(QString::fromStdString(r.fileName())).toStdString(),
                                     toYaml(r.object))) {
                return 1;
            }
        }
        const auto mine = inNamespace(resources, nsL);
        bool okL = false;
        bool okK = false;
        double tL = 0;
        double tK = 0;
        double cpu = 0;
        double serverL = 0;
        double serverK = 0;
        const auto timedL = [&] {
            const double before = processCpuSeconds(serverPid);
            tL = laneDeckRun(*connection, mine, parallel, okL, cpu);
            serverL = processCpuSeconds(serverPid) - before;
        };
        const auto timedK = [&] {
            const double before = processCpuSeconds(serverPid);
            tK = kubectlRun(kubectl, kubeconfig, dir.path(), okK);
            serverK = processCpuSeconds(serverPid) - before;
        };
        // Alternate who goes first, so neither always meets a warmer server.
        if (run % 2 == 0) {
            timedL();
            timedK();
        } else {
            timedK();
            timedL();
        }
        if (!okL || !okK) {
            return 1;
        }
        laneDeck.push_back(tL);
        kubectlTimes.push_back(tK);
        std::printf("%3d  %10.3f  %9.3f  %5.1fx  %14.3f  %21.2f  %20.2f\n", run + 1, tL, tK, tK / tL, cpu,
                    serverL, serverK);
        std::fflush(stdout);
    }
    const double mL = median(laneDeck);
    const double mK = median(kubectlTimes);
    std::printf("median  lanedeck %.3f s  kubectl %.3f s  ratio %.1fx\n", mL, mK, mK / mL);
    return 0;
}
