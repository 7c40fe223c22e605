#pragma once

#include "base/result.h"
#include "lanes/diagnostic.h"
#include "lanes/lanegroup.h"

#include <optional>
#include <string>
#include <vector>

namespace lanedeck {

/// The document format's identity. A document with another apiVersion of the same group was written by
/// another LaneDeck version; it is refused rather than silently rewritten.
inline constexpr const char *kDocumentApiVersion = "lanedeck.io/v1alpha1";
inline constexpr const char *kDocumentKind = "LaneGroup";
/// Lane group documents are small; anything larger is refused before parsing.
inline constexpr std::size_t kMaxDocumentBytes = 16u * 1024u * 1024u;

/// What reading a document gave: the group as far as it could be read, where each field stood, and every
/// problem found while reading (syntax, unknown keys, wrong types). Validation problems come from validate().
struct LoadedDocument
{
    LaneGroup group;
    SourceMap sources;
    std::vector<Diagnostic> problems;
    bool readable = false; ///< false when the text was not a lane group document at all (syntax, wrong kind)
    /// Set when the file itself could not be read (missing, unreadable, too large): kind Error::Kind::Io.
    std::optional<Error> fileError;
};

/// Reads a lane group document from text; `sourceName` names it in positions ("mock.lanes.yaml").
LoadedDocument parseLaneGroup(const std::string &text, const std::string &sourceName);

/// Reads a lane group document from a file (refusing unreadable or oversized files as a problem).
LoadedDocument loadLaneGroupFile(const std::string &path);

/// The document text for a group: deterministic, so saving the same group twice yields identical bytes.
std::string serializeLaneGroup(const LaneGroup &group);

/// Saves atomically: a crash at any point leaves the previous file whole.
Result<void> saveLaneGroupFile(const LaneGroup &group, const std::string &path);

/// parse + validate: every problem at once, each with its position.
std::vector<Diagnostic> checkDocument(const LoadedDocument &document);

} // namespace lanedeck
