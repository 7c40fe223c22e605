#include "traffic/classifier.h"

#include <re2/re2.h>

#include <algorithm>
#include <cctype>

namespace lanedeck::traffic {

namespace {

std::string_view trim(std::string_view text)
{
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
        text.remove_prefix(1);
    }
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
        text.remove_suffix(1);
    }
    return text;
}

bool consume(std::string_view &text, std::string_view expected)
{
    if (!text.starts_with(expected)) {
        return false;
    }
    text.remove_prefix(expected.size());
    return true;
}

} // namespace

std::optional<std::vector<ChainHop>> parseChain(std::string_view body)
{
    body = trim(body);
    std::vector<ChainHop> hops;
    // The seed's lines have no separator between hops: "-> a(version: v1, ip: x)-> b(...)".
    while (!body.empty()) {
        if (!consume(body, "-> ")) {
            return std::nullopt;
        }
        const auto open = body.find('(');
        const auto close = body.find(')');
        if (open == std::string_view::npos || close == std::string_view::npos || close < open || open == 0) {
            return std::nullopt;
        }
        ChainHop hop;
        hop.service = std::string(body.substr(0, open));
        std::string_view inside = body.substr(open + 1, close - open - 1);
        if (!consume(inside, "version: ")) {
            return std::nullopt;
        }
        const auto comma = inside.find(", ip: ");
        if (comma == std::string_view::npos) {
            return std::nullopt;
        }
        hop.version = std::string(inside.substr(0, comma));
        hop.address = std::string(inside.substr(comma + 6));
        if (hop.service.find_first_of(" \t\r\n") != std::string::npos || hop.version.empty()) {
            return std::nullopt;
        }
        hops.push_back(std::move(hop));
        body.remove_prefix(close + 1);
        body = trim(body);
    }
    if (hops.empty()) {
        return std::nullopt;
    }
    return hops;
}

std::string toString(Outcome outcome)
{
    switch (outcome) {
    case Outcome::InLane:
        return "in-lane";
    case Outcome::FellBack:
        return "fell-back";
    case Outcome::Leaked:
        return "leaked";
    case Outcome::Unclassified:
        return "unclassified";
    }
    return {};
}

Classifier Classifier::chain(const LaneGroup &group)
{
    Classifier c;
    c.m_kind = Kind::Chain;
    c.m_group = group;
    c.m_paths = lanePaths(group);
    for (const auto &lane : group.lanes) {
        c.m_lanes.push_back({lane.name, lane.weight});
    }
    return c;
}

Classifier Classifier::header(const LaneGroup &group, std::string name)
{
    Classifier c = chain(group);
    c.m_kind = Kind::Header;
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char ch) { return std::tolower(ch); });
    c.m_header = std::move(name);
    return c;
}

Result<Classifier> Classifier::regex(const LaneGroup &group, const std::string &pattern)
{
    RE2::Options options;
    options.set_log_errors(false);
    auto compiled = std::make_shared<RE2>(pattern, options);
    if (!compiled->ok()) {
        return Error{"regex '" + pattern + "': " + compiled->error()};
    }
    if (compiled->NumberOfCapturingGroups() < 1) {
        return Error{"regex '" + pattern + "': needs a capture group that captures the lane"};
    }
    Classifier c = chain(group);
    c.m_kind = Kind::Regex;
    c.m_regex = std::move(compiled);
    return c;
}

Result<Classifier> Classifier::parse(const LaneGroup &group, std::string_view spec)
{
    if (spec == "chain") {
        return chain(group);
    }
    if (spec.starts_with("header:") && spec.size() > 7) {
        return header(group, std::string(spec.substr(7)));
    }
    if (spec.starts_with("regex:") && spec.size() > 6) {
        return regex(group, std::string(spec.substr(6)));
    }
    return Error{"--classify: expected chain, header:NAME or regex:RE, got '" + std::string(spec) + "'"};
}

std::string Classifier::laneNamed(std::string_view value) const
{
    for (const auto &lane : m_group.lanes) {
        if (lane.name == value) {
            return lane.name;
        }
    }
    for (const auto &lane : m_group.lanes) {
        if (lane.labelValue == value) {
            return lane.name;
        }
    }
    return std::string(value);
}

std::optional<Classification> Classifier::classify(std::string_view body, std::string_view headerValue) const
{
    Classification result;
    switch (m_kind) {
    case Kind::Chain: {
        const auto hops = parseChain(body);
        if (!hops) {
            return std::nullopt;
        }
        result.chain = std::string(trim(body));
        result.outcome = Outcome::Leaked;
        for (const auto &path : m_paths) {
            const bool same = path.hops.size() == hops->size() &&
                              std::equal(path.hops.begin(), path.hops.end(), hops->begin(),
                                         [](const Hop &h, const ChainHop &c) {
                                             return h.service == c.service && h.version == c.version;
                                         });
            if (same) {
                result.lane = path.lane;
                const bool fellBack =
                    std::any_of(path.hops.begin(), path.hops.end(), [](const Hop &h) { return h.fallback; });
                result.outcome = fellBack ? Outcome::FellBack : Outcome::InLane;
                break;
            }
        }
        return result;
    }
    case Kind::Header: {
        const auto value = trim(headerValue);
        if (value.empty()) {
            return std::nullopt;
        }
        result.lane = laneNamed(value);
        result.outcome = Outcome::InLane;
        return result;
    }
    case Kind::Regex: {
        std::string captured;
        if (!RE2::PartialMatch(re2::StringPiece(body.data(), body.size()), *m_regex, &captured) ||
            captured.empty()) {
            return std::nullopt;
        }
        result.lane = laneNamed(captured);
        result.outcome = Outcome::InLane;
        return result;
    }
    }
    return std::nullopt;
}

} // namespace lanedeck::traffic
