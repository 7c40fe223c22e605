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
