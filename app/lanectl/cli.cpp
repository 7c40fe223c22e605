#include "cli.h"

#include "base/yamljson.h"
#include "lanes/document.h"

#include <cstdio>

namespace lanectl {

std::optional<std::chrono::milliseconds> parseDuration(const QString &text)
{
    QString number = text.trimmed();
    double scale = 1000.0;
    if (number.endsWith(QLatin1String("ms"))) {
        scale = 1.0;
        number.chop(2);
    } else if (number.endsWith(QLatin1Char('s'))) {
        number.chop(1);
    } else if (number.endsWith(QLatin1Char('m'))) {
        scale = 60000.0;
        number.chop(1);
    }
    bool ok = false;
    const double value = number.toDouble(&ok);
    if (!ok || value <= 0) {
        return std::nullopt;
    }
    return std::chrono::milliseconds(static_cast<long long>(value * scale));
}

int parseArguments(QCommandLineParser &parser, const QStringList &arguments, const QString &usage,
                   int minPositional, int maxPositional)
{
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    const QCommandLineOption help(QStringList{QStringLiteral("h"), QStringLiteral("help")},
                                  QStringLiteral("Show this help."));
    parser.addOption(help);
    if (!parser.parse(arguments)) {
        err("lanectl: " + parser.errorText().toStdString() + "\n" + "usage: " + usage.toStdString() +
            "\n(see --help)\n");
        return Usage;
    }
    if (parser.isSet(help)) {
        out("usage: " + usage.toStdString() + "\n\n" +
            parser.helpText().section(QLatin1Char('\n'), 2).toStdString());
        return Ok;
    }
    const auto count = parser.positionalArguments().size();
    if (count < minPositional || count > maxPositional) {
        err("lanectl: wrong number of arguments\nusage: " + usage.toStdString() + "\n(see --help)\n");
        return Usage;
    }
    return -1;
}

std::optional<lanedeck::LaneGroup> loadValidGroup(const QString &path, int &exitCode, const std::string &ns)
{
    lanedeck::LoadedDocument doc = lanedeck::loadLaneGroupFile(path.toStdString());
    if (!ns.empty()) {
        doc.group.ns = ns;
    }
    const auto problems = lanedeck::checkDocument(doc);
    if (problems.empty()) {
        return doc.group;
    }
    std::string text;
    for (const auto &p : problems) {
        text += p.toString() + '\n';
    }
    err(text + std::to_string(problems.size()) + " problem(s) in " + path.toStdString() + "\n");
    exitCode = doc.fileError ? exitCodeFor(*doc.fileError) : Failed;
    return std::nullopt;
}

int exitCodeFor(const lanedeck::Error &error)
{
    return error.kind == lanedeck::Error::Kind::Io ? IoError : Failed;
}

int fail(const lanedeck::Error &error)
{
    err("lanectl: " + error.message + "\n");
    return exitCodeFor(error);
}

void out(const std::string &text)
{
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
}

void err(const std::string &text)
{
    std::fwrite(text.data(), 1, text.size(), stderr);
    std::fflush(stderr);
}

void printTable(const std::vector<std::vector<std::string>> &rows)
{
    std::vector<std::size_t> widths;
    for (const auto &row : rows) {
        widths.resize(std::max(widths.size(), row.size()));
        for (std::size_t i = 0; i < row.size(); ++i) {
            widths[i] = std::max(widths[i], row[i].size());
        }
    }
    std::string text;
    for (const auto &row : rows) {
        std::string line;
        for (std::size_t i = 0; i < row.size(); ++i) {
            line += row[i];
            if (i + 1 < row.size()) {
                line.append(widths[i] - row[i].size() + 2, ' ');
            }
        }
        text += line + '\n';
    }
    out(text);
}

bool OutputOption::read(const QCommandLineParser &parser)
{
    const QString value = parser.value(option);
    if (value == QLatin1String("text") || value == QLatin1String("wide")) {
        format = OutputFormat::Text;
    } else if (value == QLatin1String("json")) {
        format = OutputFormat::Json;
    } else if (value == QLatin1String("yaml")) {
        format = OutputFormat::Yaml;
    } else {
        err("lanectl: unknown output format '" + value.toStdString() + "' (text, json, yaml)\n");
        return false;
    }
    return true;
}

void OutputOption::print(const nlohmann::json &value) const
{
    out(format == OutputFormat::Yaml ? lanedeck::toYaml(value) : value.dump(2) + '\n');
}

nlohmann::json rowsToJson(const std::vector<std::vector<std::string>> &rows)
{
    nlohmann::json items = nlohmann::json::array();
    for (std::size_t r = 1; r < rows.size(); ++r) {
        nlohmann::json item = nlohmann::json::object();
        for (std::size_t c = 0; c < rows[r].size() && c < rows[0].size(); ++c) {
            std::string key = rows[0][c];
            std::transform(key.begin(), key.end(), key.begin(),
                           [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
            item[key] = rows[r][c];
        }
        items.push_back(item);
    }
    return items;
}

} // namespace lanectl
