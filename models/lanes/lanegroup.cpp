#include "lanes/lanegroup.h"

#include <algorithm>

namespace lanedeck {

const Lane *LaneGroup::baselineLane() const
{
    if (baseline.empty()) {
        return lanes.empty() ? nullptr : &lanes.front();
    }
    return lane(baseline);
}

const Lane *LaneGroup::lane(const std::string &laneName) const
{
    auto it = std::find_if(lanes.begin(), lanes.end(), [&](const Lane &l) { return l.name == laneName; });
    return it == lanes.end() ? nullptr : &*it;
}

const Service *LaneGroup::service(const std::string &serviceName) const
{
    auto it = std::find_if(services.begin(), services.end(),
                           [&](const Service &s) { return s.name == serviceName; });
    return it == services.end() ? nullptr : &*it;
}

bool LaneGroup::laneHas(const Lane &l, const std::string &serviceName) const
{
    return std::find(l.services.begin(), l.services.end(), serviceName) != l.services.end();
}

LaneGroupIndex::LaneGroupIndex(const LaneGroup &group) : m_group(&group)
{
    m_services.reserve(group.services.size());
    for (std::size_t i = 0; i < group.services.size(); ++i) {
        // The first of duplicate names wins, as in LaneGroup::service().
        m_services.emplace(group.services[i].name, static_cast<int>(i));
    }
    m_members.resize(group.lanes.size(), std::vector<bool>(group.services.size(), false));
    m_strays.resize(group.lanes.size());
    for (std::size_t l = 0; l < group.lanes.size(); ++l) {
        for (const auto &name : group.lanes[l].services) {
            const int i = serviceIndex(name);
            if (i >= 0) {
                m_members[l][static_cast<std::size_t>(i)] = true;
            } else {
                m_strays[l].push_back(name);
            }
        }
    }
}

int LaneGroupIndex::serviceIndex(std::string_view name) const
{
    const auto it = m_services.find(name);
    return it == m_services.end() ? -1 : it->second;
}

const Service *LaneGroupIndex::service(std::string_view name) const
{
    const int i = serviceIndex(name);
    return i < 0 ? nullptr : &m_group->services[static_cast<std::size_t>(i)];
}

bool LaneGroupIndex::laneHas(std::size_t lane, std::string_view service) const
{
    if (lane >= m_members.size()) {
        return false;
    }
    const int i = serviceIndex(service);
    if (i >= 0) {
        return m_members[lane][static_cast<std::size_t>(i)];
    }
    const auto &strays = m_strays[lane];
    return std::find(strays.begin(), strays.end(), service) != strays.end();
}

bool LaneGroupIndex::laneHas(const Lane &lane, std::string_view service) const
{
    const auto *first = m_group->lanes.data();
    if (&lane >= first && &lane < first + m_group->lanes.size()) {
        return laneHas(static_cast<std::size_t>(&lane - first), service);
    }
    return std::find(lane.services.begin(), lane.services.end(), service) != lane.services.end();
}

std::string toString(LaneMode mode)
{
    return mode == LaneMode::Strict ? "strict" : "permissive";
}

std::string toString(PassThrough mode)
{
    switch (mode) {
    case PassThrough::Baggage:
        return "baggage";
    case PassThrough::TraceId:
        return "traceId";
    case PassThrough::Custom:
        return "custom";
    }
    return "baggage";
}

std::string toString(StringMatch::Kind kind)
{
    switch (kind) {
    case StringMatch::Kind::Exact:
        return "exact";
    case StringMatch::Kind::Prefix:
        return "prefix";
    case StringMatch::Kind::Regex:
        return "regex";
    }
    return "prefix";
}

} // namespace lanedeck
