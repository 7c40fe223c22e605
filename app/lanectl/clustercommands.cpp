// The commands that talk to a cluster: every one takes --kubeconfig, --context and --namespace as kubectl
// does.
#include "commands.h"

#include "kube/analysis.h"
#include "kube/client.h"
#include "kube/importer.h"
#include "kube/ingress.h"
#include "kube/inventory.h"
#include "kube/kubeconfig.h"
#include "kube/push.h"
#include "lanes/document.h"
#include "mesh/naming.h"
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
    return loadValidGroup(path, exitCode,
                          parser.isSet(connection.ns) ? parser.value(connection.ns).toStdString() : "");
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

/// A push, prune or delete report as JSON (docs/CLI.md): {dryRun, ok, notes, results: [{resource, result,
/// message, conflicts}]}.
nlohmann::json pushReportJson(const kube::PushReport &report)
{
    nlohmann::json results = nlohmann::json::array();
    for (const auto &r : report.results) {
        results.push_back({{"resource", r.resource},
                           {"result", kube::toString(r.outcome)},
                           {"message", r.message},
                           {"conflicts", r.conflicts}});
    }
    return {{"dryRun", report.dryRun}, {"ok", report.ok()}, {"notes", report.notes}, {"results", results}};
}

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
    OutputOption output;
    output.addTo(parser);
    if (int code = parseArguments(
            parser, arguments,
            QStringLiteral("lanectl contexts [--use NAME] [--kubeconfig FILE] [-o text|json|yaml]"), 0, 0);
        code >= 0) {
        return code;
    }
    if (!output.read(parser)) {
        return Usage;
    }
    auto config = connection.load(parser);
    if (!config) {
        return Failed;
    }
    if (parser.isSet(use)) {
        if (auto ok = kube::useContext(*config, parser.value(use).toStdString()); !ok) {
            return fail(ok.error());
        }
        const std::string switched = "switched to context \"" + config->currentContext + "\"\n";
        if (output.text()) {
            out(switched);
            return Ok;
        }
        // For a pipeline: the note on stderr, the contexts as they are now on stdout.
        err(switched);
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
    if (!output.text()) {
        nlohmann::json contexts = rowsToJson(rows);
        for (auto &c : contexts) {
            c["current"] = c["current"] == "*";
        }
        output.print({{"currentContext", config->currentContext}, {"contexts", contexts}});
    } else {
        printTable(rows);
    }
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
    const QCommandLineOption labelKey(
        QStringLiteral("label-key"),
        QStringLiteral("The lane label key (default: the --lanes document's, else ASM_TRAFFIC_TAG)."),
        QStringLiteral("KEY"), QStringLiteral("ASM_TRAFFIC_TAG"));
    const QCommandLineOption lanes(QStringLiteral("lanes"), QStringLiteral("A lane group document to check."),
                                   QStringLiteral("FILE"));
    parser.addOptions({labelKey, lanes});
    OutputOption output;
    output.addTo(parser);
    if (int code = parseArguments(
            parser, arguments,
            QStringLiteral(
                "lanectl inventory [-n NAMESPACE] [--label-key KEY] [--lanes FILE] [-o text|json|yaml]"),
            0, 0);
        code >= 0) {
        return code;
    }
    if (!output.read(parser)) {
        return Usage;
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
    // The lane label keys to show: --label-key, else the document's (each lane names its own key).
    std::vector<std::string> keys;
    if (group && !parser.isSet(labelKey)) {
        for (const auto &lane : group->lanes) {
            if (std::find(keys.begin(), keys.end(), lane.labelKey) == keys.end()) {
                keys.push_back(lane.labelKey);
            }
        }
    }
    if (keys.empty()) {
        keys.push_back(parser.value(labelKey).toStdString());
    }
    std::vector<std::string> header{"NAMESPACE", "SERVICE", "PORTS", "WORKLOAD"};
    header.insert(header.end(), keys.begin(), keys.end());
    header.push_back("READY");
    std::vector<std::vector<std::string>> rows{header};
    nlohmann::json items = nlohmann::json::array();
    for (const auto &s : inventory->services) {
        std::string ports;
        for (int p : s.ports) {
            ports += (ports.empty() ? "" : ",") + std::to_string(p);
        }
        if (s.workloads.empty()) {
            std::vector<std::string> row{s.ns, s.name, ports, "-"};
            row.resize(row.size() + keys.size(), "-");
            row.push_back("-");
            rows.push_back(row);
        }
        nlohmann::json workloads = nlohmann::json::array();
        for (const auto &w : s.workloads) {
            std::vector<std::string> row{s.ns, s.name, ports, w.name};
            nlohmann::json labels = nlohmann::json::object();
            for (const auto &key : keys) {
                const auto it = w.labels.find(key);
                row.push_back(it == w.labels.end() ? "-" : it->second);
                if (it != w.labels.end()) {
                    labels[key] = it->second;
                }
            }
            row.push_back(std::to_string(w.readyReplicas) + "/" + std::to_string(w.replicas));
            rows.push_back(row);
            workloads.push_back({{"name", w.name},
                                 {"laneLabels", labels},
                                 {"replicas", w.replicas},
                                 {"readyReplicas", w.readyReplicas}});
        }
        items.push_back(
            {{"namespace", s.ns}, {"name", s.name}, {"ports", s.ports}, {"workloads", workloads}});
    }
    std::vector<kube::LaneProblem> problems;
    if (group) {
        problems = kube::checkLanes(*group, *inventory);
    }
    if (!output.text()) {
        nlohmann::json laneProblems = nlohmann::json::array();
        for (const auto &p : problems) {
            laneProblems.push_back({{"lane", p.lane}, {"service", p.service}, {"message", p.message}});
        }
        output.print({{"services", items}, {"laneProblems", laneProblems}});
        return problems.empty() ? Ok : Failed;
    }
    printTable(rows);
    if (group) {
        for (const auto &p : problems) {
            err("lane " + p.lane + ": " + p.message + "\n");
        }
        return problems.empty() ? Ok : Failed;
    }
    return Ok;
}

/// "lane s2 x cart", "cart" or "": the lane x service a finding concerns.
std::string laneService(const kube::Finding &f)
{
    if (!f.lane.empty()) {
        return "lane " + f.lane + " x " + f.service;
    }
    return f.service;
}

/// The findings as istioctl prints its messages: severity, code, what it concerns, the message, the fix.
std::string findingsText(const kube::Analysis &analysis)
{
    std::string text;
    int counts[3] = {0, 0, 0};
    for (const auto &f : analysis.findings) {
        ++counts[static_cast<int>(f.severity)];
        std::string subject = f.object;
        const std::string cell = laneService(f);
        if (!cell.empty()) {
            subject += subject.empty() ? cell : " (" + cell + ")";
        }
        std::string severity = kube::toString(f.severity);
        severity[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(severity[0])));
        text += severity + " [" + f.code + "] " + subject + ": " + f.message + "\n";
        if (!f.fix.empty()) {
            text += "    fix: " + f.fix + "\n";
        }
    }
    text += std::to_string(counts[0]) + " error(s), " + std::to_string(counts[1]) + " warning(s), " +
            std::to_string(counts[2]) + " info\n";
    return text;
}

void printNotes(const kube::Analysis &analysis)
{
    for (const auto &note : analysis.notes) {
        err("note: " + note + "\n");
    }
}

int analyzeCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Reads the cluster and says whether the lane group will work there and what it would shadow: "
        "workloads, sidecars and readiness per lane x service, the ingress Gateway, VirtualServices and "
        "DestinationRules the group did not make, GitOps ownership, and the mesh version (docs/CLUSTER.md). "
        "Exit code 1 when there is an error finding. With --adopt, writes the document with the settings of "
        "the objects it would shadow adopted (-o FILE, else stdout)."));
    GroupTargetOptions targetOptions;
    targetOptions.addTo(parser);
    OutputOption output;
    output.option.setDescription(
        QStringLiteral("Output format: text (default), json or yaml; with --adopt, the file to write."));
    output.option.setValueName(QStringLiteral("FORMAT|FILE"));
    output.addTo(parser);
    const QCommandLineOption adopt(
        QStringLiteral("adopt"),
        QStringLiteral("Write the document with the route settings and trafficPolicy of the "
                       "VirtualServices and DestinationRules it would shadow, for each service."));
    parser.addOption(adopt);
    const QString usage = QStringLiteral(
        "lanectl analyze FILE [--flavor asm|istio|asm-crd] [-o text|json|yaml] [--adopt [-o FILE]] "
        "[--kubeconfig FILE] [--context NAME] [-n NAMESPACE]");
    if (int code = parseArguments(parser, arguments, usage, 1, 1); code >= 0) {
        return code;
    }
    if (!parser.isSet(adopt) && !output.read(parser)) {
        return Usage;
    }
    int code = Ok;
    const auto target = targetOptions.open(parser, code);
    if (!target) {
        return code;
    }
    auto state = kube::readClusterState(*target->client, target->group);
    if (!state) {
        err("lanectl: " + state.error().message + "\n");
        return Failed;
    }
    if (parser.isSet(adopt)) {
        const kube::Adoption adoption = kube::adoptShadowedSettings(target->group, target->render, *state);
        for (const auto &note : adoption.notes) {
            err("note: " + note + "\n");
        }
        if (adoption.adopted.empty()) {
            err("nothing to adopt: no VirtualService or DestinationRule the group did not make holds "
                "settings "
                "for its services\n");
        }
        for (const auto &name : adoption.adopted) {
            err("adopted the settings of " + name + "\n");
        }
        const std::string file = parser.isSet(output.option) ? parser.value(output.option).toStdString() : "";
        if (file.empty() || file == "-") {
            out(serializeLaneGroup(adoption.group));
            return Ok;
        }
        if (auto saved = saveLaneGroupFile(adoption.group, file); !saved) {
            err("lanectl: " + saved.error().message + "\n");
            return IoError;
        }
        if (!adoption.adopted.empty()) {
            err("wrote " + file + "; push it with: lanectl apply " + file +
                " --delete-adopted (deletes the adopted objects after the push)\n");
        }
        return Ok;
    }
    const kube::Analysis analysis = kube::analyzeCluster(target->group, target->render, *state);
    printNotes(analysis);
    if (output.text()) {
        out(findingsText(analysis));
    } else {
        nlohmann::json value = kube::toJson(analysis);
        value["requests"] = state->requests;
        output.print(value);
    }
    return analysis.hasErrors() ? Failed : Ok;
}

/// The objects the group adopted settings from that still exist, as (Resource-like) display names.
std::vector<std::string> adoptedObjects(const LaneGroup &group)
{
    std::vector<std::string> out;
    for (const auto &s : group.services) {
        for (const auto &name : s.adopted.from) {
            if (std::find(out.begin(), out.end(), name) == out.end()) {
                out.push_back(name);
            }
        }
    }
    return out;
}

/// Deletes the objects the group adopted settings from (after a push, only when asked); a missing one is
/// already gone.
bool deleteAdopted(kube::Client &client, const LaneGroup &group, bool dryRun,
                   std::vector<std::vector<std::string>> &rows)
{
    auto mesh = kube::discoverMesh(client);
    if (!mesh) {
        err("lanectl: " + mesh.error().message + "\n");
        return false;
    }
    bool ok = true;
    for (const auto &name : adoptedObjects(group)) {
        const auto space = name.find(' ');
        const auto slash = name.find('/');
        if (space == std::string::npos || slash == std::string::npos) {
            rows.push_back({name, "failed", "not a \"Kind namespace/name\" reference"});
            ok = false;
            continue;
        }
        const std::string kind = name.substr(0, space);
        const std::string ns = name.substr(space + 1, slash - space - 1);
        const std::string objectName = name.substr(slash + 1);
        auto info = kube::kindInfo(*mesh,
                                   std::string(mesh::kIstioGroup) + '/' +
                                       (mesh->istioVersions.empty() ? "v1" : mesh->istioVersions.front()),
                                   kind);
        if (!info) {
            rows.push_back({name, "failed", info.error().message});
            ok = false;
            continue;
        }
        const kube::Response r = client.send(kube::Request{
            "DELETE", kube::objectPath(*info, ns, objectName) + (dryRun ? "?dryRun=All" : ""), {}, {}});
        if (r.ok()) {
            rows.push_back({name, "deleted", dryRun ? "dry run" : "its settings are in the group's rules"});
        } else if (r.notFound()) {
            rows.push_back({name, "gone", "already deleted"});
        } else {
            rows.push_back({name, "failed", r.message()});
            ok = false;
        }
    }
    return ok;
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
    const QCommandLineOption ignoreAnalysis(
        QStringLiteral("ignore-analysis"),
        QStringLiteral("Push even when the analysis of the cluster (lanectl analyze) finds errors."));
    const QCommandLineOption deleteAdoptedOption(
        QStringLiteral("delete-adopted"),
        QStringLiteral("After the push, delete the VirtualServices and DestinationRules whose settings the "
                       "document adopted (its services' adopted.from)."));
    parser.addOptions({dryRun, force, prune, ignoreAnalysis, deleteAdoptedOption});
    OutputOption output;
    output.addTo(parser);
    const QString usage = QStringLiteral(
        "lanectl apply FILE [--dry-run] [--force] [--prune] [--ignore-analysis] [--delete-adopted] "
        "[--flavor asm|istio|asm-crd] [-o text|json|yaml] [--kubeconfig FILE] [--context NAME] "
        "[-n NAMESPACE]");
    if (int code = parseArguments(parser, arguments, usage, 1, 1); code >= 0) {
        return code;
    }
    if (!output.read(parser)) {
        return Usage;
    }
    int code = Ok;
    const auto target = targetOptions.open(parser, code);
    if (!target) {
        return code;
    }
    // The push gate: the analysis first; its errors stop the push unless the operator overrides them.
    auto analysis = kube::analyze(*target->client, target->group, target->render);
    if (!analysis) {
        if (!parser.isSet(ignoreAnalysis)) {
            err("lanectl: " + analysis.error().message + "\n");
            return Failed;
        }
        // Overridden: the push goes on and says for itself whether the cluster can be reached.
        err("note: no analysis: " + analysis.error().message + "\n");
        analysis = kube::Analysis{};
    }
    printNotes(*analysis);
    if (!analysis->findings.empty()) {
        err(findingsText(*analysis));
    }
    if (analysis->hasErrors() && !parser.isSet(ignoreAnalysis)) {
        err("lanectl: the analysis found errors; nothing was pushed. Fix them, or push anyway with "
            "--ignore-analysis\n");
        if (!output.text()) {
            output.print(
                {{"analysis", kube::toJson(*analysis)}, {"ok", false}, {"results", nlohmann::json::array()}});
        }
        return Failed;
    }
    kube::PushOptions options;
    options.dryRun = parser.isSet(dryRun);
    options.force = parser.isSet(force);
    options.prune = parser.isSet(prune);
    auto report = kube::push(*target->client, target->group, target->render, options);
    if (!report) {
        return fail(report.error());
    }
    std::vector<std::vector<std::string>> adoptedRows{{"OBJECT", "RESULT", "MESSAGE"}};
    bool adoptedOk = true;
    const auto adopted = adoptedObjects(target->group);
    if (report->ok() && !adopted.empty()) {
        if (parser.isSet(deleteAdoptedOption)) {
            adoptedOk = deleteAdopted(*target->client, target->group, options.dryRun, adoptedRows);
        } else {
            std::string list;
            for (const auto &a : adopted) {
                list += (list.empty() ? "" : ", ") + a;
            }
            err("note: the objects the document adopted settings from still exist and compete with the "
                "group's rules: " +
                list + ". Delete them with: lanectl apply " +
                parser.positionalArguments().front().toStdString() + " --delete-adopted\n");
        }
    }
    if (!output.text()) {
        nlohmann::json value = pushReportJson(*report);
        value["analysis"] = kube::toJson(*analysis);
        value["deletedAdopted"] = rowsToJson(adoptedRows);
        output.print(value);
        return report->ok() && adoptedOk ? Ok : Failed;
    }
    const int result = printReport(*report);
    if (adoptedRows.size() > 1) {
        printTable(adoptedRows);
    }
    return result == Ok && adoptedOk ? Ok : Failed;
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
    OutputOption output;
    output.addTo(parser);
    if (int code = parseArguments(
            parser, arguments,
            QStringLiteral(
                "lanectl diff FILE [--flavor ...] [-o text|json|yaml] [--kubeconfig FILE] [--context NAME] "
                "[-n NAMESPACE]"),
            1, 1);
        code >= 0) {
        return code;
    }
    if (!output.read(parser)) {
        return Usage;
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
    nlohmann::json resources = nlohmann::json::array();
    for (const auto &d : *diffs) {
        using State = kube::ResourceDiff::State;
        const char *state = d.state == State::Identical ? "identical"
                            : d.state == State::Changed ? "changed"
                            : d.state == State::New     ? "new"
                                                        : "not generated (prune deletes it)";
        rows.push_back({d.resource, state});
        resources.push_back({{"resource", d.resource},
                             {"state", d.state == State::Removed ? "removed" : state},
                             {"diff", d.diff}});
        if (!d.diff.empty()) {
            if (output.text()) {
                out(d.diff);
            }
            changed = true;
        }
    }
    if (!output.text()) {
        output.print({{"changed", changed}, {"resources", resources}});
    } else {
        printTable(rows);
    }
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
    OutputOption output;
    output.addTo(parser);
    if (int code = parseArguments(
            parser, arguments,
            QStringLiteral(
                "lanectl delete GROUP [--dry-run] [-o text|json|yaml] [--kubeconfig FILE] [--context NAME] "
                "[-n NAMESPACE]"),
            1, 1);
        code >= 0) {
        return code;
    }
    if (!output.read(parser)) {
        return Usage;
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
    if (!output.text()) {
        output.print(pushReportJson(*report));
        return report->ok() ? Ok : Failed;
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

int preflightGate(kube::Client &client, const LaneGroup &group, const mesh::RenderOptions &render,
                  bool ignoreErrors)
{
    auto analysis = kube::analyze(client, group, render);
    if (!analysis) {
        if (!ignoreErrors) {
            err("lanectl: " + analysis.error().message + "\n");
            return Failed;
        }
        err("note: no analysis: " + analysis.error().message + "\n");
        return Ok;
    }
    printNotes(*analysis);
    if (!analysis->findings.empty()) {
        err(findingsText(*analysis));
    }
    if (analysis->hasErrors() && !ignoreErrors) {
        err("lanectl: the analysis found errors; nothing was pushed. Fix them, or go on anyway with "
            "--ignore-analysis\n");
        return Failed;
    }
    return Ok;
}

std::vector<Command> clusterCommands()
{
    return {
        {"contexts", "List kubeconfig contexts (--use NAME switches).", contextsCommand},
        {"inventory", "List services, workloads and their lane label values.", inventoryCommand},
        {"analyze", "Say whether a lane group will work in the cluster and what it would shadow.",
         analyzeCommand},
        {"apply", "Server-side apply a lane group (analysis and dry run first; --prune, --force).",
         applyCommand},
        {"diff", "Show live vs generated resources as unified diffs.", diffCommand},
        {"import", "Rebuild a lane group document from the cluster.", importCommand},
        {"delete", "Delete every resource of a lane group.", deleteCommand},
        {"ingress", "Print the URL of the group's ingress gateway (for sample).", ingressCommand},
        {"observe", "The lanes' split, errors and leaks per hop from the mesh's telemetry (Prometheus).",
         observeCommand},
    };
}

} // namespace lanectl
