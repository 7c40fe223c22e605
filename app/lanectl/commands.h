#pragma once

#include "cli.h"

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
/// contexts, inventory, apply, diff, import, delete, ingress: the commands that talk to a cluster.
std::vector<Command> clusterCommands();

/// Prints a mesh-telemetry view: the split table and verdict, then each hop's lanes, then its problems.
void printTelemetry(const lanedeck::telemetry::MeshTelemetry &view);

} // namespace lanectl
