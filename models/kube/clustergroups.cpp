#include "kube/clustergroups.h"

#include "kube/discovery.h"
#include "kube/importer.h"
#include "mesh/naming.h"
#include "mesh/render.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

namespace lanedeck::kube {

using json = nlohmann::json;

namespace {

std::string nameOf(const json &object)
{
    return metadataOf(object).value("name", "");
}

std::string namespaceOf(const json &object)
{
    return metadataOf(object).value("namespace", "");
}

std::string groupLabel(const json &object)
{
    return objectMember(metadataOf(object), "labels").value(mesh::kGroupLabel, "");
}

std::string displayName(const json &object)
{
    return mesh::Resource{object}.displayName();
}

/// The Istio API version the group's objects were written in (the ingress VirtualService's), if any.
std::optional<mesh::IstioVersion> istioVersionOf(const std::vector<json> &objects)
{
    for (const auto &o : objects) {
        if (o.value("kind", "") == "VirtualService") {
            const std::string apiVersion = o.value("apiVersion", "");
            return mesh::parseIstioVersion(apiVersion.substr(apiVersion.find('/') + 1));
        }
    }
    return std::nullopt;
}

GroupSummary summarize(const std::string &name, const std::string &ns, const std::vector<json> &objects,
                       bool lanedeck)
{
    GroupSummary summary;
    summary.name = name;
    summary.ns = ns;
    summary.lanedeck = lanedeck;
    std::map<std::string, const json *> live;
    for (const auto &o : objects) {
        summary.objects.push_back(displayName(o));
        live.emplace(displayName(o), &o);
    }
    std::sort(summary.objects.begin(), summary.objects.end());
    // A group of cluster-scoped ASM lane CRDs keeps LaneDeck's default namespace for what is namespaced.
    // The ingress VirtualService (or the ASMSwimLaneGroup) carries the group's topology: with it, a group the
    // importer cannot rebuild lacks some of the objects it reads; without it, nothing says what the group
    // was.
    const bool anchored = std::any_of(objects.begin(), objects.end(), [&name](const json &o) {
        return (o.value("kind", "") == "ASMSwimLaneGroup" && nameOf(o) == name) ||
               objectMember(metadataOf(o), "annotations").contains(mesh::kTopologyAnnotation);
    });
    auto rebuilt = rebuildGroup(name, ns.empty() ? LaneGroup{}.ns : ns, objects);
    if (!rebuilt) {
        summary.state = anchored ? GroupSummary::State::PartlyMissing : GroupSummary::State::Unreadable;
        summary.problem =
            anchored ? "cannot be rebuilt whole: " + rebuilt.error().message : rebuilt.error().message;
        return summary;
    }
    summary.flavor = rebuilt->flavor;
    for (const auto &lane : rebuilt->group.lanes) {
        summary.lanes.push_back(lane.name);
    }
    for (const auto &service : rebuilt->group.services) {
        summary.services.push_back(service.name);
    }
    const mesh::RenderOptions options{
        rebuilt->flavor, rebuilt->flavor == mesh::Flavor::AsmCrd ? std::nullopt : istioVersionOf(objects)};
    auto rendered = mesh::render(rebuilt->group, options);
    if (!rendered) {
        // The objects describe a group LaneDeck would never generate: a lane lost a service with its object,
        // or weights were edited by hand. The names of the objects the group needs do not depend on which
        // lane holds what or on the weights, so a group with every service in every lane names them.
        LaneGroup whole = rebuilt->group;
        std::vector<std::string> all;
        for (const auto &service : whole.services) {
            all.push_back(service.name);
        }
        for (auto &lane : whole.lanes) {
            lane.services = all;
            lane.weight = &lane == &whole.lanes.front() ? 100 : 0;
            // A lane whose every object went lost has no label left; the names do not depend on it either.
            if (lane.labelValue.empty()) {
                lane.labelValue = lane.name;
            }
        }
        whole.baseline.clear();
        if (const auto expected = mesh::render(whole, options)) {
            for (const auto &resource : expected->resources) {
                if (!live.contains(resource.displayName())) {
                    summary.missing.push_back(resource.displayName());
                }
            }
        }
        summary.state =
            summary.missing.empty() ? GroupSummary::State::Drifted : GroupSummary::State::PartlyMissing;
        summary.problem = "the live objects no longer make a valid group: " + rendered.error().message;
        return summary;
    }
    // The same comparison as lanectl diff and the console's diff: "in sync" here is "identical" there.
    for (auto &d : diffObjects(rendered->resources, objects)) {
        if (d.state == ResourceDiff::State::Identical) {
            continue;
        }
        (d.state == ResourceDiff::State::New ? summary.missing : summary.drifted).push_back(d.resource);
        summary.diffs.push_back(std::move(d));
    }
    summary.state = !summary.missing.empty()   ? GroupSummary::State::PartlyMissing
                    : !summary.drifted.empty() ? GroupSummary::State::Drifted
                                               : GroupSummary::State::InSync;
    return summary;
}

} // namespace

std::string toString(GroupSummary::State state)
{
    switch (state) {
    case GroupSummary::State::InSync:
        return "in sync";
    case GroupSummary::State::Drifted:
        return "drifted";
    case GroupSummary::State::PartlyMissing:
        return "partly missing";
    case GroupSummary::State::Unreadable:
        return "unreadable";
    }
    return {};
}

std::vector<GroupSummary> summarizeGroups(const std::vector<json> &objects)
{
    // (namespace, name) -> objects; ASM lane CRDs are cluster-scoped and join their group by name.
    std::map<std::pair<std::string, std::string>, std::vector<json>> groups;
    std::map<std::string, std::vector<json>> clusterScoped;
    std::map<std::string, bool> laneGroups; // ASMSwimLaneGroup name -> written by LaneDeck
    for (const auto &o : objects) {
        const std::string kind = o.value("kind", "");
        if (kind == "ASMSwimLaneGroup") {
            laneGroups[nameOf(o)] = managedByLanedeck(o);
            clusterScoped[nameOf(o)].push_back(o);
            continue;
        }
        const std::string group = groupLabel(o);
        if (group.empty() || !managedByLanedeck(o)) {
            continue;
        }
        if (kind == "ASMSwimLane") {
            clusterScoped[group].push_back(o);
        } else {
            groups[{namespaceOf(o), group}].push_back(o);
        }
    }
    std::vector<GroupSummary> out;
    for (const auto &[name, lanedeck] : laneGroups) {
        std::vector<json> members = clusterScoped[name];
        // Namespaced helpers of the same group (ASMHeaderPropagation) belong to it too.
        std::string ns;
        for (auto it = groups.begin(); it != groups.end();) {
            if (it->first.second == name && ns.empty()) {
                ns = it->first.first;
                members.insert(members.end(), it->second.begin(), it->second.end());
                it = groups.erase(it);
            } else {
                ++it;
            }
        }
        out.push_back(summarize(name, ns, members, lanedeck));
    }
    for (const auto &[key, members] : groups) {
        out.push_back(summarize(key.second, key.first, members, true));
    }
    std::sort(out.begin(), out.end(), [](const GroupSummary &a, const GroupSummary &b) {
        return std::tie(a.ns, a.name) < std::tie(b.ns, b.name);
    });
    return out;
}

static Result<std::vector<GroupSummary>> listGroupsUnguarded(Client &client, const std::string &ns)
{
    auto mesh = discoverMesh(client);
    if (!mesh) {
        return mesh.error();
    }
    std::vector<Request> requests;
    const std::string selector = "?labelSelector=" + urlEncode(mesh::kGroupLabel);
    for (const auto &kind : groupKinds(*mesh)) {
        requests.push_back(
            {"GET", objectPath(kind, kind.namespaced ? ns : std::string()) + selector, {}, {}});
    }
    if (auto info = kindInfo(*mesh, mesh::kAsmLaneApiVersion, "ASMSwimLaneGroup")) {
        requests.push_back({"GET", objectPath(*info, {}), {}, {}});
    }
    if (ns.empty()) {
        // Every namespace: the namespaced kinds' cluster-wide list paths.
        for (auto &request : requests) {
            const std::string marker = "/namespaces//";
            if (const auto at = request.path.find(marker); at != std::string::npos) {
                request.path.replace(at, marker.size(), "/");
            }
        }
    }
    const auto responses = client.send(requests);
    std::vector<json> objects;
    for (std::size_t i = 0; i < responses.size(); ++i) {
        if (!responses[i].ok()) {
            return Error{"listing " + requests[i].path + ": " + responses[i].message()};
        }
        const json body = responses[i].json();
        // Lists carry no apiVersion/kind per item; restore them from the list.
        std::string kind = body.value("kind", "");
        if (kind.size() > 4 && kind.ends_with("List")) {
            kind.resize(kind.size() - 4);
        }
        for (auto item : body.value("items", json::array())) {
            item["apiVersion"] = body.value("apiVersion", "");
            item["kind"] = kind;
            objects.push_back(std::move(item));
        }
    }
    return summarizeGroups(objects);
}

Result<std::vector<GroupSummary>> listGroups(Client &client, const std::string &ns)
{
    return readingAnswers("listing lane groups", [&] { return listGroupsUnguarded(client, ns); });
}

Result<bool> namespaceExists(Client &client, const std::string &ns)
{
    const Response r = client.send(Request{"GET", "/api/v1/namespaces/" + urlEncode(ns), {}, {}});
    if (r.ok()) {
        return true;
    }
    if (r.notFound()) {
        return false;
    }
    if (r.error.empty() && r.status == 403) {
        return true;
    }
    return Error{"reading namespace " + ns + ": " + r.message()};
}

ResourceResult createNamespace(Client &client, const std::string &ns, bool dryRun)
{
    ResourceResult result;
    result.resource = "Namespace " + ns;
    const std::string body =
        json{{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", ns}}}}.dump();
    const std::string path = std::string("/api/v1/namespaces?fieldManager=") + mesh::kFieldManager;
    for (const bool dry : {true, false}) {
        if (!dry && dryRun) {
            break;
        }
        const Response r =
            client.send(Request{"POST", path + (dry ? "&dryRun=All" : ""), body, "application/json"});
        if (r.error.empty() && r.status == 409) {
            result.outcome = Outcome::Unchanged;
            result.message = "it exists already";
            return result;
        }
        if (!r.ok()) {
            result.outcome = Outcome::Failed;
            result.message = r.message();
            return result;
        }
    }
    result.outcome = Outcome::Created;
    return result;
}

} // namespace lanedeck::kube
