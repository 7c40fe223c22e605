#pragma once

#include "base/result.h"
#include "kube/client.h"
#include "mesh/resource.h"

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace lanedeck::kube {

/// A served kind's REST name and scope, from API discovery.
struct KindInfo
{
    std::string apiVersion;
    std::string kind;
    std::string plural;
    bool namespaced = true;
};

/// What the cluster's mesh API offers, and so which flavors LaneDeck may push there.
struct MeshDiscovery
{
    std::vector<std::string> istioVersions; ///< served networking.istio.io versions
    bool virtualService = false;
    bool destinationRule = false;
    bool gateway = false;
    bool fallbackDeclared = false; ///< the VirtualService CRD schema declares route[].fallback (ASM)
    bool asmLaneCrds = false;      ///< ASMSwimLaneGroup and ASMSwimLane are served
    bool asmHeaderPropagation = false;
    std::vector<std::string> notes;        ///< what could not be determined, and why
    std::map<std::string, KindInfo> kinds; ///< "apiVersion/Kind" -> REST mapping, for the groups looked at
};

/// One version an API group serves: "networking.istio.io/v1" and "v1".
struct GroupVersion
{
    std::string groupVersion;
    std::string version;
};

/// Reads an APIGroup (the answer to GET /apis/<group>): the versions it serves, in the server's order.
Result<std::vector<GroupVersion>> parseApiGroup(std::string_view body, const std::string &group);

/// Reads an APIResourceList (the answer to GET /apis/<group>/<version>): the REST mapping of each kind it
/// serves; subresources (status, scale) are left out.
Result<std::vector<KindInfo>> parseApiResourceList(std::string_view body, const std::string &groupVersion);

/// Reads the VirtualService CustomResourceDefinition: whether the schema of a served version declares a
/// property named `fallback`, as ASM's does.
Result<bool> parseFallbackDeclared(std::string_view crdBody);

/// Reads the answer to GET /version: the server's gitVersion ("v1.34.4"), safe to show (see displayText).
Result<std::string> parseServerVersion(std::string_view body);

/// Looks at networking.istio.io, istio.alibabacloud.com and the VirtualService CRD, in parallel.
Result<MeshDiscovery> discoverMesh(Client &client);

/// Refuses a flavor the mesh cannot take: asm without `fallback` in the VirtualService schema (pointing to
/// the istio flavor), asm-crd without ASM's lane CRDs, an Istio API version the server does not serve.
Result<void> checkFlavor(const MeshDiscovery &mesh, const mesh::RenderOptions &options,
                         bool needsHeaderPropagation);

/// The REST mapping of an apiVersion+kind, from discovery (or the built-in core kinds).
Result<KindInfo> kindInfo(const MeshDiscovery &mesh, const std::string &apiVersion, const std::string &kind);

/// The member `key` of `object` when both are JSON objects, else an empty object: const json's operator[]
/// must not miss (undefined behaviour), and answers of another shape read as empty.
const nlohmann::json &objectMember(const nlohmann::json &object, const char *key);
/// An object's metadata, or an empty object when it has none.
const nlohmann::json &metadataOf(const nlohmann::json &object);

/// /apis/<g>/<v>[/namespaces/<ns>]/<plural>[/<name>]
std::string objectPath(const KindInfo &kind, const std::string &ns, const std::string &name = {});

} // namespace lanedeck::kube
