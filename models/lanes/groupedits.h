#pragma once

#include "lanes/lanegroup.h"

#include <cstddef>
#include <string>
#include <vector>

/// Edits of a lane group as the designer offers them: each takes a group and returns the edited value, so the
/// document controller can record before and after in one undo command. Names that other fields refer to
/// (lane names in `baseline`, service names in calls, lanes and the entry service) are kept consistent.
namespace lanedeck::edits {

/// The lane weights in lane order.
std::vector<int> weights(const LaneGroup &group);
int totalWeight(const LaneGroup &group);
void setWeights(LaneGroup &group, const std::vector<int> &weights);

/// `weights` with entry `changed` set to `value` exactly and the other entries scaled proportionally so the
/// total is 100 (largest remainder, ties to the earlier lane); if the others are all 0 they share the rest
/// equally. With a single lane nothing else can move, so the total is `value`.
std::vector<int> rebalanced(const std::vector<int> &weights, std::size_t changed, int value);
/// `weights` scaled proportionally to total 100 (all-zero weights become an equal split).
std::vector<int> normalized(const std::vector<int> &weights);

/// A name of the form `stem`, `stem2`, `stem3`... not in `taken`.
std::string uniqueName(const std::string &stem, const std::vector<std::string> &taken);

void addService(LaneGroup &group, const std::string &name);
void removeService(LaneGroup &group, std::size_t index);
void renameService(LaneGroup &group, std::size_t index, const std::string &name);
void moveService(LaneGroup &group, std::size_t from, std::size_t to);

/// A new lane takes the label key of the lanes before it; the first lane (the baseline) holds every service
/// and all the weight, later lanes start empty at weight 0 so the total does not move.
void addLane(LaneGroup &group, const std::string &name);
void removeLane(LaneGroup &group, std::size_t index);
void renameLane(LaneGroup &group, std::size_t index, const std::string &name);
/// Moving lanes keeps the same lane the baseline (naming it explicitly when it no longer comes first).
void moveLane(LaneGroup &group, std::size_t from, std::size_t to);
/// The first lane is the baseline by default, so choosing it clears the explicit name.
void setBaseline(LaneGroup &group, std::size_t index);
/// Adds or removes a service of a lane; a lane lists its services in the group's service order.
void setLaneHasService(LaneGroup &group, std::size_t lane, const std::string &service, bool has);
/// Sets a service's calls from a list, dropping blanks.
void setCalls(LaneGroup &group, std::size_t service, const std::vector<std::string> &calls);

} // namespace lanedeck::edits
