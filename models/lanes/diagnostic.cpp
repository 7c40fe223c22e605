#include "lanes/diagnostic.h"

namespace lanedeck {
namespace {

std::string parentPath(const std::string &path)
{
    const auto cut = path.find_last_of(".[");
    return cut == std::string::npos ? std::string() : path.substr(0, cut);
}

} // namespace

std::string Diagnostic::toString() const
{
    std::string out;
    if (!where.file.empty()) {
        out += where.file + ':';
        if (where.line > 0) {
            out += std::to_string(where.line) + ':' + std::to_string(where.column) + ':';
        }
        out += ' ';
    }
    if (!field.empty()) {
        out += field + ": ";
    }
    return out + message;
}

void locate(std::vector<Diagnostic> &diagnostics, const SourceMap &sources)
{
    for (auto &d : diagnostics) {
        if (d.where.line > 0) {
            continue;
        }
        for (std::string path = d.field; !path.empty(); path = parentPath(path)) {
            if (auto it = sources.find(path); it != sources.end()) {
                d.where = it->second;
                break;
            }
        }
        if (d.where.line == 0 && !sources.empty()) {
            d.where.file = sources.begin()->second.file;
        }
    }
}

} // namespace lanedeck
