#pragma once

#include "base/result.h"
#include "lanes/lanegroup.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lanedeck::mesh {

/// Which mesh API the lanes are rendered for.
enum class Flavor
{
    Asm,    ///< Alibaba ASM: DestinationRule + VirtualService per service, with ASM's `fallback` extension
    Istio,  ///< open-source Istio: fallback resolved at generation time, lanes matched from baggage too
    AsmCrd, ///< ASM's own lane API: ASMSwimLaneGroup + one ASMSwimLane per lane
};

/// The networking.istio.io version the Istio resources are written for.
enum class IstioVersion
{
    V1,
    V1beta1
};

std::optional<Flavor> parseFlavor(std::string_view text);
std::string toString(Flavor flavor);
std::optional<IstioVersion> parseIstioVersion(std::string_view text);
std::string toString(IstioVersion version);
/// asm: v1beta1 (what ASM writes, per the seed); istio: v1 (served since Istio 1.22).
IstioVersion defaultIstioVersion(Flavor flavor);

struct RenderOptions
{
    Flavor flavor = Flavor::Asm;
    std::optional<IstioVersion> istioVersion; ///< empty: the flavor's default
};

/// One Kubernetes object LaneDeck generates: the whole object as JSON, plus accessors for its identity.
struct Resource
{
    nlohmann::json object;

    std::string apiVersion() const;
    std::string kind() const;
    std::string name() const;
    std::string ns() const; ///< empty for cluster-scoped kinds
    /// "Kind namespace/name" (or "Kind name"), how messages and result tables name it.
    std::string displayName() const;
    /// A file name unique within one rendering: <kind>-<name>.yaml in lowercase.
    std::string fileName() const;

    friend bool operator==(const Resource &, const Resource &) = default;
};

/// A multi-document YAML stream of the resources, as `kubectl apply -f -` reads it.
std::string toYamlStream(const std::vector<Resource> &resources);

/// Writes one file per resource and a kustomization.yaml listing them into `directory` (created if needed),
/// each atomically. Files that an earlier rendering listed in kustomization.yaml and that are no longer
/// generated are removed, so the directory always matches the group. Returns the files written.
Result<std::vector<std::string>> writeResourceDirectory(const std::vector<Resource> &resources,
                                                        const std::string &directory);

} // namespace lanedeck::mesh
