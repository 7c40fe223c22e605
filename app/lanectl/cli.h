#pragma once

#include <QCommandLineParser>
#include <QStringList>

#include "base/result.h"
#include "lanes/lanegroup.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace lanectl {

/// lanectl's exit codes (docs/CLI.md lists them).
enum ExitCode : int
{
    Ok = 0,
    Failed = 1,     ///< the input is invalid, or the operation failed
    Usage = 2,      ///< the command line is wrong
    IoError = 3,    ///< a file could not be read or written
    RolledBack = 4, ///< lanectl rollout: a gate failed (or --rollback) and the rollback weights are in force
    Aborted = 5,    ///< lanectl rollout: stopped without a decision; the step in force stays
    Refused = 6, ///< lanectl rollout: another rollout holds the group, the plan changed, nothing to resume,
                 ///< the cluster's analysis found errors
};

/// One subcommand: its name, one line of help, and the function that runs it on the arguments after it.
struct Command
{
    const char *name;
    const char *summary;
    std::function<int(const QStringList &arguments)> run;
};

/// Parses a subcommand's arguments; on --help prints the help and returns Ok, on errors prints them and
/// returns Usage; otherwise returns -1 and the caller goes on.
int parseArguments(QCommandLineParser &parser, const QStringList &arguments, const QString &usage,
                   int minPositional, int maxPositional);

/// The exit code for a failure of this kind: IoError for a local file, Failed for everything else.
int exitCodeFor(const lanedeck::Error &error);

/// Prints "lanectl: <message>" to stderr and returns exitCodeFor(error): the end of most failed commands.
int fail(const lanedeck::Error &error);

/// Loads and validates a lane group document, printing every problem to stderr. Returns the group only
/// when it is valid; otherwise sets `exitCode` (IoError when the file could not be read at all, else Failed).
/// A non-empty `ns` (the -n of apply, diff, analyze) replaces the document's namespace before the check, so
/// that a document without one can be pushed into a namespace the command line names.
std::optional<lanedeck::LaneGroup> loadValidGroup(const QString &path, int &exitCode,
                                                  const std::string &ns = {});

/// "10s", "500ms", "2m", "1.5" (seconds); nothing when the text is not a positive duration.
std::optional<std::chrono::milliseconds> parseDuration(const QString &text);

void out(const std::string &text);
void err(const std::string &text);

/// Prints rows as a table with aligned columns; the first row is the header.
void printTable(const std::vector<std::vector<std::string>> &rows);

/// How a command that prints a table prints it: `-o text` (the table), `-o json` or `-o yaml` (the shape
/// docs/CLI.md documents for each command, for CI and GitOps pipelines).
enum class OutputFormat
{
    Text,
    Json,
    Yaml
};

/// The -o/--output option of those commands.
struct OutputOption
{
    QCommandLineOption option{QStringList{QStringLiteral("o"), QStringLiteral("output")},
                              QStringLiteral("Output format: text (default), json or yaml."),
                              QStringLiteral("FORMAT"), QStringLiteral("text")};
    OutputFormat format = OutputFormat::Text;

    void addTo(QCommandLineParser &parser) const { parser.addOption(option); }
    /// Reads the format; prints the error and returns false for an unknown one.
    bool read(const QCommandLineParser &parser);
    bool text() const { return format == OutputFormat::Text; }
    /// Prints `value` as JSON or YAML (for a text format the caller prints its table instead).
    void print(const nlohmann::json &value) const;
};

/// Table rows as JSON: one object per row, keyed by the header row's names in lowercase.
nlohmann::json rowsToJson(const std::vector<std::vector<std::string>> &rows);

} // namespace lanectl
