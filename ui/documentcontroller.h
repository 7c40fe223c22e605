#pragma once

#include "lanes/lanegroup.h"
#include "ui/diagnosticindex.h"

#include <QObject>
#include <QString>

class QUndoStack;

namespace lanedeck::ui {

/// How consecutive edits fold into one undo step: slider moves of one lane, typing into one field.
enum class MergeKind
{
    None = -1,
    Weight = 1,
    Field = 2
};

/// The open lane group document: the group value, its file, its undo history and its validation. Every change
/// goes through edit(), which records before and after in a QUndoCommand, so undo restores the exact value.
class DocumentController final : public QObject
{
    Q_OBJECT
public:
    explicit DocumentController(QObject *parent = nullptr);
    ~DocumentController() override;

    const LaneGroup &group() const { return m_group; }
    const DiagnosticIndex &diagnostics() const { return m_diagnostics; }
    QUndoStack *undoStack() const { return m_undoStack; }
    QString filePath() const { return m_filePath; }
    /// The file name, or "Untitled" for a new document.
    QString displayName() const;
    bool isModified() const;

    /// Replaces the group by `after` as one undoable step called `text`. Consecutive edits with the same
    /// merge kind and key (the lane index, a field id) become one step.
    void edit(const LaneGroup &after, const QString &text, MergeKind merge = MergeKind::None, int key = 0);

    /// Sets one lane's weight to exactly `weight`; with `rebalance` the other lanes are scaled so the total
    /// stays 100. While one slider drag goes on, the others are computed from where the drag started, so
    /// moving back restores them exactly.
    void setLaneWeight(int lane, int weight, bool rebalance);
    /// Scales every lane's weight so the total is 100.
    void normalizeWeights();

    /// Starts a new document holding `initial`.
    void newDocument(const LaneGroup &initial = LaneGroup{});
    /// Opens a document file; on failure the current document stays and `error` says why.
    bool open(const QString &path, QString *error);
    bool save(QString *error);
    bool saveAs(const QString &path, QString *error);
    /// Takes over a group recovered from an autosave: modified, with `path` as its file (may be empty).
    void recover(const LaneGroup &group, const QString &path);

Q_SIGNALS:
    /// The group changed (an edit, undo, redo, or a new document).
    void groupChanged();
    /// A different document was loaded: views drop per-document state (selection, scroll position).
    void documentReplaced();
    void filePathChanged(const QString &path);
    void modifiedChanged(bool modified);

private:
    friend class GroupCommand;
    void apply(const LaneGroup &group);
    void replaceDocument(const LaneGroup &group, const QString &path, bool modified);

    LaneGroup m_group;
    DiagnosticIndex m_diagnostics;
    QUndoStack *m_undoStack = nullptr;
    QString m_filePath;
    bool m_recovered = false;
};

} // namespace lanedeck::ui
