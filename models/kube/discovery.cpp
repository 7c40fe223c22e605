#include "kube/discovery.h"

#include "mesh/naming.h"

namespace lanedeck::kube {
namespace {

using nlohmann::json;

constexpr const char *kVirtualServiceCrd =
    "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/virtualservices.networking.istio.io";
constexpr const char *kAsmGroup = "istio.alibabacloud.com";

json parseBody(std::string_view body)
{
    json j = json::parse(body, nullptr, false);
    return j.is_discarded() ? json() : j;
}

/// Whether a schema declares a property named `name` anywhere under it.
bool declares(const json &schema, const std::string &name)
{
    if (schema.is_object()) {
        if (const auto props = schema.find("properties"); props != schema.end() && props->is_object()) {
            if (props->contains(name)) {
                return true;
            }
        }
        for (const auto &[key, value] : schema.items()) {
            if (declares(value, name)) {
                return true;
            }
        }
    } else if (schema.is_array()) {
        for (const auto &v : schema) {
            if (declares(v, name)) {
                return true;
            }
        }
    }
    return false;
}

} // namespace

Result<std::vector<GroupVersion>> parseApiGroup(std::string_view body, const std::string &)
{
    std::vector<GroupVersion> out;
    for (const auto &v : parseBody(body).value("versions", json::array())) {
        out.push_back({v.value("groupVersion", ""), v.value("version", "")});
    }
    return out;
}

Result<std::vector<KindInfo>> parseApiResourceList(std::string_view body, const std::string &groupVersion)
{
    std::vector<KindInfo> out;
    for (const auto &r : parseBody(body).value("resources", json::array())) {
        const std::string name = r.value("name", "");
        if (name.find('/') != std::string::npos) {
            continue; // subresources (status, scale)
        }
        out.push_back({groupVersion, r.value("kind", ""), name, r.value("namespaced", true)});
    }
    return out;
}

Result<bool> parseFallbackDeclared(std::string_view crdBody)
{
    for (const auto &v : parseBody(crdBody)["spec"].value("versions", json::array())) {
        if (v.value("served", false) && declares(v.value("schema", json::object()), "fallback")) {
            return true;
        }
    }
    return false;
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
            return Error{"discovery failed: " + r.message()};
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
            return Error{"discovery of " + versionRequests[i].path + " failed: " + versions[i].message()};
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

Result<void> checkFlavor(const MeshDiscovery &mesh, const mesh::RenderOptions &options, bool needsHeaderPropagation)
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
    const std::string version = mesh::toString(options.istioVersion.value_or(mesh::defaultIstioVersion(options.flavor)));
    if (std::find(mesh.istioVersions.begin(), mesh.istioVersions.end(), version) == mesh.istioVersions.end()) {
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
            return Error{"the asm flavor routes with ASM's `fallback` extension, but this cluster's VirtualService "
                         "schema does not declare `fallback`: it is upstream Istio, not ASM" + why +
                         ". Use --flavor istio, which resolves fallback when generating."};
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

const json &metadataOf(const json &object)
{
    static const json empty = json::object();
    if (object.is_object()) {
        if (const auto it = object.find("metadata"); it != object.end() && it->is_object()) {
            return *it;
        }
    }
    return empty;
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
