#pragma once

#include "cli.h"

#include "lanes/lanegroup.h"
#include "mesh/resource.h"

namespace lanedeck::kube {
class Client;
}
namespace lanedeck::telemetry {
struct MeshTelemetry;
}

namespace lanectl {

/// validate, render, paths, graph: the commands on lane group documents.
std::vector<Command> documentCommands();

/// sandbox, sample, demo: the commands that run lanes on loopback and measure traffic splits.
std::vector<Command> trafficCommands();
/// rollout: the staged, gated rollout of a lane.
std::vector<Command> rolloutCommands();
/// contexts, inventory, analyze, apply, diff, import, delete, ingress, observe: the commands that talk to a
/// cluster.
std::vector<Command> clusterCommands();

/// The push gate of apply and rollout: analyzes the cluster for `group` (lanectl analyze), prints the
/// findings and notes to stderr, and returns Ok when the push may go on, Failed when the analysis found
/// errors or could not read the cluster (unless `ignoreErrors`: then it only says so).
int preflightGate(lanedeck::kube::Client &client, const lanedeck::LaneGroup &group,
                  const lanedeck::mesh::RenderOptions &render, bool ignoreErrors);

/// Prints a mesh-telemetry view: the split table and verdict, then each hop's lanes, then its problems.
void printTelemetry(const lanedeck::telemetry::MeshTelemetry &view);

} // namespace lanectl
