#include "ui/settings.h"

#include <QSettings>
#include <QUrl>

namespace lanedeck::ui {
namespace {
QString key(const char *name)
{
    return QString::fromLatin1(name);
}
} // namespace

SamplerSettings SamplerSettings::load()
{
    const QSettings s;
    const SamplerSettings defaults;
    SamplerSettings out;
    out.rate = s.value(key("sampler/rate"), defaults.rate).toInt();
    out.amountKind = s.value(key("sampler/amountKind"), defaults.amountKind).toInt();
    out.amount = s.value(key("sampler/amount"), defaults.amount).toInt();
    out.concurrency = s.value(key("sampler/concurrency"), defaults.concurrency).toInt();
    out.classification = s.value(key("sampler/classification"), defaults.classification).toInt();
    out.classifyArgument = s.value(key("sampler/classifyArgument"), defaults.classifyArgument).toString();
    out.restartOnPush = s.value(key("sampler/restartOnPush"), defaults.restartOnPush).toBool();
    return out;
}

void SamplerSettings::save() const
{
    QSettings s;
    s.setValue(key("sampler/rate"), rate);
    s.setValue(key("sampler/amountKind"), amountKind);
    s.setValue(key("sampler/amount"), amount);
    s.setValue(key("sampler/concurrency"), concurrency);
    s.setValue(key("sampler/classification"), classification);
    s.setValue(key("sampler/classifyArgument"), classifyArgument);
    s.setValue(key("sampler/restartOnPush"), restartOnPush);
}

QByteArray UiSettings::windowGeometry() const
{
    return QSettings().value(key("window/geometry")).toByteArray();
}

void UiSettings::setWindowGeometry(const QByteArray &value)
{
    QSettings().setValue(key("window/geometry"), value);
}

QByteArray UiSettings::windowState() const
{
    return QSettings().value(key("window/state")).toByteArray();
}

void UiSettings::setWindowState(const QByteArray &value)
{
    QSettings().setValue(key("window/state"), value);
}

QStringList UiSettings::recentFiles() const
{
    return QSettings().value(key("files/recent")).toStringList();
}

void UiSettings::addRecentFile(const QString &path)
{
    QStringList files = recentFiles();
    files.removeAll(path);
    files.prepend(path);
    while (files.size() > kMaxRecentFiles) {
        files.removeLast();
    }
    QSettings().setValue(key("files/recent"), files);
}

void UiSettings::removeRecentFile(const QString &path)
{
    QStringList files = recentFiles();
    files.removeAll(path);
    QSettings().setValue(key("files/recent"), files);
}

QString UiSettings::lastTarget() const
{
    return QSettings().value(key("cluster/target")).toString();
}

void UiSettings::setLastTarget(const QString &value)
{
    QSettings().setValue(key("cluster/target"), value);
}

QString UiSettings::flavor() const
{
    return QSettings().value(key("render/flavor"), QStringLiteral("asm")).toString();
}

void UiSettings::setFlavor(const QString &value)
{
    QSettings().setValue(key("render/flavor"), value);
}

QString UiSettings::apiVersion() const
{
    return QSettings().value(key("render/apiVersion")).toString();
}

void UiSettings::setApiVersion(const QString &value)
{
    QSettings().setValue(key("render/apiVersion"), value);
}

QStringList UiSettings::approvedExecCommands() const
{
    return QSettings().value(key("cluster/approvedExecCommands")).toStringList();
}

void UiSettings::addApprovedExecCommand(const QString &value)
{
    QStringList commands = approvedExecCommands();
    if (!commands.contains(value)) {
        commands << value;
        QSettings().setValue(key("cluster/approvedExecCommands"), commands);
    }
}

int UiSettings::autosaveSeconds() const
{
    return QSettings().value(key("files/autosaveSeconds"), 30).toInt();
}

namespace {
/// A context's key under `group`: context names may hold '/', which QSettings reads as a group separator.
QString contextKey(const char *group, const QString &context)
{
    return key(group) + QString::fromLatin1(QUrl::toPercentEncoding(context));
}
} // namespace

TelemetrySourceSettings TelemetrySourceSettings::load(const QString &context)
{
    const QSettings s;
    TelemetrySourceSettings out;
    out.url = s.value(contextKey("telemetry/prometheus/", context)).toString();
    out.viaService = s.value(contextKey("telemetry/viaService/", context), false).toBool();
    const int auth = s.value(contextKey("telemetry/auth/", context), 0).toInt();
    out.auth = auth >= 0 && auth <= int(Auth::BasicAuthFile) ? Auth(auth) : Auth::None;
    out.authFile = s.value(contextKey("telemetry/authFile/", context)).toString();
    out.caFile = s.value(contextKey("telemetry/caFile/", context)).toString();
    out.service = s.value(contextKey("telemetry/service/", context)).toString();
    return out;
}

void TelemetrySourceSettings::save(const QString &context) const
{
    QSettings s;
    s.setValue(contextKey("telemetry/prometheus/", context), url);
    s.setValue(contextKey("telemetry/viaService/", context), viaService);
    s.setValue(contextKey("telemetry/auth/", context), int(auth));
    s.setValue(contextKey("telemetry/authFile/", context), authFile);
    s.setValue(contextKey("telemetry/caFile/", context), caFile);
    s.setValue(contextKey("telemetry/service/", context), service);
}

} // namespace lanedeck::ui
