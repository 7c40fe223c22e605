#include "commands.h"

#include "base/atomicfile.h"
#include "graph/drawing.h"
#include "graph/svg.h"
#include "lanes/document.h"
#include "lanes/lanepaths.h"
#include "mesh/render.h"
#include "mesh/resource.h"

#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>

namespace lanectl {
namespace {

using namespace lanedeck;

int validateCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Checks a lane group document and lists every problem."));
    parser.addPositionalArgument(QStringLiteral("FILE"),
                                 QStringLiteral("The lane group document (.lanes.yaml)."));
    if (int code = parseArguments(parser, arguments, QStringLiteral("lanectl validate FILE"), 1, 1);
        code >= 0) {
        return code;
    }
    int code = Ok;
    const QString file = parser.positionalArguments().front();
    if (!loadValidGroup(file, code)) {
        return code;
    }
    out(file.toStdString() + ": valid\n");
    return Ok;
}

int renderCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Generates the mesh resources of a lane group: YAML on stdout, or files in a directory."));
    parser.addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("The lane group document."));
    const QCommandLineOption flavor(QStringLiteral("flavor"),
                                    QStringLiteral("asm (default), istio, or asm-crd."),
                                    QStringLiteral("FLAVOR"), QStringLiteral("asm"));
    const QCommandLineOption apiVersion(QStringLiteral("api-version"),
                                        QStringLiteral("networking.istio.io version: v1 or v1beta1 (default: "
                                                       "v1beta1 for asm, v1 for istio)."),
                                        QStringLiteral("VERSION"));
    const QCommandLineOption outDir(
        QStringList{QStringLiteral("o"), QStringLiteral("output-dir")},
        QStringLiteral("Write one file per resource and a kustomization.yaml to DIR."),
        QStringLiteral("DIR"));
    parser.addOptions({flavor, apiVersion, outDir});
    const QString usage = QStringLiteral(
        "lanectl render FILE [--flavor asm|istio|asm-crd] [--api-version v1|v1beta1] [-o DIR]");
    if (int code = parseArguments(parser, arguments, usage, 1, 1); code >= 0) {
        return code;
    }
    mesh::RenderOptions options;
    if (auto f = mesh::parseFlavor(parser.value(flavor).toStdString())) {
        options.flavor = *f;
    } else {
        err("lanectl: unknown flavor '" + parser.value(flavor).toStdString() + "' (asm, istio, asm-crd)\n");
        return Usage;
    }
    if (parser.isSet(apiVersion)) {
        if (auto v = mesh::parseIstioVersion(parser.value(apiVersion).toStdString())) {
            options.istioVersion = *v;
        } else {
            err("lanectl: unknown api version '" + parser.value(apiVersion).toStdString() +
                "' (v1, v1beta1)\n");
            return Usage;
        }
    }
    int code = Ok;
    const auto group = loadValidGroup(parser.positionalArguments().front(), code);
    if (!group) {
        return code;
    }
    auto rendered = mesh::render(*group, options);
    if (!rendered) {
        return fail(rendered.error());
    }
    for (const auto &note : rendered->notes) {
        err("note: " + note + "\n");
    }
    if (parser.isSet(outDir)) {
        auto written = mesh::writeResourceDirectory(rendered->resources, parser.value(outDir).toStdString());
        if (!written) {
            return fail(written.error());
        }
        for (const auto &path : *written) {
            out(path + "\n");
        }
        return Ok;
    }
    out(mesh::toYamlStream(rendered->resources));
    return Ok;
}

int pathsCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Shows, for every lane, the versions a request reaches "
                                                    "as a tree of calls; fallback hops are marked."));
    parser.addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("The lane group document."));
    OutputOption output;
    output.addTo(parser);
    if (int code =
            parseArguments(parser, arguments, QStringLiteral("lanectl paths FILE [-o text|json|yaml]"), 1, 1);
        code >= 0) {
        return code;
    }
    if (!output.read(parser)) {
        return Usage;
    }
    int code = Ok;
    const auto group = loadValidGroup(parser.positionalArguments().front(), code);
    if (!group) {
        return code;
    }
    nlohmann::json lanes = nlohmann::json::array();
    for (const auto &path : lanePaths(*group)) {
        const bool baseline = group->baselineLane()->name == path.lane;
        nlohmann::json hops = nlohmann::json::array();
        const std::vector<int> callers = path.callers();
        for (std::size_t i = 0; i < path.hops.size(); ++i) {
            const Hop &hop = path.hops[i];
            hops.push_back({{"service", hop.service},
                            {"version", hop.version},
                            {"servedBy", hop.servedBy},
                            {"fallback", hop.fallback},
                            {"depth", hop.depth},
                            {"calledBy", callers[i] < 0 ? nlohmann::json() : nlohmann::json(callers[i])}});
        }
        lanes.push_back({{"lane", path.lane},
                         {"baseline", baseline},
                         {"weight", group->lane(path.lane)->weight},
                         {"hops", hops}});
    }
    if (!output.text()) {
        output.print({{"lanes", lanes}});
        return Ok;
    }
    // One block per lane: the lane, then its path as a tree (each callee under its caller, in call order),
    // so a branching call graph does not read as one chain.
    std::string text;
    for (const auto &path : lanePaths(*group)) {
        if (!text.empty()) {
            text += '\n';
        }
        text += path.lane + (group->baselineLane()->name == path.lane ? " (baseline)" : "") + ", weight " +
                std::to_string(group->lane(path.lane)->weight) + "%\n";
        for (const auto &line : path.describeTree()) {
            text += "  " + line + '\n';
        }
    }
    out(text);
    return Ok;
}

/// Turns an SVG into a PNG with rsvg-convert (librsvg), so the PNG is the very drawing the SVG holds.
bool writePng(const std::string &svg, const QString &path, double scale)
{
    const QString rsvg = QStandardPaths::findExecutable(QStringLiteral("rsvg-convert"));
    if (rsvg.isEmpty()) {
        err("lanectl: writing a PNG needs rsvg-convert (Debian package librsvg2-bin); write an .svg "
            "instead\n");
        return false;
    }
    QTemporaryDir dir;
    const QString source = dir.filePath(QStringLiteral("graph.svg"));
    if (!dir.isValid() || !writeFileAtomically(source.toStdString(), svg)) {
        err("lanectl: cannot write a temporary file for the PNG\n");
        return false;
    }
    // rsvg-convert writes straight to its output; convert into the temporary directory, then rename.
    const QString png = dir.filePath(QStringLiteral("graph.png"));
    QProcess process;
    process.start(rsvg,
                  {QStringLiteral("--zoom"), QString::number(scale), QStringLiteral("-o"), png, source});
    if (!process.waitForFinished(60000) || process.exitStatus() != QProcess::NormalExit ||
        process.exitCode() != 0) {
        err("lanectl: rsvg-convert failed: " + process.readAllStandardError().trimmed().toStdString() + "\n");
        return false;
    }
    QFile::remove(path);
    if (!QFile::rename(png, path) && !QFile::copy(png, path)) {
        err("lanectl: cannot write " + path.toStdString() + "\n");
        return false;
    }
    return true;
}

int graphCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Draws the call graph, laid out left to right by Graphviz's dot, with one lane's path "
                       "or every lane's "
                       "versions: the picture the console's Topology tab shows."));
    parser.addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("The lane group document."));
    const QCommandLineOption lane(
        QStringLiteral("lane"), QStringLiteral("Light up this lane's path (default: every lane's versions)."),
        QStringLiteral("NAME"));
    const QCommandLineOption output(QStringList{QStringLiteral("o"), QStringLiteral("output")},
                                    QStringLiteral("Write to FILE: .svg, or .png (through rsvg-convert). "
                                                   "Default: SVG on stdout."),
                                    QStringLiteral("FILE"));
    const QCommandLineOption dark(QStringLiteral("dark"), QStringLiteral("Colours for a dark background."));
    parser.addOptions({lane, output, dark});
    if (int code = parseArguments(
            parser, arguments,
            QStringLiteral("lanectl graph FILE [--lane NAME] [--dark] [-o OUT.svg|OUT.png]"), 1, 1);
        code >= 0) {
        return code;
    }
    const QString target = parser.value(output);
    const bool png = target.endsWith(QLatin1String(".png"), Qt::CaseInsensitive);
    if (!target.isEmpty() && !png && !target.endsWith(QLatin1String(".svg"), Qt::CaseInsensitive)) {
        err("lanectl: the output must end in .svg or .png, got '" + target.toStdString() + "'\n");
        return Usage;
    }
    int code = Ok;
    const auto group = loadValidGroup(parser.positionalArguments().front(), code);
    if (!group) {
        return code;
    }
    int laneIndex = -1;
    if (parser.isSet(lane)) {
        const std::string name = parser.value(lane).toStdString();
        const Lane *found = group->lane(name);
        if (!found) {
            std::string names;
            for (const auto &l : group->lanes) {
                names += (names.empty() ? "" : ", ") + l.name;
            }
            err("lanectl: no lane '" + name + "' in the group (lanes: " + names + ")\n");
            return Usage;
        }
        laneIndex = static_cast<int>(found - group->lanes.data());
    }
    const auto drawing = graph::drawGroup(*group, laneIndex);
    if (!drawing) {
        err("lanectl: " + drawing.error().message + "\n");
        return Failed;
    }
    const std::string svg =
        graph::toSvg(*drawing, parser.isSet(dark) ? graph::Style::dark() : graph::Style::light());
    if (target.isEmpty()) {
        out(svg);
        return Ok;
    }
    if (png) {
        return writePng(svg, target, 2.0) ? Ok : IoError;
    }
    if (auto written = writeFileAtomically(target.toStdString(), svg); !written) {
        err("lanectl: " + written.error().message + "\n");
        return IoError;
    }
    return Ok;
}

} // namespace

std::vector<Command> documentCommands()
{
    return {
        {"validate", "Check a lane group document; list every problem.", validateCommand},
        {"render", "Generate the mesh resources (asm, istio, asm-crd) as YAML or files.", renderCommand},
        {"paths", "Show the versions each lane's requests reach, as a tree of calls.", pathsCommand},
        {"graph", "Draw the call graph with a lane's path (SVG or PNG).", graphCommand},
    };
}

} // namespace lanectl
