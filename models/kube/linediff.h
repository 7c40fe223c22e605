#pragma once

#include <string>
#include <vector>

namespace lanedeck::kube {

/// Splits text into lines (without their newlines).
std::vector<std::string> splitLines(const std::string &text);

/// A unified diff (`diff -u` format, `context` lines around each change) from `before` to `after`, computed
/// with Myers' O(ND) shortest edit script; empty when the texts are equal.
std::string unifiedDiff(const std::string &before, const std::string &after, const std::string &beforeName,
                        const std::string &afterName, int context = 3);

} // namespace lanedeck::kube
