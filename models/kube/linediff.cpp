#include "kube/linediff.h"

#include <algorithm>

namespace lanedeck::kube {
namespace {

enum class Op
{
    Keep,
    Remove,
    Add
};

struct Edit
{
    Op op;
    std::size_t a; ///< line index in before (Keep, Remove)
    std::size_t b; ///< line index in after (Keep, Add)
};

/// Myers' greedy shortest edit script, keeping every round's frontier to walk the path back.
std::vector<Edit> shortestEdit(const std::vector<std::string> &a, const std::vector<std::string> &b)
{
    const long n = static_cast<long>(a.size());
    const long m = static_cast<long>(b.size());
    const long max = n + m;
    const long offset = max + 1;
    std::vector<long> v(2 * max + 3, 0);
    std::vector<std::vector<long>> trace;
    long found = -1;
    for (long d = 0; d <= max && found < 0; ++d) {
        trace.push_back(v);
        for (long k = -d; k <= d; k += 2) {
            long x = (k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1])) ? v[offset + k + 1]
                                                                                    : v[offset + k - 1] + 1;
            long y = x - k;
            while (x < n && y < m && a[x] == b[y]) {
                ++x;
                ++y;
            }
            v[offset + k] = x;
            if (x >= n && y >= m) {
                found = d;
                break;
            }
        }
    }
    std::vector<Edit> edits;
    long x = n;
    long y = m;
    for (long d = found; d >= 0; --d) {
        const std::vector<long> &vd = trace[d];
        const long k = x - y;
        long prevK = 0;
        if (d == 0) {
            prevK = 0;
        } else if (k == -d || (k != d && vd[offset + k - 1] < vd[offset + k + 1])) {
            prevK = k + 1;
        } else {
            prevK = k - 1;
        }
        const long prevX = d == 0 ? 0 : vd[offset + prevK];
        const long prevY = prevX - prevK;
        while (x > prevX && y > prevY) {
            --x;
            --y;
            edits.push_back({Op::Keep, static_cast<std::size_t>(x), static_cast<std::size_t>(y)});
        }
        if (d > 0) {
            if (x == prevX) {
                edits.push_back({Op::Add, static_cast<std::size_t>(x), static_cast<std::size_t>(prevY)});
            } else {
                edits.push_back({Op::Remove, static_cast<std::size_t>(prevX), static_cast<std::size_t>(y)});
            }
        }
        x = prevX;
        y = prevY;
    }
    std::reverse(edits.begin(), edits.end());
    return edits;
}

std::string range(std::size_t start, std::size_t count)
{
    // diff -u numbers from 1; an empty range names the line before it.
    const std::size_t first = count == 0 ? start : start + 1;
    return count == 1 ? std::to_string(first) : std::to_string(first) + ',' + std::to_string(count);
}

} // namespace

std::vector<std::string> splitLines(const std::string &text)
{
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start < text.size()) {
        const std::size_t end = text.find('\n', start);
        if (end == std::string::npos) {
            lines.push_back(text.substr(start));
            break;
        }
        lines.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return lines;
}

std::string unifiedDiff(const std::string &before, const std::string &after, const std::string &beforeName,
                        const std::string &afterName, int context)
{
    const auto a = splitLines(before);
    const auto b = splitLines(after);
    const auto edits = shortestEdit(a, b);
    const bool changed =
        std::any_of(edits.begin(), edits.end(), [](const Edit &e) { return e.op != Op::Keep; });
    if (!changed) {
        return {};
    }
    std::string out = "--- " + beforeName + "\n+++ " + afterName + "\n";
    const std::size_t ctx = static_cast<std::size_t>(std::max(0, context));
    std::size_t i = 0;
    while (i < edits.size()) {
        // Find the next change, then grow the hunk while changes are within 2*context lines of each other.
        while (i < edits.size() && edits[i].op == Op::Keep) {
            ++i;
        }
        if (i == edits.size()) {
            break;
        }
        std::size_t first = i >= ctx ? i - ctx : 0;
        std::size_t last = i;
        std::size_t j = i;
        while (j < edits.size()) {
            if (edits[j].op != Op::Keep) {
                last = j;
                ++j;
                continue;
            }
            std::size_t run = j;
            while (run < edits.size() && edits[run].op == Op::Keep) {
                ++run;
            }
            if (run == edits.size() || run - j > 2 * ctx) {
                break;
            }
            j = run;
        }
        const std::size_t end = std::min(edits.size(), last + 1 + ctx);
        std::size_t aStart = 0;
        std::size_t bStart = 0;
        std::size_t aCount = 0;
        std::size_t bCount = 0;
        // The hunk's start in each file: the first edit's position (an Add's a is where it inserts).
        aStart = edits[first].a;
        bStart = edits[first].b;
        std::string body;
        for (std::size_t k = first; k < end; ++k) {
            const Edit &e = edits[k];
            if (e.op == Op::Keep) {
                body += ' ' + a[e.a] + '\n';
                ++aCount;
                ++bCount;
            } else if (e.op == Op::Remove) {
                body += '-' + a[e.a] + '\n';
                ++aCount;
            } else {
                body += '+' + b[e.b] + '\n';
                ++bCount;
            }
        }
        out += "@@ -" + range(aStart, aCount) + " +" + range(bStart, bCount) + " @@\n" + body;
        i = end;
    }
    return out;
}

} // namespace lanedeck::kube
