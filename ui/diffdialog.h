#pragma once

#include "ui/clustertarget.h"

#include <QDialog>
#include <QPointer>
#include <QSyntaxHighlighter>

#include <vector>

class QComboBox;
class QLabel;
class QListWidget;
class QPlainTextEdit;
class QPushButton;
class QStackedWidget;
class QTableWidget;

namespace lanedeck::ui {

/// One row of a side-by-side diff: the live line on the left, the generated one on the right.
struct SideBySideRow
{
    enum class Kind
    {
        Context,
        Removed,
        Added,
        Changed,
        Hunk
    };
    Kind kind = Kind::Context;
    QString left;
    QString right;
    int leftLine = 0; ///< 1-based; 0 where the side has no line
    int rightLine = 0;

    friend bool operator==(const SideBySideRow &, const SideBySideRow &) = default;
};

/// Lays a unified diff out side by side: context on both sides, a run of removals next to the additions that
/// follow it (Changed), the surplus of either as Removed or Added, and a Hunk row per "@@" header.
std::vector<SideBySideRow> sideBySide(const QString &unifiedDiff);

/// Colours a unified diff: additions, removals, hunk headers and file headers.
class DiffHighlighter final : public QSyntaxHighlighter
{
    Q_OBJECT
public:
    DiffHighlighter(QTextDocument *document, bool darkPalette);

protected:
    void highlightBlock(const QString &text) override;

private:
    bool m_dark;
};

/// The generated resources against the live cluster, per resource, as a unified or a side-by-side diff.
class DiffDialog final : public QDialog
{
    Q_OBJECT
public:
    DiffDialog(ClusterTargetSource *source, const LaneGroup &group, const mesh::RenderOptions &render,
               const QString &targetName, bool darkPalette, QWidget *parent = nullptr);
    ~DiffDialog() override;

    bool isRunning() const { return m_job != nullptr; }
    /// Diffs again rendered with `render` (the operator took the flavor switch).
    void setRender(const mesh::RenderOptions &render);
    const QList<ResourceDiff> &diffs() const { return m_diffs; }
    /// Shows the diff of the resource in row `row` of the list.
    void showResource(int row);
    void setSideBySide(bool sideBySide);

Q_SIGNALS:
    /// The operator took the offered flavor switch; the window changes the flavor and calls setRender().
    void flavorSwitchRequested(const lanedeck::ui::FlavorAdvice &advice);

private:
    void start();
    void finished(const QList<ResourceDiff> &diffs, bool cancelled, const QString &error);

    QPointer<ClusterTargetSource> m_source;
    LaneGroup m_group;
    mesh::RenderOptions m_render;
    FlavorAdvice m_advice;
    QPushButton *m_switchFlavor;
    QPointer<DiffJob> m_job;
    QList<ResourceDiff> m_diffs;
    QLabel *m_summary;
    QComboBox *m_mode;
    QListWidget *m_list;
    QStackedWidget *m_stack;
    QPlainTextEdit *m_unified;
    QTableWidget *m_table;
    bool m_dark;
};

} // namespace lanedeck::ui
