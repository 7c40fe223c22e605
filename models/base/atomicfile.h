#pragma once

#include "base/result.h"

#include <string>
#include <string_view>

namespace lanedeck {

/// Writes the whole of `content` to `path` through a temporary file and a rename, so that a crash at
/// any moment leaves either the previous file or the new one, never a mix. Every step is checked.
Result<void> writeFileAtomically(const std::string &path, std::string_view content);

/// Reads a whole file, refusing files larger than `maxBytes` with a message that says so.
Result<std::string> readFileLimited(const std::string &path, std::size_t maxBytes);

} // namespace lanedeck
