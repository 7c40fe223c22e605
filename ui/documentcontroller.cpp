#include "ui/documentcontroller.h"

#include "lanes/document.h"
#include "lanes/groupedits.h"
#include "lanes/validation.h"
#include "ui/qtconvert.h"

#include <QFileInfo>
#include <QUndoCommand>
#include <QUndoStack>

namespace lanedeck::ui {

/// One edit: the whole group before and after. Groups are small values, so storing both is cheap and makes
/// undo exact whatever the edit did.
class GroupCommand final : public QUndoCommand
{
public:
    GroupCommand(DocumentController *controller, LaneGroup before, LaneGroup after, const QString &text,
                 MergeKind merge, int key)
        : QUndoCommand(text), m_controller(controller), m_before(std::move(before)),
          m_after(std::move(after)), m_merge(merge), m_key(key)
    {}

    void undo() override { m_controller->apply(m_before); }
    void redo() override { m_controller->apply(m_after); }
    int id() const override { return static_cast<int>(m_merge); }

    bool mergeWith(const QUndoCommand *other) override
    {
        const auto *next = static_cast<const GroupCommand *>(other);
        if (next->m_key != m_key) {
            return false;
        }
        m_after = next->m_after;
        setText(next->text());
        setObsolete(m_after == m_before);
        return true;
    }

    bool continues(MergeKind merge, int key) const
    {
        return merge != MergeKind::None && merge == m_merge && key == m_key;
    }
    const LaneGroup &before() const { return m_before; }

private:
    DocumentController *m_controller;
    LaneGroup m_before;
    LaneGroup m_after;
    MergeKind m_merge;
    int m_key;
};

DocumentController::DocumentController(QObject *parent)
    : QObject(parent), m_diagnostics(validate(m_group)), m_undoStack(new QUndoStack(this))
{
    connect(m_undoStack, &QUndoStack::cleanChanged, this, [this] { Q_EMIT modifiedChanged(isModified()); });
}

DocumentController::~DocumentController() = default;

QString DocumentController::displayName() const
{
    return m_filePath.isEmpty() ? tr("Untitled") : QFileInfo(m_filePath).fileName();
}

bool DocumentController::isModified() const
{
    return m_recovered || !m_undoStack->isClean();
}

void DocumentController::edit(const LaneGroup &after, const QString &text, MergeKind merge, int key)
{
    if (after == m_group) {
        return;
    }
    m_undoStack->push(new GroupCommand(this, m_group, after, text, merge, key));
}

void DocumentController::setLaneWeight(int lane, int weight, bool rebalance)
{
    if (lane < 0 || lane >= static_cast<int>(m_group.lanes.size())) {
        return;
    }
    LaneGroup base = m_group;
    // QUndoStack merges only into the step on top of the stack, and never across the clean state.
    const int top = m_undoStack->index() - 1;
    if (top >= 0 && m_undoStack->index() != m_undoStack->cleanIndex()) {
        const auto *command = dynamic_cast<const GroupCommand *>(m_undoStack->command(top));
        if (command && command->continues(MergeKind::Weight, lane)) {
            base = command->before();
        }
    }
    LaneGroup after = m_group;
    if (rebalance) {
        edits::setWeights(after,
                          edits::rebalanced(edits::weights(base), static_cast<std::size_t>(lane), weight));
    } else {
        after.lanes[static_cast<std::size_t>(lane)].weight = weight;
    }
    edit(after, tr("Set weight of lane %1 to %2%").arg(toQString(after.lanes[lane].name)).arg(weight),
         MergeKind::Weight, lane);
}

void DocumentController::normalizeWeights()
{
    LaneGroup after = m_group;
    edits::setWeights(after, edits::normalized(edits::weights(m_group)));
    edit(after, tr("Normalize weights"));
}

void DocumentController::apply(const LaneGroup &group)
{
    m_group = group;
    m_diagnostics = DiagnosticIndex(validate(m_group));
    Q_EMIT groupChanged();
}

void DocumentController::replaceDocument(const LaneGroup &group, const QString &path, bool modified)
{
    const bool wasModified = isModified();
    m_undoStack->clear();
    m_recovered = modified;
    const bool pathChanged = path != m_filePath;
    m_filePath = path;
    apply(group);
    Q_EMIT documentReplaced();
    if (pathChanged) {
        Q_EMIT filePathChanged(m_filePath);
    }
    if (wasModified != isModified()) {
        Q_EMIT modifiedChanged(isModified());
    }
}

void DocumentController::newDocument(const LaneGroup &initial)
{
    replaceDocument(initial, QString(), false);
}

bool DocumentController::open(const QString &path, QString *error)
{
    LoadedDocument loaded = loadLaneGroupFile(toStdString(path));
    if (!loaded.readable) {
        if (error) {
            QStringList lines;
            for (const auto &p : loaded.problems) {
                lines << toQString(p.toString());
            }
            *error = lines.isEmpty() ? tr("%1 is not a lane group document.").arg(path)
                                     : lines.join(QLatin1Char('\n'));
        }
        return false;
    }
    replaceDocument(loaded.group, QFileInfo(path).absoluteFilePath(), false);
    return true;
}

bool DocumentController::save(QString *error)
{
    return saveAs(m_filePath, error);
}

bool DocumentController::saveAs(const QString &path, QString *error)
{
    if (path.isEmpty()) {
        if (error) {
            *error = tr("The document has no file name yet.");
        }
        return false;
    }
    const auto saved = saveLaneGroupFile(m_group, toStdString(path));
    if (!saved) {
        if (error) {
            *error = toQString(saved.error().message);
        }
        return false;
    }
    const QString absolute = QFileInfo(path).absoluteFilePath();
    const bool wasModified = isModified();
    m_recovered = false;
    m_undoStack->setClean();
    if (absolute != m_filePath) {
        m_filePath = absolute;
        Q_EMIT filePathChanged(m_filePath);
    }
    if (wasModified != isModified()) {
        Q_EMIT modifiedChanged(isModified());
    }
    return true;
}

void DocumentController::recover(const LaneGroup &group, const QString &path)
{
    replaceDocument(group, path, true);
}

} // namespace lanedeck::ui
