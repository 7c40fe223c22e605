#pragma once

#include "base/result.h"
#include "lanes/lanegroup.h"
#include "lanes/lanepaths.h"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace re2 {
class RE2;
}

namespace lanedeck::traffic {

/// One service of an asm-mock response chain: "-> mockb(version: v1, ip: 192.168.0.1)".
struct ChainHop
{
    std::string service;
    std::string version;
    std::string address;

    friend bool operator==(const ChainHop &, const ChainHop &) = default;
};

/// The hops of an asm-mock chain, or nothing when the body is not one.
std::optional<std::vector<ChainHop>> parseChain(std::string_view body);

/// How a response relates to the lanes.
enum class Outcome : std::uint8_t
{
    InLane,       ///< served entirely by its lane's own versions
    FellBack,     ///< its lane lacks a service and the baseline served it, as the lane's path expects
    Leaked,       ///< a chain that matches no lane's path: routing or propagation is broken
    Unclassified, ///< no lane could be told (an error, or a header/regex classifier found nothing)
};

std::string toString(Outcome outcome);

/// What a classifier made of one response.
struct Classification
{
    std::string lane; ///< empty for Leaked and Unclassified
    Outcome outcome = Outcome::Unclassified;
    std::string chain; ///< the response line, for the distinct-chain counts (chain classifier only)
};

/// A lane and its configured share of ingress traffic, as the statistics compare against.
struct LaneWeight
{
    std::string name;
    int weight = 0;
};

/// Tells which lane served a response: by its asm-mock chain (matched against the group's lane paths),
/// by the value of a response header, or by the first capture group of an RE2 regex on the body. Header and
/// regex values name a lane directly or by its label value ("s2" or "v2"). Immutable and thread-safe.
class Classifier final
{
public:
    enum class Kind
    {
        Chain,
        Header,
        Regex
    };

    static Classifier chain(const LaneGroup &group);
    static Classifier header(const LaneGroup &group, std::string name);
    static Result<Classifier> regex(const LaneGroup &group, const std::string &pattern);
    /// "chain", "header:NAME" or "regex:RE", as lanectl's --classify takes it.
    static Result<Classifier> parse(const LaneGroup &group, std::string_view spec);

    Kind kind() const { return m_kind; }
    /// The response header a Header classifier reads (lowercase), empty otherwise.
    const std::string &headerName() const { return m_header; }
    const std::vector<LaneWeight> &lanes() const { return m_lanes; }

    /// Classifies a successful response; an unparseable body gives std::nullopt.
    std::optional<Classification> classify(std::string_view body, std::string_view headerValue) const;

private:
    Classifier() = default;
    std::string laneNamed(std::string_view value) const;

    Kind m_kind = Kind::Chain;
    LaneGroup m_group;
    std::vector<LanePath> m_paths;
    std::vector<LaneWeight> m_lanes;
    std::string m_header;
    std::shared_ptr<const re2::RE2> m_regex;
};

} // namespace lanedeck::traffic
