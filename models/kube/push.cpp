#include "kube/push.h"

#include "base/yamljson.h"
#include "kube/linediff.h"
#include "kube/status.h"
#include "mesh/naming.h"
#include "mesh/render.h"

#include <algorithm>
#include <map>
#include <set>

namespace lanedeck::kube {
namespace {

using nlohmann::json;

std::string identity(const json &object)
{
    const json &meta = object.value("metadata", json::object());
    return object.value("kind", "") + '/' + meta.value("namespace", "") + '/' + meta.value("name", "");
}

std::string displayName(const json &object)
{
    return mesh::Resource{object}.displayName();
}

std::string resourceVersion(const json &object)
{
    return object.value("metadata", json::object()).value("resourceVersion", "");
}

/// The causes of a 409 apply conflict as "<manager>: <field>", from the Status details.
std::vector<std::string> conflictsOf(const Response &response)
{
    std::vector<std::string> out;
    for (const auto &cause : parseStatus(response.body, response.status).causes) {
        if (cause.reason == "FieldManagerConflict") {
            out.push_back(cause.message + ": " + cause.field);
        }
    }
    return out;
}

ResourceResult failure(const std::string &name, const Response &response)
{
    ResourceResult r{name, Outcome::Failed, response.message(), {}};
    if (response.error.empty() && response.status == 409) {
        r.conflicts = conflictsOf(response);
        r.message += " (another field manager owns these fields: rerun with --force to take them over)";
    }
    return r;
}

struct Phase
{
    Client &client;
    const PushOptions &options;
    Phase(Client &c, const PushOptions &o, const char *name) : client(c), options(o)
    {
        if (options.progress) {
            client.setProgress(
                [this, name](std::size_t done, std::size_t total) { options.progress(name, done, total); });
        }
    }
    ~Phase() { client.setProgress({}); }
};

std::string deleteBody(const json &object, bool dryRun)
{
    json body{{"apiVersion", "v1"},
              {"kind", "DeleteOptions"},
              {"preconditions",
               {{"uid", metadataOf(object).value("uid", "")}, {"resourceVersion", resourceVersion(object)}}}};
    if (dryRun) {
        body["dryRun"] = json::array({"All"});
    }
    return body.dump();
}

/// Deletes each object with uid + resourceVersion preconditions, so that an object changed or recreated
/// since it was read is left alone (reported as failed) instead of deleted blindly.
std::vector<ResourceResult> deleteObjects(Client &client, const MeshDiscovery &mesh,
                                          const std::vector<json> &objects, bool dryRun, Outcome success)
{
    std::vector<ResourceResult> results;
    std::vector<Request> requests;
    std::vector<std::string> names;
    for (const auto &o : objects) {
        auto info = kindInfo(mesh, o.value("apiVersion", ""), o.value("kind", ""));
        if (!info) {
            results.push_back({displayName(o), Outcome::Failed, info.error().message, {}});
            continue;
        }
        std::string path =
            objectPath(*info, metadataOf(o).value("namespace", ""), metadataOf(o).value("name", ""));
        if (dryRun) {
            path += "?dryRun=All";
        }
        requests.push_back({"DELETE", path, deleteBody(o, dryRun), "application/json"});
        names.push_back(displayName(o));
    }
    const auto responses = client.send(requests);
    for (std::size_t i = 0; i < responses.size(); ++i) {
        if (responses[i].ok()) {
            results.push_back({names[i], success, {}, {}});
        } else {
            results.push_back(failure(names[i], responses[i]));
        }
    }
    return results;
}

} // namespace

bool managedByLanedeck(const json &object)
{
    for (const auto &entry : metadataOf(object).value("managedFields", json::array())) {
        if (entry.value("manager", "") == mesh::kFieldManager) {
            return true;
        }
    }
    return false;
}

std::vector<KindInfo> groupKinds(const MeshDiscovery &mesh)
{
    std::vector<KindInfo> kinds;
    std::set<std::string> seen;
    for (const std::string version : {"v1", "v1beta1", "v1alpha3"}) {
        for (const char *kind : {"DestinationRule", "VirtualService"}) {
            auto info = kindInfo(mesh, std::string(mesh::kIstioGroup) + '/' + version, kind);
            if (info && seen.insert(kind).second) {
                kinds.push_back(*info);
            }
        }
    }
    if (auto hp = kindInfo(mesh, mesh::kAsmHeaderPropagationApiVersion, "ASMHeaderPropagation")) {
        kinds.push_back(*hp);
    }
    if (auto lane = kindInfo(mesh, mesh::kAsmLaneApiVersion, "ASMSwimLane")) {
        kinds.push_back(*lane);
    }
    return kinds;
}

std::string toString(Outcome outcome)
{
    switch (outcome) {
    case Outcome::Created:
        return "created";
    case Outcome::Configured:
        return "configured";
    case Outcome::Unchanged:
        return "unchanged";
    case Outcome::Pruned:
        return "pruned";
    case Outcome::Deleted:
        return "deleted";
    case Outcome::Failed:
        return "failed";
    case Outcome::Skipped:
        return "skipped";
    }
    return "failed";
}

bool PushReport::ok() const
{
    return std::none_of(results.begin(), results.end(), [](const ResourceResult &r) {
        return r.outcome == Outcome::Failed || r.outcome == Outcome::Skipped;
    });
}

json withoutServerFields(json object)
{
    object.erase("status");
    if (auto meta = object.find("metadata"); meta != object.end() && meta->is_object()) {
        for (const char *key : {"managedFields", "resourceVersion", "uid", "creationTimestamp", "generation",
                                "selfLink", "deletionGracePeriodSeconds"}) {
            meta->erase(key);
        }
        if (auto ann = meta->find("annotations"); ann != meta->end() && ann->is_object()) {
            ann->erase("kubectl.kubernetes.io/last-applied-configuration");
            if (ann->empty()) {
                meta->erase("annotations");
            }
        }
    }
    return object;
}

Result<std::vector<json>> liveGroupObjects(Client &client, const MeshDiscovery &mesh,
                                           const std::string &group, const std::string &ns)
{
    std::vector<Request> requests;
    const std::string selector = "?labelSelector=" + urlEncode(std::string(mesh::kGroupLabel) + '=' + group);
    for (const auto &kind : groupKinds(mesh)) {
        requests.push_back({"GET", objectPath(kind, ns) + selector, {}, {}});
    }
    std::optional<KindInfo> laneGroupKind;
    if (auto info = kindInfo(mesh, mesh::kAsmLaneApiVersion, "ASMSwimLaneGroup")) {
        laneGroupKind = *info;
        requests.push_back({"GET", objectPath(*info, {}, group), {}, {}});
    }
    const auto responses = client.send(requests);
    std::vector<json> out;
    for (std::size_t i = 0; i < responses.size(); ++i) {
        const bool isLaneGroup = laneGroupKind && i + 1 == responses.size();
        if (isLaneGroup && responses[i].notFound()) {
            continue;
        }
        if (!responses[i].ok()) {
            return Error{"listing " + requests[i].path + ": " + responses[i].message(),
                         responses[i].errorKind()};
        }
        const json body = responses[i].json();
        if (isLaneGroup) {
            if (managedByLanedeck(body)) {
                out.push_back(body);
            }
            continue;
        }
        // Lists carry no apiVersion/kind per item; restore them from the list.
        std::string kind = body.value("kind", "");
        if (kind.size() > 4 && kind.ends_with("List")) {
            kind.resize(kind.size() - 4);
        }
        for (auto item : body.value("items", json::array())) {
            item["apiVersion"] = body.value("apiVersion", "");
            item["kind"] = kind;
            if (managedByLanedeck(item)) {
                out.push_back(std::move(item));
            }
        }
    }
    return out;
}

Result<PushReport> applyResources(Client &client, const MeshDiscovery &mesh,
                                  const std::vector<mesh::Resource> &resources, const PushOptions &options)
{
    PushReport report;
    report.dryRun = options.dryRun;
    std::vector<std::string> paths;
    for (const auto &r : resources) {
        auto info = kindInfo(mesh, r.apiVersion(), r.kind());
        if (!info) {
            return Error{r.displayName() + ": " + info.error().message};
        }
        paths.push_back(objectPath(*info, r.ns(), r.name()));
    }

    // Only a dry run needs the live objects up front (to tell configured from unchanged). A real push learns
    // each object's state from its dry run: the server answers a dry-run create without a resourceVersion and
    // a dry-run update with the live one. That saves a third of the requests.
    std::vector<Response> before(resources.size());
    if (options.dryRun) {
        Phase phase(client, options, "read");
        std::vector<Request> gets;
        for (const auto &p : paths) {
            gets.push_back({"GET", p, {}, {}});
        }
        before = client.send(gets);
        for (std::size_t i = 0; i < before.size(); ++i) {
            if (!before[i].ok() && !before[i].notFound()) {
                return Error{resources[i].displayName() +
                                 ": cannot read the live object: " + before[i].message(),
                             before[i].errorKind()};
            }
        }
    }

    auto applyAll = [&](bool dryRun) {
        std::vector<Request> patches;
        const std::string query = std::string("?fieldManager=") + mesh::kFieldManager +
                                  (options.force ? "&force=true" : "") + (dryRun ? "&dryRun=All" : "");
        for (std::size_t i = 0; i < resources.size(); ++i) {
            patches.push_back(
                {"PATCH", paths[i] + query, resources[i].object.dump(), "application/apply-patch+yaml"});
        }
        Phase phase(client, options, dryRun ? "dry-run" : "apply");
        return client.send(patches);
    };

    const auto dry = applyAll(true);
    const bool dryFailed = std::any_of(dry.begin(), dry.end(), [](const Response &r) { return !r.ok(); });
    if (dryFailed) {
        for (std::size_t i = 0; i < dry.size(); ++i) {
            if (dry[i].ok()) {
                report.results.push_back({resources[i].displayName(),
                                          Outcome::Skipped,
                                          "not applied: another resource failed the server-side dry run",
                                          {}});
            } else {
                report.results.push_back(failure(resources[i].displayName(), dry[i]));
            }
        }
        report.notes.push_back("the server-side dry run failed: nothing was written");
        return report;
    }

    if (options.dryRun) {
        for (std::size_t i = 0; i < dry.size(); ++i) {
            Outcome o = Outcome::Created;
            if (before[i].ok()) {
                o = withoutServerFields(before[i].json()) == withoutServerFields(dry[i].json())
                        ? Outcome::Unchanged
                        : Outcome::Configured;
            }
            report.results.push_back({resources[i].displayName(), o, {}, {}});
        }
        return report;
    }

    const auto applied = applyAll(false);
    std::size_t unknown = 0;
    for (std::size_t i = 0; i < applied.size(); ++i) {
        if (!applied[i].ok()) {
            report.results.push_back(failure(resources[i].displayName(), applied[i]));
            unknown += applied[i].outcomeUnknown;
            continue;
        }
        const std::string liveVersion = resourceVersion(dry[i].json());
        Outcome o = Outcome::Created;
        if (!liveVersion.empty()) {
            o = liveVersion == resourceVersion(applied[i].json()) ? Outcome::Unchanged : Outcome::Configured;
        }
        report.results.push_back({resources[i].displayName(), o, {}, {}});
    }
    if (unknown > 0) {
        report.notes.push_back(
            std::to_string(unknown) +
            " of the failed resources may have been written: their request had reached the "
            "server, but the answer did not say whether it was carried out. Applying again "
            "converges.");
    }
    return report;
}

static Result<PushReport> pushUnguarded(Client &client, const LaneGroup &group,
                                        const mesh::RenderOptions &render, const PushOptions &options);

Result<PushReport> push(Client &client, const LaneGroup &group, const mesh::RenderOptions &render,
                        const PushOptions &options)
{
    return readingAnswers(
        "push", [&] { return pushUnguarded(client, group, render, options); },
        "; resources may have been written before it: lanectl diff shows what the cluster holds");
}

static Result<PushReport> pushUnguarded(Client &client, const LaneGroup &group,
                                        const mesh::RenderOptions &render, const PushOptions &options)
{
    auto rendered = mesh::render(group, render);
    if (!rendered) {
        return rendered.error();
    }
    auto meshInfo = discoverMesh(client);
    if (!meshInfo) {
        return meshInfo.error();
    }
    const bool needsPropagation =
        std::any_of(rendered->resources.begin(), rendered->resources.end(),
                    [](const mesh::Resource &r) { return r.kind() == "ASMHeaderPropagation"; });
    if (auto ok = checkFlavor(*meshInfo, render, needsPropagation); !ok) {
        return ok.error();
    }
    auto report = applyResources(client, *meshInfo, rendered->resources, options);
    if (!report) {
        return report;
    }
    report->notes.insert(report->notes.begin(), rendered->notes.begin(), rendered->notes.end());
    if (!options.prune || !report->ok()) {
        return report;
    }
    auto live = liveGroupObjects(client, *meshInfo, group.name, group.ns);
    if (!live) {
        return Error{"prune: " + live.error().message};
    }
    std::set<std::string> generated;
    for (const auto &r : rendered->resources) {
        generated.insert(identity(r.object));
    }
    std::vector<json> stale;
    for (const auto &o : *live) {
        if (!generated.count(identity(o))) {
            stale.push_back(o);
        }
    }
    Phase phase(client, options, "prune");
    for (auto &r : deleteObjects(client, *meshInfo, stale, options.dryRun, Outcome::Pruned)) {
        report->results.push_back(std::move(r));
    }
    return report;
}

static Result<PushReport> deleteGroupUnguarded(Client &client, const std::string &group,
                                               const std::string &ns, bool dryRun);

Result<PushReport> deleteGroup(Client &client, const std::string &group, const std::string &ns, bool dryRun)
{
    return readingAnswers(
        "delete", [&] { return deleteGroupUnguarded(client, group, ns, dryRun); },
        "; objects may have been deleted before it");
}

static Result<PushReport> deleteGroupUnguarded(Client &client, const std::string &group,
                                               const std::string &ns, bool dryRun)
{
    auto meshInfo = discoverMesh(client);
    if (!meshInfo) {
        return meshInfo.error();
    }
    auto live = liveGroupObjects(client, *meshInfo, group, ns);
    if (!live) {
        return live.error();
    }
    PushReport report;
    report.dryRun = dryRun;
    if (live->empty()) {
        report.notes.push_back("no object of lane group '" + group + "' managed by LaneDeck in namespace " +
                               ns);
    }
    report.results = deleteObjects(client, *meshInfo, *live, dryRun, Outcome::Deleted);
    return report;
}

static Result<std::vector<ResourceDiff>> diffGroupUnguarded(Client &client, const LaneGroup &group,
                                                            const mesh::RenderOptions &render);

Result<std::vector<ResourceDiff>> diffGroup(Client &client, const LaneGroup &group,
                                            const mesh::RenderOptions &render)
{
    return readingAnswers("diff", [&] { return diffGroupUnguarded(client, group, render); });
}

static Result<std::vector<ResourceDiff>> diffGroupUnguarded(Client &client, const LaneGroup &group,
                                                            const mesh::RenderOptions &render)
{
    auto rendered = mesh::render(group, render);
    if (!rendered) {
        return rendered.error();
    }
    auto meshInfo = discoverMesh(client);
    if (!meshInfo) {
        return meshInfo.error();
    }
    std::vector<Request> gets;
    for (const auto &r : rendered->resources) {
        auto info = kindInfo(*meshInfo, r.apiVersion(), r.kind());
        if (!info) {
            return Error{r.displayName() + ": " + info.error().message};
        }
        gets.push_back({"GET", objectPath(*info, r.ns(), r.name()), {}, {}});
    }
    const auto answers = client.send(gets);
    std::vector<json> live;
    for (std::size_t i = 0; i < answers.size(); ++i) {
        if (answers[i].notFound()) {
            continue;
        }
        if (!answers[i].ok()) {
            return Error{rendered->resources[i].displayName() + ": " + answers[i].message(),
                         answers[i].errorKind()};
        }
        live.push_back(answers[i].json());
    }
    auto objects = liveGroupObjects(client, *meshInfo, group.name, group.ns);
    if (!objects) {
        return objects.error();
    }
    live.insert(live.end(), objects->begin(), objects->end());
    return diffObjects(rendered->resources, live);
}

std::vector<ResourceDiff> diffObjects(const std::vector<mesh::Resource> &generated,
                                      const std::vector<json> &live)
{
    std::map<std::string, const json *> byIdentity;
    std::vector<const json *> inOrder;
    for (const auto &o : live) {
        if (byIdentity.emplace(identity(o), &o).second) {
            inOrder.push_back(&o);
        }
    }
    std::vector<ResourceDiff> out;
    std::set<std::string> names;
    for (const auto &r : generated) {
        const std::string id = identity(r.object);
        names.insert(id);
        const std::string name = r.displayName();
        const std::string wanted = toYaml(r.object);
        const auto found = byIdentity.find(id);
        if (found == byIdentity.end()) {
            out.push_back(
                {name, ResourceDiff::State::New, unifiedDiff({}, wanted, "/dev/null", "generated/" + name)});
            continue;
        }
        const std::string have = toYaml(withoutServerFields(*found->second));
        std::string d = unifiedDiff(have, wanted, "live/" + name, "generated/" + name);
        out.push_back({name, d.empty() ? ResourceDiff::State::Identical : ResourceDiff::State::Changed, d});
    }
    for (const json *o : inOrder) {
        if (!names.contains(identity(*o))) {
            const std::string name = displayName(*o);
            out.push_back({name, ResourceDiff::State::Removed,
                           unifiedDiff(toYaml(withoutServerFields(*o)), {}, "live/" + name, "/dev/null")});
        }
    }
    return out;
}

} // namespace lanedeck::kube
