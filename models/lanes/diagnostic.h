#pragma once

#include <map>
#include <string>
#include <vector>

namespace lanedeck {

/// A place in a source file, 1-based; line 0 means "no position known".
struct SourceLocation
{
    std::string file;
    int line = 0;
    int column = 0;

    friend bool operator==(const SourceLocation &, const SourceLocation &) = default;
};

/// One problem with a lane group: the field it concerns (a path such as "spec.lanes[2].weight"), what is
/// wrong in words, and where in the file that field stands when the group came from a file.
struct Diagnostic
{
    std::string field;
    std::string message;
    SourceLocation where;

    /// "file:line:column: field: message", or "field: message" without a position.
    std::string toString() const;

    friend bool operator==(const Diagnostic &, const Diagnostic &) = default;
};

/// Where each field of a loaded document stood in its file, by field path.
using SourceMap = std::map<std::string, SourceLocation>;

/// Fills in each diagnostic's position from the source map, using the nearest enclosing field that has one.
void locate(std::vector<Diagnostic> &diagnostics, const SourceMap &sources);

} // namespace lanedeck
