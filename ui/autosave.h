#pragma once

#include "lanes/lanegroup.h"

#include <QDateTime>
#include <QLockFile>
#include <QObject>
#include <QString>
#include <QTimer>

#include <memory>

namespace lanedeck::ui {

class DocumentController;

/// An autosave another session left behind (it crashed or was killed): where it is, which file it was, when.
struct Recovery
{
    QString autosavePath;
    QString originalPath; ///< empty for a document that was never saved
    QDateTime savedAt;
};

/// Writes the modified document to a per-session file after a pause in editing, and removes it once the
/// document is saved or discarded. Each session holds a lock beside its autosave, so at start-up the
/// autosaves whose lock is free are exactly those of sessions that ended without cleaning up.
class Autosaver final : public QObject
{
    Q_OBJECT
public:
    /// `directory`: where autosaves live (created if needed); `idleMs`: the pause after an edit.
    Autosaver(DocumentController *controller, const QString &directory, int idleMs,
              QObject *parent = nullptr);
    ~Autosaver() override;

    /// The standard place: <AppDataLocation>/autosave.
    static QString defaultDirectory();
    /// Autosaves in `directory` whose sessions are gone, newest first.
    static QList<Recovery> pending(const QString &directory);
    /// Reads a recovery's group; false with `error` set if it cannot be read.
    static bool read(const Recovery &recovery, LaneGroup *group, QString *error);
    /// Removes a recovery's files once it has been restored or declined.
    static void remove(const Recovery &recovery);

    QString autosavePath() const;
    /// Writes the autosave now (also what the idle timer does); false if writing failed.
    bool saveNow();
    /// Removes this session's autosave: the document was saved, or the user chose to discard it.
    void discard();

Q_SIGNALS:
    void saved(const QString &path);
    void failed(const QString &message);

private:
    void documentChanged();

    DocumentController *m_controller;
    QString m_directory;
    QString m_session;
    QTimer m_timer;
    std::unique_ptr<QLockFile> m_lock;
};

} // namespace lanedeck::ui
