// Preflight analysis of a large lane group (default 1,000 services x 20 lanes) against an API server that
// holds its workloads (one Deployment per lane x service, ready, in an injected namespace), and in the same
// run `istioctl analyze -n NAMESPACE` on the same cluster. Prints every run: LaneDeck's read time, analysis
// time (after the reads) and requests; istioctl's wall time; requests of each as the API server counts them:
// from its audit log (--audit-log, one event per request at RequestReceived, told apart by user agent, by
// verb), else from apiserver_request_total in /metrics (which misses requests still open, such as
// istioctl's watches, and some non-resource paths). docs/BENCHMARKS.md ("Preflight analysis") has the
// command and results.
#include "kube/analysis.h"
#include "kube/client.h"
#include "kube/kubeconfig.h"

#include <QCoreApplication>
#include <QProcess>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <vector>

using namespace lanedeck;
using Clock = std::chrono::steady_clock;

namespace {

double seconds(Clock::duration d)
{
    return std::chrono::duration<double>(d).count();
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}

LaneGroup makeGroup(int services, int lanes, const std::string &ns)
{
    LaneGroup group;
    group.name = "bench";
    group.ns = ns;
    group.ingress.gatewayNamespace = ns;
    group.ingress.gatewayName = "gw";
    group.ingress.entryService = "svc-0";
    for (int s = 0; s < services; ++s) {
        Service svc{"svc-" + std::to_string(s), ns, 8000, {}, {}};
        if (s + 1 < services) {
            svc.calls.push_back("svc-" + std::to_string(s + 1));
        }
        group.services.push_back(svc);
    }
    for (int l = 0; l < lanes; ++l) {
        Lane lane;
        lane.name = "l" + std::to_string(l);
        lane.labelKey = "lane";
        lane.labelValue = "v" + std::to_string(l);
        lane.weight = l == 0 ? 100 : 0;
        for (int s = 0; s < services; ++s) {
            lane.services.push_back("svc-" + std::to_string(s));
        }
        group.lanes.push_back(lane);
    }
    return group;
}

/// Sends in batches and fails loudly (setup only).
bool sendAll(kube::Client &client, const std::vector<kube::Request> &requests, const char *what)
{
    for (std::size_t i = 0; i < requests.size(); i += 2000) {
        const std::vector<kube::Request> batch(requests.begin() + static_cast<long>(i),
                                               requests.begin() +
                                                   static_cast<long>(std::min(requests.size(), i + 2000)));
        for (const auto &r : client.send(batch)) {
            if (!r.ok() && r.status != 409) {
                std::fprintf(stderr, "%s: %s\n", what, r.message().c_str());
                return false;
            }
        }
    }
    return true;
}

bool setUp(kube::Client &client, const LaneGroup &group)
{
    using nlohmann::json;
    const std::string ns = group.ns;
    std::vector<kube::Request> namespaceRequest{
        {"POST", "/api/v1/namespaces",
         json{{"apiVersion", "v1"},
              {"kind", "Namespace"},
              {"metadata", {{"name", ns}, {"labels", {{"istio-injection", "enabled"}}}}}}
             .dump(),
         "application/json"}};
    if (!sendAll(client, namespaceRequest, "namespace")) {
        return false;
    }
    std::vector<kube::Request> objects;
    std::vector<kube::Request> statuses;
    const std::string gw =
        json{{"apiVersion", "networking.istio.io/v1"},
             {"kind", "Gateway"},
             {"metadata", {{"name", "gw"}, {"namespace", ns}}},
             {"spec",
              {{"selector", {{"istio", "gw-bench"}}},
               {"servers", json::array({{{"port", {{"number", 80}, {"name", "http"}, {"protocol", "HTTP"}}},
                                         {"hosts", json::array({"*"})}}})}}}}
            .dump();
    objects.push_back(
        {"POST", "/apis/networking.istio.io/v1/namespaces/" + ns + "/gateways", gw, "application/json"});
    auto deployment = [&](const std::string &name, const json &labels) {
        objects.push_back(
            {"POST", "/apis/apps/v1/namespaces/" + ns + "/deployments",
             json{{"apiVersion", "apps/v1"},
                  {"kind", "Deployment"},
                  {"metadata", {{"name", name}, {"namespace", ns}}},
                  {"spec",
                   {{"replicas", 1},
                    {"selector", {{"matchLabels", labels}}},
                    {"template",
                     {{"metadata", {{"labels", labels}}},
                      {"spec", {{"containers", json::array({{{"name", "app"}, {"image", "app"}}})}}}}}}}}
                 .dump(),
             "application/json"});
        statuses.push_back({"PATCH", "/apis/apps/v1/namespaces/" + ns + "/deployments/" + name + "/status",
                            R"({"status":{"replicas":1,"readyReplicas":1}})",
                            "application/merge-patch+json"});
    };
    deployment("gw-bench", {{"istio", "gw-bench"}});
    for (const auto &s : group.services) {
        objects.push_back({"POST", "/api/v1/namespaces/" + ns + "/services",
                           json{{"apiVersion", "v1"},
                                {"kind", "Service"},
                                {"metadata", {{"name", s.name}, {"namespace", ns}}},
                                {"spec",
                                 {{"selector", {{"app", s.name}}},
                                  {"ports", json::array({{{"name", "http"}, {"port", 8000}}})}}}}
                               .dump(),
                           "application/json"});
        for (const auto &l : group.lanes) {
            deployment(s.name + "-" + l.labelValue, {{"app", s.name}, {"lane", l.labelValue}});
        }
    }
    std::fprintf(stderr, "setting up %zu objects and %zu statuses in %s...\n", objects.size(),
                 statuses.size(), ns.c_str());
    return sendAll(client, objects, "create") && sendAll(client, statuses, "status");
}

/// Sum of apiserver_request_total over every series (the server's own count of requests served).
double serverRequests(kube::Client &client)
{
    const auto r = client.send(kube::Request{"GET", "/metrics", {}, {}});
    double total = 0;
    std::size_t pos = 0;
    const std::string &body = r.body;
    while ((pos = body.find("\napiserver_request_total{", pos)) != std::string::npos) {
        const auto end = body.find('\n', pos + 1);
        const auto space = body.rfind(' ', end);
        total += std::atof(body.substr(space + 1, end - space - 1).c_str());
        pos = end;
    }
    return total;
}

/// Counts the requests the API server's audit log records from a mark on (policy: every request at stage
/// RequestReceived, level Metadata; docs/BENCHMARKS.md has it). Blocking log mode (the default) writes the
/// event before the request is served, so a request that has been answered is in the file.
class AuditCount
{
public:
    explicit AuditCount(std::string path) : m_path(std::move(path)) {}
    bool enabled() const { return !m_path.empty(); }
    void mark()
    {
        std::ifstream in(m_path, std::ios::ate);
        m_offset = in ? static_cast<std::streamoff>(in.tellg()) : 0;
    }
    /// Requests since the mark by user agents that start with `agent` (or, with `others`, that do not),
    /// leaving out the bench's own /metrics reads: "N (list a, get b, ...)".
    std::string since(const std::string &agent, bool others) const
    {
        std::ifstream in(m_path);
        in.seekg(m_offset);
        std::map<std::string, int> verbs;
        int total = 0;
        std::string line;
        while (std::getline(in, line)) {
            const auto event = nlohmann::json::parse(line, nullptr, false);
            if (!event.is_object() || event.value("stage", "") != "RequestReceived" ||
                event.value("requestURI", "") == "/metrics") {
                continue;
            }
            if ((event.value("userAgent", "").rfind(agent, 0) == 0) == others) {
                continue;
            }
            ++verbs[event.value("verb", "?")];
            ++total;
        }
        std::string text = std::to_string(total) + " (";
        for (const auto &[verb, n] : verbs) {
            text += (text.back() == '(' ? "" : ", ") + verb + " " + std::to_string(n);
        }
        return text + ")";
    }

private:
    std::string m_path;
    std::streamoff m_offset = 0;
};

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    std::string kubeconfig;
    std::string istioctl;
    std::string auditLog;
    int services = 1000;
    int lanes = 20;
    int runs = 5;
    bool setup = true;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto next = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string(); };
        if (a == "--kubeconfig") {
            kubeconfig = next();
        } else if (a == "--istioctl") {
            istioctl = next();
        } else if (a == "--audit-log") {
            auditLog = next();
        } else if (a == "--services") {
            services = std::stoi(next());
        } else if (a == "--lanes") {
            lanes = std::stoi(next());
        } else if (a == "--runs") {
            runs = std::stoi(next());
        } else if (a == "--no-setup") {
            setup = false;
        } else {
            std::fprintf(stderr, "usage: bench_analyze --kubeconfig FILE [--istioctl PATH] [--audit-log "
                                 "FILE] [--services 1000] "
                                 "[--lanes 20] [--runs 5] [--no-setup]\n");
            return 2;
        }
    }
    kube::KubeconfigSource source;
    source.explicitPath = kubeconfig;
    auto config = kube::loadKubeconfig(source);
    if (!config) {
        std::fprintf(stderr, "%s\n", config.error().message.c_str());
        return 1;
    }
    auto connection = kube::resolveConnection(*config);
    if (!connection) {
        std::fprintf(stderr, "%s\n", connection.error().message.c_str());
        return 1;
    }
    auto client = kube::Client::create(*connection);
    if (!client) {
        std::fprintf(stderr, "%s\n", client.error().message.c_str());
        return 1;
    }
    const LaneGroup group = makeGroup(services, lanes, "bench-analyze");
    if (setup && !setUp(**client, group)) {
        return 1;
    }
    std::vector<double> reads, analyses, istio, ratios;
    AuditCount audit(auditLog);
    const char *counted = audit.enabled() ? "audit log" : "apiserver_request_total";
    std::printf(
        "| run | load (1 min) | LaneDeck reads | LaneDeck analysis | LaneDeck requests (%s) | findings "
        "| istioctl analyze | istioctl requests (%s) | istioctl messages |\n"
        "|---|---|---|---|---|---|---|---|---|\n",
        counted, counted);
    for (int run = 1; run <= runs; ++run) {
        double before = serverRequests(**client);
        audit.mark();
        const auto t0 = Clock::now();
        auto state = kube::readClusterState(**client, group);
        const auto t1 = Clock::now();
        if (!state) {
            std::fprintf(stderr, "%s\n", state.error().message.c_str());
            return 1;
        }
        const kube::Analysis analysis = kube::analyzeCluster(group, {mesh::Flavor::Istio, {}}, *state);
        const auto t2 = Clock::now();
        const std::string ourRequests =
            audit.enabled() ? audit.since("lanedeck/", false)
                            : std::to_string(static_cast<long>(serverRequests(**client) - before -
                                                               1)); // minus the /metrics read itself
        reads.push_back(seconds(t1 - t0));
        analyses.push_back(seconds(t2 - t1));
        std::string istioTime = "-";
        std::string istioRequests = "-";
        std::string istioMessages = "-";
        if (!istioctl.empty()) {
            before = serverRequests(**client);
            audit.mark();
            QProcess p;
            const auto t3 = Clock::now();
            p.start(QString::fromStdString(istioctl),
                    {QStringLiteral("analyze"), QStringLiteral("-n"), QString::fromStdString(group.ns),
                     QStringLiteral("--kubeconfig"), QString::fromStdString(kubeconfig), QStringLiteral("-o"),
                     QStringLiteral("json")});
            p.waitForFinished(1'800'000);
            const auto t4 = Clock::now();
            istio.push_back(seconds(t4 - t3));
            ratios.push_back(istio.back() / (reads.back() + analyses.back()));
            char buffer[32];
            std::snprintf(buffer, sizeof buffer, "%.2f s", istio.back());
            istioTime = buffer;
            istioRequests = audit.enabled()
                                ? audit.since("lanedeck/", true)
                                : std::to_string(static_cast<long>(serverRequests(**client) - before - 1));
            const auto out = p.readAllStandardOutput();
            istioMessages = std::to_string(out.count("\"code\""));
        }
        double load = 0;
        if (std::FILE *f = std::fopen("/proc/loadavg", "r")) {
            if (std::fscanf(f, "%lf", &load) != 1) {
                load = 0;
            }
            std::fclose(f);
        }
        std::printf("| %d | %.2f | %.2f s | %.3f s | %s (client: %zu) | %zu | %s | %s | %s |\n", run, load,
                    reads.back(), analyses.back(), ourRequests.c_str(), state->requests,
                    analysis.findings.size(), istioTime.c_str(), istioRequests.c_str(),
                    istioMessages.c_str());
        std::fflush(stdout);
    }
    std::printf("\nmedians: LaneDeck reads %.2f s, analysis %.3f s, reads + analysis %.2f s", median(reads),
                median(analyses), median(reads) + median(analyses));
    if (!istio.empty()) {
        std::printf("; istioctl analyze %.2f s; istioctl / LaneDeck %.1fx", median(istio), median(ratios));
    }
    std::printf("\n");
    return 0;
}
