#include "lanes/groupedits.h"

#include <algorithm>
#include <numeric>

namespace lanedeck::edits {
namespace {

/// Splits `amount` over `shares` proportionally with the largest-remainder method, so the parts add up to
/// `amount` exactly; equal remainders go to the earlier entry.
std::vector<int> apportion(int amount, const std::vector<long long> &shares)
{
    const long long sum = std::accumulate(shares.begin(), shares.end(), 0LL);
    std::vector<int> parts(shares.size(), 0);
    if (shares.empty() || amount <= 0) {
        return parts;
    }
    std::vector<long long> effective = shares;
    long long effectiveSum = sum;
    if (effectiveSum <= 0) {
        std::fill(effective.begin(), effective.end(), 1);
        effectiveSum = static_cast<long long>(effective.size());
    }
    std::vector<std::pair<long long, std::size_t>> remainders;
    int given = 0;
    for (std::size_t i = 0; i < effective.size(); ++i) {
        const long long scaled = static_cast<long long>(amount) * std::max(0LL, effective[i]);
        parts[i] = static_cast<int>(scaled / effectiveSum);
        given += parts[i];
        remainders.emplace_back(scaled % effectiveSum, i);
    }
    std::stable_sort(remainders.begin(), remainders.end(),
                     [](const auto &a, const auto &b) { return a.first > b.first; });
    for (std::size_t k = 0; given < amount && k < remainders.size(); ++k, ++given) {
        ++parts[remainders[k].second];
    }
    return parts;
}

std::vector<std::string> names(const std::vector<Service> &services)
{
    std::vector<std::string> out;
    for (const auto &s : services) {
        out.push_back(s.name);
    }
    return out;
}

void replaceAll(std::vector<std::string> &list, const std::string &from, const std::string &to)
{
    std::replace(list.begin(), list.end(), from, to);
}

void eraseAll(std::vector<std::string> &list, const std::string &value)
{
    list.erase(std::remove(list.begin(), list.end(), value), list.end());
}

} // namespace

std::vector<int> weights(const LaneGroup &group)
{
    std::vector<int> out;
    for (const auto &lane : group.lanes) {
        out.push_back(lane.weight);
    }
    return out;
}

int totalWeight(const LaneGroup &group)
{
    int total = 0;
    for (const auto &lane : group.lanes) {
        total += lane.weight;
    }
    return total;
}

void setWeights(LaneGroup &group, const std::vector<int> &values)
{
    for (std::size_t i = 0; i < group.lanes.size() && i < values.size(); ++i) {
        group.lanes[i].weight = values[i];
    }
}

std::vector<int> rebalanced(const std::vector<int> &values, std::size_t changed, int value)
{
    std::vector<int> out = values;
    if (changed >= out.size()) {
        return out;
    }
    out[changed] = value;
    std::vector<long long> others;
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i != changed) {
            others.push_back(values[i]);
        }
    }
    if (others.empty()) {
        return out;
    }
    const auto parts = apportion(std::max(0, 100 - value), others);
    for (std::size_t i = 0, k = 0; i < out.size(); ++i) {
        if (i != changed) {
            out[i] = parts[k++];
        }
    }
    return out;
}

std::vector<int> normalized(const std::vector<int> &values)
{
    std::vector<long long> shares(values.begin(), values.end());
    return apportion(100, shares);
}

std::string uniqueName(const std::string &stem, const std::vector<std::string> &taken)
{
    auto isTaken = [&](const std::string &n) {
        return std::find(taken.begin(), taken.end(), n) != taken.end();
    };
    if (!isTaken(stem)) {
        return stem;
    }
    for (int i = 2;; ++i) {
        std::string candidate = stem + std::to_string(i);
        if (!isTaken(candidate)) {
            return candidate;
        }
    }
}

void addService(LaneGroup &group, const std::string &name)
{
    Service service;
    service.name = name;
    group.services.push_back(service);
    if (group.ingress.entryService.empty()) {
        group.ingress.entryService = name;
    }
    // The baseline must hold every service in permissive mode, and does so from the start.
    if (!group.lanes.empty()) {
        const Lane *baseline = group.baselineLane();
        for (std::size_t i = 0; i < group.lanes.size(); ++i) {
            if (&group.lanes[i] == baseline) {
                setLaneHasService(group, i, name, true);
            }
        }
    }
}

void removeService(LaneGroup &group, std::size_t index)
{
    if (index >= group.services.size()) {
        return;
    }
    const std::string name = group.services[index].name;
    group.services.erase(group.services.begin() + static_cast<std::ptrdiff_t>(index));
    for (auto &service : group.services) {
        eraseAll(service.calls, name);
    }
    for (auto &lane : group.lanes) {
        eraseAll(lane.services, name);
    }
    if (group.ingress.entryService == name) {
        group.ingress.entryService = group.services.empty() ? std::string() : group.services.front().name;
    }
}

void renameService(LaneGroup &group, std::size_t index, const std::string &name)
{
    if (index >= group.services.size()) {
        return;
    }
    const std::string old = group.services[index].name;
    group.services[index].name = name;
    for (auto &service : group.services) {
        replaceAll(service.calls, old, name);
    }
    for (auto &lane : group.lanes) {
        replaceAll(lane.services, old, name);
    }
    if (group.ingress.entryService == old) {
        group.ingress.entryService = name;
    }
}

void moveService(LaneGroup &group, std::size_t from, std::size_t to)
{
    if (from >= group.services.size() || to >= group.services.size() || from == to) {
        return;
    }
    Service moving = group.services[from];
    group.services.erase(group.services.begin() + static_cast<std::ptrdiff_t>(from));
    group.services.insert(group.services.begin() + static_cast<std::ptrdiff_t>(to), moving);
    const auto order = names(group.services);
    for (auto &lane : group.lanes) {
        std::stable_sort(
            lane.services.begin(), lane.services.end(), [&](const std::string &a, const std::string &b) {
                return std::find(order.begin(), order.end(), a) < std::find(order.begin(), order.end(), b);
            });
    }
}

void addLane(LaneGroup &group, const std::string &name)
{
    Lane lane;
    lane.name = name;
    if (!group.lanes.empty()) {
        lane.labelKey = group.lanes.back().labelKey;
    }
    if (group.lanes.empty()) {
        lane.services = names(group.services);
        lane.weight = 100;
    }
    group.lanes.push_back(lane);
}

void removeLane(LaneGroup &group, std::size_t index)
{
    if (index >= group.lanes.size()) {
        return;
    }
    if (group.baseline == group.lanes[index].name) {
        group.baseline.clear();
    }
    group.lanes.erase(group.lanes.begin() + static_cast<std::ptrdiff_t>(index));
    if (!group.baseline.empty() && !group.lanes.empty() && group.lanes.front().name == group.baseline) {
        group.baseline.clear();
    }
}

void renameLane(LaneGroup &group, std::size_t index, const std::string &name)
{
    if (index >= group.lanes.size()) {
        return;
    }
    if (!group.baseline.empty() && group.baseline == group.lanes[index].name) {
        group.baseline = name;
    }
    group.lanes[index].name = name;
}

void moveLane(LaneGroup &group, std::size_t from, std::size_t to)
{
    if (from >= group.lanes.size() || to >= group.lanes.size() || from == to) {
        return;
    }
    const Lane *baselineBefore = group.baselineLane();
    const std::string baselineName = baselineBefore ? baselineBefore->name : std::string();
    Lane moving = group.lanes[from];
    group.lanes.erase(group.lanes.begin() + static_cast<std::ptrdiff_t>(from));
    group.lanes.insert(group.lanes.begin() + static_cast<std::ptrdiff_t>(to), moving);
    group.baseline = group.lanes.front().name == baselineName ? std::string() : baselineName;
}

void setBaseline(LaneGroup &group, std::size_t index)
{
    if (index >= group.lanes.size()) {
        return;
    }
    group.baseline = index == 0 ? std::string() : group.lanes[index].name;
}

void setLaneHasService(LaneGroup &group, std::size_t laneIndex, const std::string &service, bool has)
{
    if (laneIndex >= group.lanes.size()) {
        return;
    }
    Lane &lane = group.lanes[laneIndex];
    eraseAll(lane.services, service);
    if (!has) {
        return;
    }
    lane.services.push_back(service);
    const auto order = names(group.services);
    std::stable_sort(
        lane.services.begin(), lane.services.end(), [&](const std::string &a, const std::string &b) {
            return std::find(order.begin(), order.end(), a) < std::find(order.begin(), order.end(), b);
        });
}

void setCalls(LaneGroup &group, std::size_t service, const std::vector<std::string> &calls)
{
    if (service >= group.services.size()) {
        return;
    }
    auto &target = group.services[service].calls;
    target.clear();
    for (const auto &c : calls) {
        if (!c.empty()) {
            target.push_back(c);
        }
    }
}

} // namespace lanedeck::edits
