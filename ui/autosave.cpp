#include "ui/autosave.h"

#include "lanes/document.h"
#include "ui/documentcontroller.h"
#include "ui/qtconvert.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QStandardPaths>
#include <QUuid>

#include <algorithm>

namespace lanedeck::ui {
namespace {

const QString kDocumentSuffix = QStringLiteral(".lanes.yaml");
const QString kInfoSuffix = QStringLiteral(".json");
const QString kLockSuffix = QStringLiteral(".lock");

QString sessionOf(const QString &autosavePath)
{
    const QString name = QFileInfo(autosavePath).fileName();
    return name.left(name.size() - kDocumentSuffix.size());
}

bool writeAll(const QString &path, const QByteArray &data, QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        *error = file.errorString();
        return false;
    }
    if (file.write(data) != data.size()) {
        *error = file.errorString();
        file.cancelWriting();
        return false;
    }
    if (!file.commit()) {
        *error = file.errorString();
        return false;
    }
    return true;
}

} // namespace

Autosaver::Autosaver(DocumentController *controller, const QString &directory, int idleMs, QObject *parent)
    : QObject(parent), m_controller(controller), m_directory(directory),
      m_session(QUuid::createUuid().toString(QUuid::WithoutBraces))
{
    QDir().mkpath(m_directory);
    m_lock = std::make_unique<QLockFile>(QDir(m_directory).filePath(m_session + kLockSuffix));
    m_lock->tryLock(0);
    m_timer.setSingleShot(true);
    m_timer.setInterval(idleMs);
    connect(&m_timer, &QTimer::timeout, this, [this] { saveNow(); });
    connect(controller, &DocumentController::groupChanged, this, &Autosaver::documentChanged);
    connect(controller, &DocumentController::modifiedChanged, this, [this](bool modified) {
        if (!modified) {
            m_timer.stop();
            discard();
        }
    });
}

// Leaves the autosave in place: only discard() (after a save or an explicit "don't save") removes it, so a
// session that ends any other way is offered for recovery next time.
Autosaver::~Autosaver() = default;

QString Autosaver::defaultDirectory()
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation))
        .filePath(QStringLiteral("autosave"));
}

QString Autosaver::autosavePath() const
{
    return QDir(m_directory).filePath(m_session + kDocumentSuffix);
}

void Autosaver::documentChanged()
{
    if (m_controller->isModified()) {
        m_timer.start();
    }
}

bool Autosaver::saveNow()
{
    m_timer.stop();
    if (!m_controller->isModified()) {
        return true;
    }
    QString error;
    const QByteArray document = QByteArray::fromStdString(serializeLaneGroup(m_controller->group()));
    const QJsonObject info{
        {QStringLiteral("originalPath"), m_controller->filePath()},
        {QStringLiteral("savedAt"), QDateTime::currentDateTimeUtc().toString(Qt::ISODate)}};
    const QString infoPath = QDir(m_directory).filePath(m_session + kInfoSuffix);
    if (!QDir().mkpath(m_directory) || !writeAll(infoPath, QJsonDocument(info).toJson(), &error) ||
        !writeAll(autosavePath(), document, &error)) {
        Q_EMIT failed(tr("Autosave failed: %1").arg(error));
        return false;
    }
    Q_EMIT saved(autosavePath());
    return true;
}

void Autosaver::discard()
{
    QFile::remove(autosavePath());
    QFile::remove(QDir(m_directory).filePath(m_session + kInfoSuffix));
}

QList<Recovery> Autosaver::pending(const QString &directory)
{
    QList<Recovery> found;
    const QDir dir(directory);
    const auto files = dir.entryInfoList({QStringLiteral("*") + kDocumentSuffix}, QDir::Files);
    for (const QFileInfo &file : files) {
        const QString session = sessionOf(file.filePath());
        QLockFile lock(dir.filePath(session + kLockSuffix));
        // Held by a live session: that session's work, not a crash.
        if (!lock.tryLock(0)) {
            continue;
        }
        lock.unlock();
        Recovery recovery{file.filePath(), QString(), file.lastModified()};
        QFile infoFile(dir.filePath(session + kInfoSuffix));
        if (infoFile.open(QIODevice::ReadOnly)) {
            const QJsonObject info = QJsonDocument::fromJson(infoFile.readAll()).object();
            recovery.originalPath = info.value(QStringLiteral("originalPath")).toString();
        }
        found << recovery;
    }
    std::sort(found.begin(), found.end(),
              [](const Recovery &a, const Recovery &b) { return a.savedAt > b.savedAt; });
    return found;
}

bool Autosaver::read(const Recovery &recovery, LaneGroup *group, QString *error)
{
    LoadedDocument loaded = loadLaneGroupFile(toStdString(recovery.autosavePath));
    if (!loaded.readable) {
        if (error) {
            *error = loaded.problems.empty() ? tr("unreadable autosave")
                                             : toQString(loaded.problems.front().toString());
        }
        return false;
    }
    *group = loaded.group;
    return true;
}

void Autosaver::remove(const Recovery &recovery)
{
    const QString session = sessionOf(recovery.autosavePath);
    const QDir dir = QFileInfo(recovery.autosavePath).dir();
    QFile::remove(recovery.autosavePath);
    QFile::remove(dir.filePath(session + kInfoSuffix));
    QFile::remove(dir.filePath(session + kLockSuffix));
}

} // namespace lanedeck::ui
