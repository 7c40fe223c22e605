#pragma once

#include "lanes/lanegroup.h"

#include <map>
#include <string>

namespace lanedeck::mesh {

// Every name, label and header that the generated resources share lives here, once. Choices the public
// references leave open are marked "unconfirmed" and explained in docs/MESH-CHOICES.md.

/// The label that ties every generated resource to its lane group (ASM's own; prune and import select on it).
inline constexpr const char *kGroupLabel = "swimlane-group";
/// The annotation on the ingress VirtualService that records what mesh resources cannot express (the call
/// graph, ports, lane mode and pass-through), so that import can rebuild the document exactly.
inline constexpr const char *kTopologyAnnotation = "lanedeck.io/topology";
/// The field manager LaneDeck applies as.
inline constexpr const char *kFieldManager = "lanedeck";
/// The W3C baggage header, which OpenTelemetry auto-instrumentation propagates.
inline constexpr const char *kBaggageHeader = "baggage";

inline constexpr const char *kIstioGroup = "networking.istio.io";
inline constexpr const char *kAsmLaneApiVersion = "istio.alibabacloud.com/v1";
inline constexpr const char *kAsmHeaderPropagationApiVersion = "istio.alibabacloud.com/v1beta1";

/// The in-mesh host of a service: <name>.<namespace>.svc.cluster.local.
std::string serviceHost(const Service &service);

/// trafficlabel-dr-<group>-<namespace>-<service>, as ASM names it (the seed shows it).
std::string destinationRuleName(const LaneGroup &group, const Service &service);
/// trafficlabel-vs-<group>-<namespace>-<service>, as ASM names it.
std::string virtualServiceName(const LaneGroup &group, const Service &service);
/// The gateway's weighted-routing VirtualService (unconfirmed: the seed does not show ASM's).
std::string ingressVirtualServiceName(const LaneGroup &group);
/// The ASMHeaderPropagation resource that carries the routing header in baggage (unconfirmed name).
std::string headerPropagationName(const LaneGroup &group);
/// The ASMSwimLane for a lane: <group>-<lane>, since the resource is cluster-scoped (unconfirmed).
std::string swimLaneName(const LaneGroup &group, const Lane &lane);

/// The baggage member key that carries the lane (unconfirmed for ASM: the routing header's name).
std::string baggageMemberKey(const LaneGroup &group);
/// An RE2 full-match regex that matches a W3C baggage header holding member <key>=<lane>, wherever it
/// stands among other members, with optional whitespace and properties, and nothing that merely starts
/// with the lane's name.
std::string baggageLaneRegex(const LaneGroup &group, const std::string &lane);

/// The labels every generated resource of the asm flavor carries, exactly as ASM sets them.
std::map<std::string, std::string> asmLabels(const LaneGroup &group);
/// The labels of LaneDeck's istio flavor: the group label plus who manages the resource.
std::map<std::string, std::string> istioLabels(const LaneGroup &group);

/// "<namespace>/<name>" of the ingress gateway, as a VirtualService's gateways list names it.
std::string gatewayRef(const LaneGroup &group);

} // namespace lanedeck::mesh
