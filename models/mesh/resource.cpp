#include "mesh/resource.h"

#include "base/atomicfile.h"
#include "base/yamljson.h"

#include <QDir>
#include <QFile>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <set>

namespace lanedeck::mesh {

std::optional<Flavor> parseFlavor(std::string_view text)
{
    if (text == "asm") {
        return Flavor::Asm;
    }
    if (text == "istio") {
        return Flavor::Istio;
    }
    if (text == "asm-crd") {
        return Flavor::AsmCrd;
    }
    return std::nullopt;
}

std::string toString(Flavor flavor)
{
    switch (flavor) {
    case Flavor::Asm:
        return "asm";
    case Flavor::Istio:
        return "istio";
    case Flavor::AsmCrd:
        return "asm-crd";
    }
    return "asm";
}

std::optional<IstioVersion> parseIstioVersion(std::string_view text)
{
    if (text == "v1") {
        return IstioVersion::V1;
    }
    if (text == "v1beta1") {
        return IstioVersion::V1beta1;
    }
    return std::nullopt;
}

std::string toString(IstioVersion version)
{
    return version == IstioVersion::V1 ? "v1" : "v1beta1";
}

IstioVersion defaultIstioVersion(Flavor flavor)
{
    return flavor == Flavor::Istio ? IstioVersion::V1 : IstioVersion::V1beta1;
}

namespace {

std::string stringAt(const nlohmann::json &object, const nlohmann::json::json_pointer &pointer)
{
    if (!object.contains(pointer)) {
        return {};
    }
    const auto &value = object.at(pointer);
    return value.is_string() ? value.get<std::string>() : std::string();
}

} // namespace

std::string Resource::apiVersion() const
{
    return stringAt(object, nlohmann::json::json_pointer("/apiVersion"));
}

std::string Resource::kind() const
{
    return stringAt(object, nlohmann::json::json_pointer("/kind"));
}

std::string Resource::name() const
{
    return stringAt(object, nlohmann::json::json_pointer("/metadata/name"));
}

std::string Resource::ns() const
{
    return stringAt(object, nlohmann::json::json_pointer("/metadata/namespace"));
}

std::string Resource::displayName() const
{
    const std::string space = ns();
    return kind() + ' ' + (space.empty() ? name() : space + '/' + name());
}

std::string Resource::fileName() const
{
    std::string file = kind() + '-' + name() + ".yaml";
    std::transform(file.begin(), file.end(), file.begin(), [](unsigned char c) { return std::tolower(c); });
    return file;
}

std::string toYamlStream(const std::vector<Resource> &resources)
{
    std::vector<nlohmann::json> documents;
    documents.reserve(resources.size());
    for (const auto &r : resources) {
        documents.push_back(r.object);
    }
    return lanedeck::toYamlStream(documents);
}

Result<std::vector<std::string>> writeResourceDirectory(const std::vector<Resource> &resources,
                                                        const std::string &directory)
{
    QDir dir(QString::fromStdString(directory));
    if (!dir.mkpath(QStringLiteral("."))) {
        return Error{directory + ": cannot create the directory", Error::Kind::Io};
    }
    const std::string kustomizationPath = dir.filePath(QStringLiteral("kustomization.yaml")).toStdString();

    std::set<std::string> previous;
    if (QFile::exists(QString::fromStdString(kustomizationPath))) {
        auto text = readFileLimited(kustomizationPath, 4u * 1024u * 1024u);
        if (!text) {
            return text.error();
        }
        try {
            const YAML::Node old = YAML::Load(*text);
            if (old["resources"] && old["resources"].IsSequence()) {
                for (const auto &entry : old["resources"]) {
                    const std::string file = entry.as<std::string>("");
                    // Only plain file names this function wrote; never a path that leaves the directory.
                    if (!file.empty() && file.find('/') == std::string::npos && file != "..") {
                        previous.insert(file);
                    }
                }
            }
        } catch (const YAML::Exception &e) {
            return Error{kustomizationPath + ": cannot read the existing kustomization: " + e.msg,
                         Error::Kind::Io};
        }
    }

    std::vector<std::string> written;
    nlohmann::ordered_json kustomization;
    kustomization["apiVersion"] = "kustomize.config.k8s.io/v1beta1";
    kustomization["kind"] = "Kustomization";
    kustomization["resources"] = nlohmann::ordered_json::array();
    std::set<std::string> current;
    for (const auto &r : resources) {
        const std::string file = r.fileName();
        if (!current.insert(file).second) {
            return Error{"two resources would be written to the same file " + file};
        }
        const std::string path = dir.filePath(QString::fromStdString(file)).toStdString();
        if (auto ok = writeFileAtomically(path, toYaml(r.object)); !ok) {
            return ok.error();
        }
        written.push_back(path);
        kustomization["resources"].push_back(file);
    }
    if (auto ok = writeFileAtomically(kustomizationPath, toYaml(kustomization)); !ok) {
        return ok.error();
    }
    written.push_back(kustomizationPath);
    for (const auto &stale : previous) {
        if (!current.contains(stale)) {
            QFile::remove(dir.filePath(QString::fromStdString(stale)));
        }
    }
    return written;
}

} // namespace lanedeck::mesh
