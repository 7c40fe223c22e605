#pragma once

// Helpers shared by the core test suites: the example document and small file utilities.

#include "lanes/document.h"
#include "lanes/lanepaths.h"

#include <nlohmann/json.hpp>

#include <QCoreApplication>
#include <QFile>
#include <QString>
#include <QTest>

#include <string>

namespace lanedeck::testing {

inline std::string sourcePath(const char *relative)
{
    return std::string(LANEDECK_SOURCE_DIR) + '/' + relative;
}

inline std::string readText(const std::string &path)
{
    QFile file(QString::fromStdString(path));
    if (!file.open(QIODevice::ReadOnly)) {
        return {};
    }
    return file.readAll().toStdString();
}

/// Whether a process still runs. A zombie does not, unless it is this process's to reap: then it was left
/// behind (a zombie whose parent is init is init's to reap).
inline bool processRunning(qint64 pid)
{
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly)) {
        return false;
    }
    // "pid (command) state ppid ...": the command may hold spaces and parentheses, the last ')' ends it.
    const QList<QByteArray> fields = stat.readAll().split(')').last().trimmed().split(' ');
    return fields.value(0) != "Z" || fields.value(1).toLongLong() == QCoreApplication::applicationPid();
}

/// The seed scenario, as resources/examples/mock.lanes.yaml holds it.
inline LaneGroup seedGroup()
{
    const auto doc = loadLaneGroupFile(sourcePath("resources/examples/mock.lanes.yaml"));
    return doc.group;
}

/// A branching call graph, resources/examples/shop.lanes.yaml: web -> {cart, search}, cart -> db; lanes base
/// (v1, every service), cart-v2 (cart and db at v2), search-v2 (search at v3).
inline LaneGroup shopGroup()
{
    return loadLaneGroupFile(sourcePath("resources/examples/shop.lanes.yaml")).group;
}

} // namespace lanedeck::testing

// QCOMPARE prints values it can turn into text; these overloads are found by argument-dependent lookup.
namespace lanedeck {
inline char *toString(const LaneGroup &group)
{
    return qstrdup(serializeLaneGroup(group).c_str());
}
inline char *toString(const Hop &hop)
{
    return qstrdup((hop.service + ' ' + hop.version + " via " + hop.servedBy +
                    (hop.fallback ? " (fallback)" : "") + " depth " + std::to_string(hop.depth))
                       .c_str());
}
} // namespace lanedeck

namespace std {
inline char *toString(const vector<string> &list)
{
    string text;
    for (const auto &item : list) {
        text += (text.empty() ? "" : ", ") + item;
    }
    return qstrdup(('[' + text + ']').c_str());
}
} // namespace std

/// QCOMPARE for JSON values (QTest's own overloads cannot take nlohmann::json), printing both on failure.
#define COMPARE_JSON(actual, expected)                                                                       \
    do {                                                                                                     \
        const nlohmann::json a_ = (actual);                                                                  \
        const nlohmann::json e_ = (expected);                                                                \
        QVERIFY2(a_ == e_, ("\n   Actual: " + a_.dump() + "\n Expected: " + e_.dump()).c_str());             \
    } while (false)
