#include "kube/discovery.h"

#include "base/k8snames.h"
#include "base/utf8.h"
#include "mesh/naming.h"

#include <algorithm>

namespace lanedeck::kube {
namespace {

using nlohmann::json;

constexpr const char *kVirtualServiceCrd =
    "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/virtualservices.networking.istio.io";
constexpr const char *kAsmGroup = "istio.alibabacloud.com";
constexpr std::size_t kMaxVersionBytes = 100;

/// The answer as a JSON object of `kind`, or why it is not one. Nothing of the answer is quoted: it may come
/// from anything that sits in front of the API server.
Result<json> parseObject(std::string_view body, const std::string &kind)
{
    json j = json::parse(body, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
        return Error{"the answer is not a JSON object (" + kind + " expected)"};
    }
    if (const auto it = j.find("kind"); it != j.end() && !(it->is_string() && *it == kind)) {
        return Error{"the answer is not of kind " + kind};
    }
    return j;
}

/// The list member `key` of an object (an empty list when it is missing), or an error naming it. A pointer
/// into the object, not a copy: copying JSON recurses once per level of nesting.
Result<const json *> listMember(const json &object, const char *key)
{
    static const json empty = json::array();
    const auto it = object.find(key);
    if (it == object.end() || it->is_null()) {
        return &empty;
    }
    if (!it->is_array()) {
        return Error{std::string(key) + " is not a list"};
    }
    return &*it;
}

std::string stringMember(const json &object, const char *key)
{
    const auto it = object.find(key);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

/// Whether a schema declares a property named `name` anywhere under it. Walks with a stack of its own, so
/// that nesting as deep as the JSON parser takes (it does not recurse) cannot exhaust the thread's stack.
bool declares(const json &schema, const std::string &name)
{
    std::vector<const json *> pending{&schema};
    while (!pending.empty()) {
        const json &node = *pending.back();
        pending.pop_back();
        if (node.is_object()) {
            if (const auto props = node.find("properties"); props != node.end() && props->is_object()) {
                if (props->contains(name)) {
                    return true;
                }
            }
        }
        if (node.is_structured()) {
            for (const auto &child : node) {
                pending.push_back(&child);
            }
        }
    }
    return false;
}

} // namespace

Result<std::vector<GroupVersion>> parseApiGroup(std::string_view body, const std::string &group)
{
    auto j = parseObject(body, "APIGroup");
    if (!j) {
        return j.error();
    }
    auto versions = listMember(*j, "versions");
    if (!versions) {
        return versions.error();
    }
    std::vector<GroupVersion> out;
    for (std::size_t i = 0; i < (*versions)->size(); ++i) {
        const json &v = (**versions)[i];
        const std::string where = "versions[" + std::to_string(i) + "]";
        if (!v.is_object()) {
            return Error{where + " is not an object"};
        }
        GroupVersion gv{stringMember(v, "groupVersion"), stringMember(v, "version")};
        // Request paths are built from these: only a version of the group asked for may lead to one.
        if (k8s::checkDns1123Label(gv.version) || gv.groupVersion != group + '/' + gv.version) {
            return Error{where + " is not a version of " + group};
        }
        out.push_back(std::move(gv));
    }
    return out;
}

Result<std::vector<KindInfo>> parseApiResourceList(std::string_view body, const std::string &groupVersion)
{
    auto j = parseObject(body, "APIResourceList");
    if (!j) {
        return j.error();
    }
    if (const auto it = j->find("groupVersion");
        it != j->end() && !(it->is_string() && *it == groupVersion)) {
        return Error{"the answer lists the resources of another group version than " + groupVersion};
    }
    auto resources = listMember(*j, "resources");
    if (!resources) {
        return resources.error();
    }
    std::vector<KindInfo> out;
    for (std::size_t i = 0; i < (*resources)->size(); ++i) {
        const json &r = (**resources)[i];
        const std::string where = "resources[" + std::to_string(i) + "]";
        if (!r.is_object()) {
            return Error{where + " is not an object"};
        }
        const std::string name = stringMember(r, "name");
        if (name.find('/') != std::string::npos) {
            continue; // subresources (status, scale)
        }
        // Object paths are built from the name: a resource name, nothing a URL would read otherwise.
        if (k8s::checkDns1123Subdomain(name)) {
            return Error{where + ".name is not a resource name"};
        }
        const std::string kind = stringMember(r, "kind");
        const auto asciiAlnum = [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        };
        if (kind.empty() || !std::all_of(kind.begin(), kind.end(), asciiAlnum)) {
            return Error{where + ".kind is not a kind"};
        }
        const auto namespaced = r.find("namespaced");
        if (namespaced != r.end() && !namespaced->is_boolean()) {
            return Error{where + ".namespaced is not true or false"};
        }
        out.push_back({groupVersion, kind, name, namespaced == r.end() || namespaced->get<bool>()});
    }
    return out;
}

Result<bool> parseFallbackDeclared(std::string_view crdBody)
{
    auto j = parseObject(crdBody, "CustomResourceDefinition");
    if (!j) {
        return j.error();
    }
    const auto spec = j->find("spec");
    if (spec == j->end() || !spec->is_object()) {
        return Error{"the CustomResourceDefinition has no spec"};
    }
    auto versions = listMember(*spec, "versions");
    if (!versions) {
        return Error{"spec." + versions.error().message};
    }
    for (const auto &v : **versions) {
        if (!v.is_object()) {
            return Error{"spec.versions holds something that is not an object"};
        }
        const auto served = v.find("served");
        const auto schema = v.find("schema");
        if (served != v.end() && served->is_boolean() && served->get<bool>() && schema != v.end() &&
            declares(*schema, "fallback")) {
            return true;
        }
    }
    return false;
}

Result<std::string> parseServerVersion(std::string_view body)
{
    const json j = json::parse(body, nullptr, false);
    const auto it = j.is_object() ? j.find("gitVersion") : j.end();
    if (!j.is_object() || it == j.end() || !it->is_string()) {
        return Error{"the answer to /version is not a Kubernetes version (no gitVersion)"};
    }
    return displayText(it->get<std::string>(), kMaxVersionBytes);
}

Result<MeshDiscovery> discoverMesh(Client &client)
{
    MeshDiscovery out;
    const std::string groupNames[] = {mesh::kIstioGroup, kAsmGroup};
    auto groups = client.send(std::vector<Request>{{"GET", "/apis/" + groupNames[0], {}, {}},
                                                   {"GET", "/apis/" + groupNames[1], {}, {}},
                                                   {"GET", kVirtualServiceCrd, {}, {}}});
    for (const auto &r : groups) {
        if (!r.error.empty() || r.status == 401 || r.status >= 500) {
            return Error{"discovery failed: " + r.message(), r.errorKind()};
        }
    }
    for (int g = 0; g < 2; ++g) {
        if (groups[g].status == 403) {
            // Without this the group would read as not served: "this cluster does not serve VirtualService".
            return Error{"discovery of /apis/" + groupNames[g] + " was refused (" + groups[g].message() +
                         "): a permission problem, not a sign that the cluster has no mesh"};
        }
    }
    std::vector<Request> versionRequests;
    std::vector<std::string> groupVersions;
    for (int g = 0; g < 2; ++g) {
        if (!groups[g].ok()) {
            continue;
        }
        auto versions = parseApiGroup(groups[g].body, groupNames[g]);
        if (!versions) {
            return Error{"discovery of /apis/" + groupNames[g] + ": " + versions.error().message};
        }
        for (const auto &v : *versions) {
            versionRequests.push_back({"GET", "/apis/" + v.groupVersion, {}, {}});
            groupVersions.push_back(v.groupVersion);
            if (g == 0) {
                out.istioVersions.push_back(v.version);
            }
        }
    }
    const auto versions = client.send(versionRequests);
    for (std::size_t i = 0; i < versions.size(); ++i) {
        if (!versions[i].ok()) {
            return Error{"discovery of " + versionRequests[i].path + " failed: " + versions[i].message(),
                         versions[i].errorKind()};
        }
        auto kinds = parseApiResourceList(versions[i].body, groupVersions[i]);
        if (!kinds) {
            return Error{"discovery of " + versionRequests[i].path + ": " + kinds.error().message};
        }
        for (const auto &kind : *kinds) {
            out.kinds[kind.apiVersion + '/' + kind.kind] = kind;
        }
    }
    for (const auto &v : out.istioVersions) {
        const std::string gv = std::string(mesh::kIstioGroup) + '/' + v;
        out.virtualService |= out.kinds.count(gv + "/VirtualService") > 0;
        out.destinationRule |= out.kinds.count(gv + "/DestinationRule") > 0;
        out.gateway |= out.kinds.count(gv + "/Gateway") > 0;
    }
    out.asmLaneCrds = out.kinds.count(std::string(mesh::kAsmLaneApiVersion) + "/ASMSwimLaneGroup") &&
                      out.kinds.count(std::string(mesh::kAsmLaneApiVersion) + "/ASMSwimLane");
    out.asmHeaderPropagation =
        out.kinds.count(std::string(mesh::kAsmHeaderPropagationApiVersion) + "/ASMHeaderPropagation") > 0;
    const Response &crd = groups[2];
    if (crd.ok()) {
        auto declared = parseFallbackDeclared(crd.body);
        if (!declared) {
            return Error{std::string("discovery of ") + kVirtualServiceCrd + ": " + declared.error().message};
        }
        out.fallbackDeclared = *declared;
    } else if (crd.status == 403) {
        out.notes.push_back("cannot read the VirtualService CRD (" + crd.message() +
                            "): whether it declares `fallback` (ASM) is unknown");
    }
    return out;
}

Result<void> checkFlavor(const MeshDiscovery &mesh, const mesh::RenderOptions &options,
                         bool needsHeaderPropagation)
{
    using mesh::Flavor;
    if (options.flavor == Flavor::AsmCrd) {
        if (!mesh.asmLaneCrds) {
            return Error{"the asm-crd flavor needs ASM's lane CRDs (ASMSwimLaneGroup, ASMSwimLane in " +
                         std::string(mesh::kAsmLaneApiVersion) +
                         "), which this cluster does not serve: it is not an ASM mesh. Use --flavor istio."};
        }
        return {};
    }
    if (!mesh.virtualService || !mesh.destinationRule) {
        return Error{"this cluster does not serve VirtualService and DestinationRule (networking.istio.io): "
                     "install Istio, or connect to the mesh's cluster"};
    }
    const std::string version =
        mesh::toString(options.istioVersion.value_or(mesh::defaultIstioVersion(options.flavor)));
    if (std::find(mesh.istioVersions.begin(), mesh.istioVersions.end(), version) ==
        mesh.istioVersions.end()) {
        std::string served;
        for (const auto &v : mesh.istioVersions) {
            served += (served.empty() ? "" : ", ") + v;
        }
        return Error{"this cluster does not serve networking.istio.io/" + version + " (it serves " + served +
                     "): pass --api-version"};
    }
    if (options.flavor == Flavor::Asm) {
        if (!mesh.fallbackDeclared) {
            std::string why = mesh.notes.empty() ? std::string() : " (" + mesh.notes.front() + ")";
            return Error{
                "the asm flavor routes with ASM's `fallback` extension, but this cluster's VirtualService "
                "schema does not declare `fallback`: it is upstream Istio, not ASM" +
                why + ". Use --flavor istio, which resolves fallback when generating."};
        }
        if (needsHeaderPropagation && !mesh.asmHeaderPropagation) {
            return Error{"the asm flavor with baggage pass-through needs ASMHeaderPropagation (" +
                         std::string(mesh::kAsmHeaderPropagationApiVersion) +
                         "), which this cluster does not serve: upgrade ASM to 1.21.6.54 or later, or use "
                         "--flavor istio"};
        }
    }
    return {};
}

Result<KindInfo> kindInfo(const MeshDiscovery &mesh, const std::string &apiVersion, const std::string &kind)
{
    if (const auto it = mesh.kinds.find(apiVersion + '/' + kind); it != mesh.kinds.end()) {
        return it->second;
    }
    return Error{"this cluster does not serve " + kind + " in " + apiVersion};
}

const json &objectMember(const json &object, const char *key)
{
    static const json empty = json::object();
    if (object.is_object()) {
        if (const auto it = object.find(key); it != object.end() && it->is_object()) {
            return *it;
        }
    }
    return empty;
}

const json &metadataOf(const json &object)
{
    return objectMember(object, "metadata");
}

std::string objectPath(const KindInfo &kind, const std::string &ns, const std::string &name)
{
    std::string path = apiPrefix(kind.apiVersion);
    if (kind.namespaced) {
        path += "/namespaces/" + urlEncode(ns);
    }
    path += '/' + kind.plural;
    if (!name.empty()) {
        path += '/' + urlEncode(name);
    }
    return path;
}

} // namespace lanedeck::kube
