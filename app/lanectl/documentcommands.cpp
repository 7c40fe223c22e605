#include "commands.h"

#include "lanes/document.h"
#include "lanes/lanepaths.h"
#include "mesh/render.h"
#include "mesh/resource.h"

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
    parser.setApplicationDescription(QStringLiteral(
        "Shows, for every lane, the chain of versions a request walks; fallback hops are marked."));
    parser.addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("The lane group document."));
    if (int code = parseArguments(parser, arguments, QStringLiteral("lanectl paths FILE"), 1, 1); code >= 0) {
        return code;
    }
    int code = Ok;
    const auto group = loadValidGroup(parser.positionalArguments().front(), code);
    if (!group) {
        return code;
    }
    std::vector<std::vector<std::string>> rows{{"LANE", "WEIGHT", "PATH"}};
    for (const auto &path : lanePaths(*group)) {
        rows.push_back({path.lane + (group->baselineLane()->name == path.lane ? " (baseline)" : ""),
                        std::to_string(group->lane(path.lane)->weight), path.describe()});
    }
    printTable(rows);
    return Ok;
}

} // namespace

std::vector<Command> documentCommands()
{
    return {
        {"validate", "Check a lane group document; list every problem.", validateCommand},
        {"render", "Generate the mesh resources (asm, istio, asm-crd) as YAML or files.", renderCommand},
        {"paths", "Show the chain of versions each lane's requests walk.", pathsCommand},
    };
}

} // namespace lanectl
