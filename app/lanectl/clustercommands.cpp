// The commands that talk to a cluster: every one takes --kubeconfig, --context and --namespace as kubectl
// does.
#include "commands.h"

#include "kube/client.h"
#include "kube/importer.h"
#include "kube/ingress.h"
#include "kube/inventory.h"
#include "kube/kubeconfig.h"
#include "kube/push.h"
#include "lanes/document.h"
#include "mesh/resource.h"
#include "telemetry/meshtelemetry.h"

#include <QDateTime>
#include <QFile>

#include <cmath>
#include <cstdio>

#include <optional>

namespace lanectl {
namespace {

using namespace lanedeck;

/// The kubectl-style connection options every cluster command shares.
struct ConnectionOptions
{
    QCommandLineOption kubeconfig{
        QStringLiteral("kubeconfig"),
        QStringLiteral("Path to the kubeconfig file (default: $KUBECONFIG, ~/.kube/config)."),
        QStringLiteral("FILE")};
    QCommandLineOption context{QStringLiteral("context"), QStringLiteral("The kubeconfig context to use."),
                               QStringLiteral("NAME")};
    QCommandLineOption ns{QStringList{QStringLiteral("n"), QStringLiteral("namespace")},
                          QStringLiteral("The namespace (default: the context's)."),
                          QStringLiteral("NAMESPACE")};
    QCommandLineOption requestTimeout{
        QStringLiteral("request-timeout"),
        QStringLiteral("Give up on a server request, and on an exec credential plugin, after this long "
                       "(e.g. 30s, 500ms, 2m; default 60s)."),
        QStringLiteral("DURATION")};
    /// The exit code when client() returned nothing: a wrong --request-timeout is a usage error.
    int failure = Failed;

    void addTo(QCommandLineParser &parser) const
    {
        parser.addOptions({kubeconfig, context, ns, requestTimeout});
    }

    std::optional<kube::Kubeconfig> load(const QCommandLineParser &parser) const
    {
        kube::KubeconfigSource source;
        source.explicitPath = parser.value(kubeconfig).toStdString();
        auto config = kube::loadKubeconfig(source);
        if (!config) {
            err("lanectl: " + config.error().message + "\n");
            return std::nullopt;
        }
        return *config;
    }

    std::optional<kube::Connection> connection(const QCommandLineParser &parser) const
    {
        auto config = load(parser);
        if (!config) {
            return std::nullopt;
        }
        auto c = kube::resolveConnection(*config, parser.value(context).toStdString(),
                                         parser.value(ns).toStdString());
        if (!c) {
            err("lanectl: " + c.error().message + "\n");
            return std::nullopt;
        }
        for (const auto &w : c->warnings) {
            err("warning: " + w + "\n");
        }
        return *c;
    }

    std::unique_ptr<kube::Client> client(const QCommandLineParser &parser)
    {
        kube::ClientOptions options;
        if (parser.isSet(requestTimeout)) {
            const auto timeout = parseDuration(parser.value(requestTimeout));
            if (!timeout) {
                err("lanectl: --request-timeout: expected a duration like 30s, 500ms, 2m\n");
                failure = Usage;
                return nullptr;
            }
            options.requestTimeout = *timeout;
            options.execTimeout = *timeout;
        }
        auto c = connection(parser);
        if (!c) {
            return nullptr;
        }
        auto client = kube::Client::create(*c, options);
        if (!client) {
            err("lanectl: " + client.error().message + "\n");
            return nullptr;
        }
        return std::move(*client);
    }
};

struct FlavorOptions
{
    QCommandLineOption flavor{QStringLiteral("flavor"), QStringLiteral("asm (default), istio, or asm-crd."),
                              QStringLiteral("FLAVOR"), QStringLiteral("asm")};
    QCommandLineOption apiVersion{QStringLiteral("api-version"),
                                  QStringLiteral("networking.istio.io version: v1 or v1beta1."),
                                  QStringLiteral("VERSION")};

    void addTo(QCommandLineParser &parser) const { parser.addOptions({flavor, apiVersion}); }

    std::optional<mesh::RenderOptions> read(const QCommandLineParser &parser) const
    {
        mesh::RenderOptions options;
        if (auto f = mesh::parseFlavor(parser.value(flavor).toStdString())) {
            options.flavor = *f;
        } else {
            err("lanectl: unknown flavor '" + parser.value(flavor).toStdString() +
                "' (asm, istio, asm-crd)\n");
            return std::nullopt;
        }
        if (parser.isSet(apiVersion)) {
            if (auto v = mesh::parseIstioVersion(parser.value(apiVersion).toStdString())) {
                options.istioVersion = *v;
            } else {
                err("lanectl: unknown api version '" + parser.value(apiVersion).toStdString() +
                    "' (v1, v1beta1)\n");
                return std::nullopt;
            }
        }
        return options;
    }
};

/// The document, valid, with --namespace (when given) as the namespace of the generated resources.
std::optional<LaneGroup> loadGroup(const QString &path, const QCommandLineParser &parser,
                                   const ConnectionOptions &connection, int &exitCode)
{
    auto group = loadValidGroup(path, exitCode);
    if (group && parser.isSet(connection.ns)) {
        group->ns = parser.value(connection.ns).toStdString();
    }
    return group;
}

/// What apply and diff work on: the group document, how to render it, and a client for the cluster.
struct GroupTarget
{
    mesh::RenderOptions render;
    LaneGroup group;
    std::unique_ptr<kube::Client> client;
};

/// The options and the FILE argument of the commands that compare or push a group against a cluster.
struct GroupTargetOptions
{
    ConnectionOptions connection;
    FlavorOptions flavor;

    void addTo(QCommandLineParser &parser) const
    {
        parser.addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("The lane group document."));
        connection.addTo(parser);
        flavor.addTo(parser);
    }

    /// The target the parsed arguments name; on failure the message is printed and `exitCode` says why.
    std::optional<GroupTarget> open(const QCommandLineParser &parser, int &exitCode)
    {
        auto render = flavor.read(parser);
        if (!render) {
            exitCode = Usage;
            return std::nullopt;
        }
        auto group = loadGroup(parser.positionalArguments().front(), parser, connection, exitCode);
        if (!group) {
            return std::nullopt;
        }
        auto client = connection.client(parser);
        if (!client) {
            exitCode = connection.failure;
            return std::nullopt;
        }
        return GroupTarget{*render, std::move(*group), std::move(client)};
    }
};

int printReport(const kube::PushReport &report)
{
    for (const auto &note : report.notes) {
        err("note: " + note + "\n");
    }
    std::vector<std::vector<std::string>> rows{
        {"RESOURCE", report.dryRun ? "RESULT (DRY RUN)" : "RESULT", "MESSAGE"}};
    for (const auto &r : report.results) {
        rows.push_back({r.resource, kube::toString(r.outcome), r.message});
        for (const auto &c : r.conflicts) {
            rows.push_back({"", "", "  conflict: " + c});
        }
    }
    printTable(rows);
    return report.ok() ? Ok : Failed;
}

int contextsCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Lists the kubeconfig contexts; --use switches the current one."));
    ConnectionOptions connection;
    connection.addTo(parser);
    const QCommandLineOption use(QStringLiteral("use"), QStringLiteral("Make NAME the current context."),
                                 QStringLiteral("NAME"));
    parser.addOption(use);
    if (int code = parseArguments(parser, arguments,
                                  QStringLiteral("lanectl contexts [--use NAME] [--kubeconfig FILE]"), 0, 0);
        code >= 0) {
        return code;
    }
    auto config = connection.load(parser);
    if (!config) {
        return Failed;
    }
    if (parser.isSet(use)) {
        if (auto ok = kube::useContext(*config, parser.value(use).toStdString()); !ok) {
            return fail(ok.error());
        }
        out("switched to context \"" + config->currentContext + "\"\n");
        return Ok;
    }
    std::vector<std::vector<std::string>> rows{
        {"CURRENT", "NAME", "CLUSTER", "SERVER", "USER", "AUTH", "NAMESPACE"}};
    for (const auto &[name, ctx] : config->contexts) {
        const auto cluster = config->clusters.find(ctx.cluster);
        const auto user = config->users.find(ctx.user);
        rows.push_back({name == config->currentContext ? "*" : "", name, ctx.cluster,
                        cluster == config->clusters.end() ? "(undefined)" : cluster->second.server, ctx.user,
                        user == config->users.end() ? "" : kube::describeAuth(user->second), ctx.ns});
    }
    printTable(rows);
    for (const auto &[name, cluster] : config->clusters) {
        if (cluster.insecureSkipTlsVerify) {
            err("warning: cluster '" + name + "' (" + cluster.sourceFile +
                ") sets insecure-skip-tls-verify: its certificate is not verified\n");
        }
    }
    return Ok;
}

int inventoryCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Lists Services and their Deployments with the lane label values of their pod templates and ready "
        "replicas. With --lanes FILE, checks that every lane's label value has a ready workload."));
    ConnectionOptions connection;
    connection.addTo(parser);
    const QCommandLineOption labelKey(QStringLiteral("label-key"),
                                      QStringLiteral("The lane label key (default ASM_TRAFFIC_TAG)."),
                                      QStringLiteral("KEY"), QStringLiteral("ASM_TRAFFIC_TAG"));
    const QCommandLineOption lanes(QStringLiteral("lanes"), QStringLiteral("A lane group document to check."),
                                   QStringLiteral("FILE"));
    parser.addOptions({labelKey, lanes});
    if (int code = parseArguments(
            parser, arguments,
            QStringLiteral("lanectl inventory [-n NAMESPACE] [--label-key KEY] [--lanes FILE]"), 0, 0);
        code >= 0) {
        return code;
    }
    auto client = connection.client(parser);
    if (!client) {
        return connection.failure;
    }
    std::vector<std::string> namespaces{client->connection().ns};
    std::optional<LaneGroup> group;
    if (parser.isSet(lanes)) {
        const LoadedDocument doc = loadLaneGroupFile(parser.value(lanes).toStdString());
        if (!doc.readable) {
            err("lanectl: cannot read " + parser.value(lanes).toStdString() + "\n");
            return doc.fileError ? exitCodeFor(*doc.fileError) : Failed;
        }
        group = doc.group;
        if (!parser.isSet(connection.ns)) {
            namespaces.clear();
            for (const auto &s : group->services) {
                if (std::find(namespaces.begin(), namespaces.end(), s.ns) == namespaces.end()) {
                    namespaces.push_back(s.ns);
                }
            }
        }
    }
    auto inventory = kube::readInventory(*client, namespaces);
    if (!inventory) {
        return fail(inventory.error());
    }
    const std::string key = parser.value(labelKey).toStdString();
    std::vector<std::vector<std::string>> rows{{"NAMESPACE", "SERVICE", "PORTS", "WORKLOAD", key, "READY"}};
    for (const auto &s : inventory->services) {
        std::string ports;
        for (int p : s.ports) {
            ports += (ports.empty() ? "" : ",") + std::to_string(p);
        }
        if (s.workloads.empty()) {
            rows.push_back({s.ns, s.name, ports, "-", "-", "-"});
        }
        for (const auto &w : s.workloads) {
            const auto it = w.labels.find(key);
            rows.push_back({s.ns, s.name, ports, w.name, it == w.labels.end() ? "-" : it->second,
                            std::to_string(w.readyReplicas) + "/" + std::to_string(w.replicas)});
        }
    }
    printTable(rows);
    if (group) {
        const auto problems = kube::checkLanes(*group, *inventory);
        for (const auto &p : problems) {
            err("lane " + p.lane + ": " + p.message + "\n");
        }
        return problems.empty() ? Ok : Failed;
    }
    return Ok;
}

int applyCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Server-side applies the lane group's resources (field "
                                                    "manager lanedeck): a dry run of every resource "
                                                    "first, nothing is written if any fails."));
    GroupTargetOptions targetOptions;
    targetOptions.addTo(parser);
    const QCommandLineOption dryRun(QStringLiteral("dry-run"),
                                    QStringLiteral("Only the server-side dry run."));
    const QCommandLineOption force(
        QStringLiteral("force"),
        QStringLiteral("Take over fields another field manager owns (409 conflicts)."));
    const QCommandLineOption prune(
        QStringLiteral("prune"), QStringLiteral("Delete the group's objects that are no longer generated."));
    parser.addOptions({dryRun, force, prune});
    const QString usage =
        QStringLiteral("lanectl apply FILE [--dry-run] [--force] [--prune] [--flavor asm|istio|asm-crd] "
                       "[--kubeconfig FILE] [--context NAME] [-n NAMESPACE]");
    if (int code = parseArguments(parser, arguments, usage, 1, 1); code >= 0) {
        return code;
    }
    int code = Ok;
    const auto target = targetOptions.open(parser, code);
    if (!target) {
        return code;
    }
    kube::PushOptions options;
    options.dryRun = parser.isSet(dryRun);
    options.force = parser.isSet(force);
    options.prune = parser.isSet(prune);
    auto report = kube::push(*target->client, target->group, target->render, options);
    if (!report) {
        return fail(report.error());
    }
    return printReport(*report);
}

int diffCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Shows what apply would change: live objects (---) against the generated ones (+++), "
                       "ignoring fields the "
                       "server fills in. Exit code 1 when they differ, as kubectl diff."));
    GroupTargetOptions targetOptions;
    targetOptions.addTo(parser);
    if (int code = parseArguments(
            parser, arguments,
            QStringLiteral("lanectl diff FILE [--flavor ...] [--kubeconfig FILE] [--context NAME] "
                           "[-n NAMESPACE]"),
            1, 1);
        code >= 0) {
        return code;
    }
    int code = Ok;
    const auto target = targetOptions.open(parser, code);
    if (!target) {
        return code;
    }
    auto diffs = kube::diffGroup(*target->client, target->group, target->render);
    if (!diffs) {
        return fail(diffs.error());
    }
    bool changed = false;
    std::vector<std::vector<std::string>> rows{{"RESOURCE", "STATE"}};
    for (const auto &d : *diffs) {
        using State = kube::ResourceDiff::State;
        const char *state = d.state == State::Identical ? "identical"
                            : d.state == State::Changed ? "changed"
                            : d.state == State::New     ? "new"
                                                        : "not generated (prune deletes it)";
        rows.push_back({d.resource, state});
        if (!d.diff.empty()) {
            out(d.diff);
            changed = true;
        }
    }
    printTable(rows);
    return changed ? Failed : Ok;
}

int importCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Rebuilds a lane group document from the group's live resources (label swimlane-group)."));
    parser.addPositionalArgument(QStringLiteral("GROUP"), QStringLiteral("The lane group's name."));
    ConnectionOptions connection;
    connection.addTo(parser);
    const QCommandLineOption output(QStringList{QStringLiteral("o"), QStringLiteral("output")},
                                    QStringLiteral("Write the document to FILE instead of stdout."),
                                    QStringLiteral("FILE"));
    parser.addOption(output);
    if (int code = parseArguments(
            parser, arguments,
            QStringLiteral("lanectl import GROUP [-o FILE] [--kubeconfig FILE] [--context NAME] "
                           "[-n NAMESPACE]"),
            1, 1);
        code >= 0) {
        return code;
    }
    auto client = connection.client(parser);
    if (!client) {
        return connection.failure;
    }
    auto imported = kube::importGroup(*client, parser.positionalArguments().front().toStdString(),
                                      client->connection().ns);
    if (!imported) {
        return fail(imported.error());
    }
    err("imported lane group '" + imported->group.name + "' (flavor " + mesh::toString(imported->flavor) +
        ")\n");
    for (const auto &note : imported->notes) {
        err("note: " + note + "\n");
    }
    if (parser.isSet(output)) {
        if (auto saved = saveLaneGroupFile(imported->group, parser.value(output).toStdString()); !saved) {
            return fail(saved.error());
        }
        return Ok;
    }
    out(serializeLaneGroup(imported->group));
    return Ok;
}

int deleteCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Deletes every object LaneDeck applied for a lane group "
                                                    "(label swimlane-group, field manager lanedeck)."));
    parser.addPositionalArgument(QStringLiteral("GROUP"), QStringLiteral("The lane group's name."));
    ConnectionOptions connection;
    connection.addTo(parser);
    const QCommandLineOption dryRun(QStringLiteral("dry-run"),
                                    QStringLiteral("Only the server-side dry run."));
    parser.addOption(dryRun);
    if (int code = parseArguments(
            parser, arguments,
            QStringLiteral("lanectl delete GROUP [--dry-run] [--kubeconfig FILE] [--context NAME] "
                           "[-n NAMESPACE]"),
            1, 1);
        code >= 0) {
        return code;
    }
    auto client = connection.client(parser);
    if (!client) {
        return connection.failure;
    }
    auto report = kube::deleteGroup(*client, parser.positionalArguments().front().toStdString(),
                                    client->connection().ns, parser.isSet(dryRun));
    if (!report) {
        return fail(report.error());
    }
    return printReport(*report);
}

int ingressCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Prints the URL of the lane group's ingress gateway: the Service that fronts the Gateway the "
        "document "
        "names (by the Gateway's selector, else by its name) and its address. The Host header, where the "
        "address came from and warnings go to stderr. Exit code 1 when there is no usable address (no "
        "Gateway, "
        "no Service, a load balancer still pending, a NodePort)."));
    parser.addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("The lane group document."));
    ConnectionOptions connection;
    connection.addTo(parser);
    if (int code =
            parseArguments(parser, arguments,
                           QStringLiteral("lanectl ingress FILE [--kubeconfig FILE] [--context NAME]"), 1, 1);
        code >= 0) {
        return code;
    }
    int code = Ok;
    const QString file = parser.positionalArguments().front();
    const auto group = loadValidGroup(file, code);
    if (!group) {
        return code;
    }
    auto client = connection.client(parser);
    if (!client) {
        return Failed;
    }
    auto address = kube::resolveIngress(*client, group->ingress);
    if (!address) {
        return fail(address.error());
    }
    if (!address->host.empty()) {
        err("Host: " + address->host + "\n");
    }
    err("from " + address->origin + "\n");
    for (const auto &warning : address->warnings) {
        err("warning: " + warning + "\n");
    }
    err("sample it: lanectl sample " + address->url + " --group " + file.toStdString() +
        (address->host.empty() ? std::string() : " -H 'Host: " + address->host + "'") + "\n");
    out(address->url + "\n");
    return Ok;
}

std::string fixed(double value, const char *pattern = "%.1f")
{
    char buffer[48];
    std::snprintf(buffer, sizeof buffer, pattern, value);
    return buffer;
}

/// Reads a one-line secret file (a token, user:password), without its line end.
std::optional<std::string> readSecretFile(const QString &path, const char *option)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        err(std::string("lanectl: ") + option + ": cannot read " + path.toStdString() + "\n");
        return std::nullopt;
    }
    return QString::fromUtf8(file.readAll()).trimmed().toStdString();
}

int observeCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "The lanes' split, errors, latency and leaks per hop from the mesh's own telemetry (Istio's metrics "
        "in "
        "Prometheus). Exit code 0 when the split matches the weights, nothing leaked and the data are "
        "current; 1 otherwise."));
    parser.addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("The lane group document."));
    ConnectionOptions connection;
    connection.addTo(parser);
    const QCommandLineOption prometheus(QStringLiteral("prometheus"),
                                        QStringLiteral("Prometheus's URL (default: found in the cluster)."),
                                        QStringLiteral("URL"));
    const QCommandLineOption viaService(
        QStringLiteral("via-service"),
        QStringLiteral("Reach Prometheus through the API server's service proxy: NS/NAME:PORT."),
        QStringLiteral("NS/NAME:PORT"));
    const QCommandLineOption tokenFile(QStringLiteral("bearer-token-file"),
                                       QStringLiteral("With --prometheus: a file holding a bearer token."),
                                       QStringLiteral("FILE"));
    const QCommandLineOption basicFile(QStringLiteral("basic-auth-file"),
                                       QStringLiteral("With --prometheus: a file holding user:password."),
                                       QStringLiteral("FILE"));
    const QCommandLineOption caFile(QStringLiteral("ca-file"),
                                    QStringLiteral("With --prometheus: the CA bundle to verify https with."),
                                    QStringLiteral("FILE"));
    const QCommandLineOption window(QStringLiteral("window"),
                                    QStringLiteral("How far back the numbers go (default 5m)."),
                                    QStringLiteral("DURATION"), QStringLiteral("5m"));
    const QCommandLineOption endTime(
        QStringLiteral("end"),
        QStringLiteral("A past window's end: unix seconds or ISO 8601 (default: now, a live view)."),
        QStringLiteral("TIME"));
    const QCommandLineOption timeout(QStringLiteral("timeout"),
                                     QStringLiteral("Per-query timeout (default 10s)."),
                                     QStringLiteral("DURATION"), QStringLiteral("10s"));
    const QCommandLineOption output(QStringList{QStringLiteral("o"), QStringLiteral("output")},
                                    QStringLiteral("table (default) or json."), QStringLiteral("FORMAT"),
                                    QStringLiteral("table"));
    parser.addOptions(
        {prometheus, viaService, tokenFile, basicFile, caFile, window, endTime, timeout, output});
    const QString usage = QStringLiteral(
        "lanectl observe FILE [--prometheus URL | --via-service NS/NAME:PORT] [--window 5m] [--end TIME] "
        "[-o table|json]");
    if (int code = parseArguments(parser, arguments, usage, 1, 1); code >= 0) {
        return code;
    }
    auto usageError = [&](const std::string &message) {
        err("lanectl: " + message + "\nusage: " + usage.toStdString() + "\n");
        return Usage;
    };
    if (parser.isSet(prometheus) && parser.isSet(viaService)) {
        return usageError("--prometheus and --via-service exclude each other");
    }
    const QString format = parser.value(output);
    if (format != QStringLiteral("table") && format != QStringLiteral("json")) {
        return usageError("-o: expected table or json");
    }
    telemetry::TelemetryWindow range;
    const auto windowLength = parseDuration(parser.value(window));
    if (!windowLength || *windowLength < std::chrono::seconds(1)) {
        return usageError("--window: expected a duration of at least 1s, like 5m, 30s, 1h");
    }
    range.window = std::chrono::duration_cast<std::chrono::seconds>(*windowLength);
    if (parser.isSet(endTime)) {
        bool ok = false;
        const double seconds = parser.value(endTime).toDouble(&ok);
        const QDateTime iso = QDateTime::fromString(parser.value(endTime), Qt::ISODate);
        if (ok && seconds > 0) {
            range.end = seconds;
        } else if (iso.isValid()) {
            range.end = double(iso.toMSecsSinceEpoch()) / 1000.0;
        } else {
            return usageError("--end: expected unix seconds or an ISO 8601 time");
        }
    }
    const auto queryTimeout = parseDuration(parser.value(timeout));
    if (!queryTimeout) {
        return usageError("--timeout: expected a duration like 10s");
    }
    int code = Ok;
    const auto group = loadValidGroup(parser.positionalArguments().front(), code);
    if (!group) {
        return code;
    }
    std::vector<std::string> namespaces;
    for (const auto &s : group->services) {
        if (std::find(namespaces.begin(), namespaces.end(), s.ns) == namespaces.end()) {
            namespaces.push_back(s.ns);
        }
    }
    // The cluster is needed for the service proxy and for the inventory (which workload is which lane's);
    // with --prometheus alone and no explicit kubeconfig or context, lanes come from destination_version.
    const bool useCluster =
        !parser.isSet(prometheus) || parser.isSet(connection.kubeconfig) || parser.isSet(connection.context);
    std::unique_ptr<kube::Client> client;
    telemetry::WorkloadMap workloads;
    if (useCluster) {
        client = connection.client(parser);
        if (!client) {
            return connection.failure;
        }
        auto inventory = kube::readInventory(*client, namespaces);
        if (!inventory) {
            err("lanectl: " + inventory.error().message + "\n");
            return Failed;
        }
        workloads = telemetry::workloadsFromInventory(*group, *inventory);
    }
    std::optional<telemetry::PrometheusClient> prom;
    if (parser.isSet(prometheus)) {
        telemetry::PrometheusEndpoint endpoint;
        endpoint.url = parser.value(prometheus).toStdString();
        endpoint.caFile = parser.value(caFile).toStdString();
        endpoint.timeout = *queryTimeout;
        if (parser.isSet(tokenFile)) {
            const auto token = readSecretFile(parser.value(tokenFile), "--bearer-token-file");
            if (!token) {
                return IoError;
            }
            endpoint.bearerToken = *token;
        }
        if (parser.isSet(basicFile)) {
            const auto pair = readSecretFile(parser.value(basicFile), "--basic-auth-file");
            if (!pair) {
                return IoError;
            }
            const auto colon = pair->find(':');
            if (colon == std::string::npos) {
                return usageError("--basic-auth-file: expected one line user:password");
            }
            endpoint.username = pair->substr(0, colon);
            endpoint.password = pair->substr(colon + 1);
        }
        const std::string description = endpoint.describe();
        prom.emplace(telemetry::directTransport(std::move(endpoint)), description);
    } else {
        telemetry::PrometheusService service;
        if (parser.isSet(viaService)) {
            auto parsed = telemetry::parseServiceRef(parser.value(viaService).toStdString());
            if (!parsed) {
                return usageError("--via-service: " + parsed.error().message);
            }
            service = *parsed;
        } else {
            auto found = telemetry::discoverPrometheus(*client);
            if (!found) {
                err("lanectl: " + found.error().message + "\n");
                return Failed;
            }
            service = *found;
            err("using Prometheus at " + service.ref() + " (found in the cluster)\n");
        }
        prom.emplace(telemetry::serviceProxyTransport(*client, service.ns, service.name, service.port),
                     service.ref() + " via the API server of context '" + client->connection().context + "'");
    }
    auto view = telemetry::observe(*prom, *group, workloads, range);
    if (!view) {
        err("lanectl: " + view.error().message + "\n");
        return Failed;
    }
    if (format == QStringLiteral("json")) {
        out(telemetry::toJson(*view).dump(2) + "\n");
    } else {
        printTelemetry(*view);
    }
    const bool clean = view->split.matches && view->leaked == 0 && !view->stale && view->problems.empty();
    return clean ? Ok : Failed;
}

} // namespace

void printTelemetry(const telemetry::MeshTelemetry &view)
{
    const QString end =
        QDateTime::fromMSecsSinceEpoch(static_cast<qint64>(view.end * 1000.0), Qt::UTC).toString(Qt::ISODate);
    out("from " + view.source + ", the " + fixed(view.windowSeconds, "%.0f") + " s up to " +
        end.toStdString() + (view.stale ? " (STALE: not current)" : "") + "\n");
    std::vector<std::vector<std::string>> rows{
        {"LANE", "REQUESTS", "SHARE", "95% INTERVAL", "WEIGHT", "ERRORS", "P50", "P90", "P99"}};
    for (std::size_t i = 0; i < view.split.lanes.size(); ++i) {
        const auto &lane = view.split.lanes[i];
        const double errors = i < view.laneErrorRates.size() ? view.laneErrorRates[i] : 0.0;
        rows.push_back(
            {lane.name, std::to_string(lane.count), fixed(lane.share * 100.0, "%.1f%%"),
             fixed(lane.interval.low * 100.0, "%.1f%%") + " - " + fixed(lane.interval.high * 100.0, "%.1f%%"),
             lane.weight > 0 ? fixed(lane.expectedShare * 100.0, "%.1f%%") : "-",
             fixed(errors * 100.0, "%.1f%%"), fixed(double(lane.p50) / 1000.0, "%.1f ms"),
             fixed(double(lane.p90) / 1000.0, "%.1f ms"), fixed(double(lane.p99) / 1000.0, "%.1f ms")});
    }
    printTable(rows);
    out(view.split.verdict + "\n\n");
    std::vector<std::vector<std::string>> hops{{"HOP", "LANE", "REQ/S", "REQUESTS", "ERRORS", "LEAKED"}};
    for (const auto &hop : view.hops) {
        for (const auto &lane : hop.lanes) {
            hops.push_back({hop.caller + " -> " + hop.callee, lane.name, fixed(lane.perSecond, "%.2f"),
                            fixed(lane.requests, "%.0f"), fixed(lane.errors, "%.0f"),
                            lane.leaked > 0 ? fixed(lane.leaked, "%.0f") : "-"});
        }
    }
    printTable(hops);
    if (view.leaked > 0) {
        out(fixed(view.leaked, "%.0f") + " requests left their lane (see LEAKED)\n");
    }
    for (const auto &problem : view.problems) {
        out("problem: " + problem + "\n");
    }
}

std::vector<Command> clusterCommands()
{
    return {
        {"contexts", "List kubeconfig contexts (--use NAME switches).", contextsCommand},
        {"inventory", "List services, workloads and their lane label values.", inventoryCommand},
        {"apply", "Server-side apply a lane group (dry run first; --prune, --force).", applyCommand},
        {"diff", "Show live vs generated resources as unified diffs.", diffCommand},
        {"import", "Rebuild a lane group document from the cluster.", importCommand},
        {"delete", "Delete every resource of a lane group.", deleteCommand},
        {"ingress", "Print the URL of the group's ingress gateway (for sample).", ingressCommand},
        {"observe", "The lanes' split, errors and leaks per hop from the mesh's telemetry (Prometheus).",
         observeCommand},
    };
}

} // namespace lanectl
