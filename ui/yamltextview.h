#pragma once

#include <QAbstractScrollArea>
#include <QString>
#include <QStringView>

#include <QTextCharFormat>

#include <array>
#include <memory>
#include <vector>

class QTextLayout;

namespace lanedeck::ui {

/// A text and the offsets of its lines, immutable once built. Building it walks the text once, so it is
/// built where the text is made (a worker) and handed to the GUI thread by pointer. Any thread.
class TextLines final
{
public:
    /// An empty text: one empty line.
    TextLines();
    explicit TextLines(QString text);

    const QString &text() const { return m_text; }
    /// Lines are split at '\n'; a text ending in '\n' has an empty last line, as in a text editor.
    qsizetype lineCount() const { return static_cast<qsizetype>(m_starts.size()); }
    qsizetype lineStart(qsizetype line) const { return m_starts[static_cast<std::size_t>(line)]; }
    /// Where the line's text ends (before its '\n', and a '\r' before that).
    qsizetype lineEnd(qsizetype line) const;
    QStringView line(qsizetype line) const;
    /// The line holding text offset `position` (0..text().size()).
    qsizetype lineOf(qsizetype position) const;
    /// The length of the longest line, in UTF-16 code units.
    qsizetype longestLine() const { return m_longest; }

private:
    QString m_text;
    std::vector<qsizetype> m_starts;
    qsizetype m_longest = 0;
};

using SharedTextLines = std::shared_ptr<const TextLines>;

/// A read-only, highlighted view of a big YAML text (the Resources preview: 7 MiB for 1,000 services x 20
/// lanes). It holds the text once (a shared TextLines), lays out and highlights only the lines it paints,
/// with yamlLineSpans' rules, so replacing the text costs a pointer swap and the view's memory does not grow
/// with the text. Monospace, no wrap; scroll bars, wheel and keys (arrows, Page Up/Down, Home/End, with or
/// without Ctrl) scroll; the mouse selects (drag, Shift+click, double-click for a word); Ctrl+A selects
/// all; Ctrl+C and the context menu copy the selection. Tab moves the focus on. GUI thread only.
///
/// Accessibility: role EditableText with the ReadOnly and MultiLine states (what a read-only QPlainTextEdit
/// reports, so screen readers treat it as a text to read, not a label) and a QAccessibleTextInterface over
/// the whole text (offsets map straight into the shared text, so nothing is copied until asked for).
class YamlTextView final : public QAbstractScrollArea
{
    Q_OBJECT
public:
    explicit YamlTextView(QWidget *parent = nullptr);

    /// Shows `text`, indexing it here (on the calling thread); prefer setLines with an index built elsewhere.
    void setText(const QString &text);
    /// Shows `lines` (null shows nothing). The selection is cleared; with `keepPosition` the scroll
    /// position stays where it was (clamped), as for a new rendering of the same node; else the top left.
    /// The same `lines` again with `keepPosition` changes nothing.
    void setLines(SharedTextLines lines, bool keepPosition = false);
    const QString &text() const { return m_lines->text(); }
    const SharedTextLines &lines() const { return m_lines; }
    void clear() { setLines(nullptr); }

    /// Colours for a light or dark background (the text and base colours come from the palette).
    void setDarkPalette(bool dark);
    bool darkPalette() const { return m_dark; }

    /// The selection as text offsets: [selectionStart, selectionEnd); empty when they are equal.
    qsizetype selectionStart() const { return std::min(m_anchor, m_cursor); }
    qsizetype selectionEnd() const { return std::max(m_anchor, m_cursor); }
    bool hasSelection() const { return m_anchor != m_cursor; }
    QString selectedText() const;
    /// Selects from `anchor` to `position` (clamped to the text) and scrolls `position` into view.
    void select(qsizetype anchor, qsizetype position);
    /// The cursor: where the selection ends (the last click or drag position).
    qsizetype cursorPosition() const { return m_cursor; }

    /// The first line shown at the top of the viewport, and how many lines fit in it.
    qsizetype firstVisibleLine() const;
    int visibleLineCount() const;
    /// The text offset nearest to `point` in viewport coordinates.
    qsizetype positionAt(const QPoint &point) const;
    /// The rectangle of the character at `position`, in viewport coordinates.
    QRect characterRect(qsizetype position) const;
    /// Scrolls so that `position` is visible (no scroll if it is).
    void ensureVisible(qsizetype position);

public Q_SLOTS:
    void copy() const;
    void selectAll();

Q_SIGNALS:
    void selectionChanged();

protected:
    bool event(QEvent *event) override;
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void changeEvent(QEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;
    void contextMenuEvent(QContextMenuEvent *event) override;
    void scrollContentsBy(int dx, int dy) override;

private:
    void updateMetrics();
    void updateScrollBars();
    /// Lays out one line with its highlighting, at (0, 0).
    void layoutLine(QTextLayout &layout, qsizetype line) const;
    void paintLine(QPainter &painter, qsizetype line, qreal y) const;
    /// The x of the line's text start in viewport coordinates.
    qreal textLeft() const;
    void setSelection(qsizetype anchor, qsizetype cursor);
    bool scrollByKey(const QKeyEvent *event);

    SharedTextLines m_lines;
    bool m_dark = false;
    std::array<QTextCharFormat, 6> m_formats; ///< by YamlRole
    qsizetype m_anchor = 0;
    qsizetype m_cursor = 0;
    bool m_dragging = false;
    int m_lineHeight = 1;
    qreal m_charWidth = 1;
};

} // namespace lanedeck::ui
