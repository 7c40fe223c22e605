#include "ui/yamltextview.h"

#include "ui/yamlsyntax.h"

#include <QAccessible>
#include <QAccessibleWidget>
#include <QApplication>
#include <QClipboard>
#include <QContextMenuEvent>
#include <QFontDatabase>
#include <QKeyEvent>
#include <QMenu>
#include <QPainter>
#include <QScrollBar>
#include <QTextLayout>
#include <QtMath>

#include <algorithm>
#include <limits>

namespace lanedeck::ui {

namespace {

constexpr int kMargin = 4; ///< between the frame and the text, left and top

const SharedTextLines &emptyText()
{
    static const SharedTextLines empty = std::make_shared<const TextLines>();
    return empty;
}

int toInt(qsizetype value)
{
    return static_cast<int>(std::clamp<qsizetype>(value, 0, std::numeric_limits<int>::max()));
}

bool isWordCharacter(QChar c)
{
    return c.isLetterOrNumber() || c == QLatin1Char('_') || c == QLatin1Char('-') || c == QLatin1Char('.');
}

/// What a screen reader sees of a YamlTextView (see its class comment).
class YamlTextViewAccessible final : public QAccessibleWidget, public QAccessibleTextInterface
{
public:
    explicit YamlTextViewAccessible(YamlTextView *view) : QAccessibleWidget(view, QAccessible::EditableText)
    {}

    void *interface_cast(QAccessible::InterfaceType type) override
    {
        if (type == QAccessible::TextInterface) {
            return static_cast<QAccessibleTextInterface *>(this);
        }
        return QAccessibleWidget::interface_cast(type);
    }
    QAccessible::State state() const override
    {
        QAccessible::State state = QAccessibleWidget::state();
        state.readOnly = true;
        state.multiLine = true;
        state.selectableText = true;
        return state;
    }
    QString text(QAccessible::Text type) const override
    {
        return type == QAccessible::Value ? view()->text() : QAccessibleWidget::text(type);
    }

    void selection(int selectionIndex, int *startOffset, int *endOffset) const override
    {
        const bool has = selectionIndex == 0 && view()->hasSelection();
        *startOffset = has ? toInt(view()->selectionStart()) : 0;
        *endOffset = has ? toInt(view()->selectionEnd()) : 0;
    }
    int selectionCount() const override { return view()->hasSelection() ? 1 : 0; }
    void addSelection(int startOffset, int endOffset) override { setSelection(0, startOffset, endOffset); }
    void removeSelection(int selectionIndex) override
    {
        if (selectionIndex == 0) {
            view()->select(view()->cursorPosition(), view()->cursorPosition());
        }
    }
    void setSelection(int selectionIndex, int startOffset, int endOffset) override
    {
        if (selectionIndex == 0) {
            view()->select(startOffset, endOffset);
        }
    }
    int cursorPosition() const override { return toInt(view()->cursorPosition()); }
    void setCursorPosition(int position) override { view()->select(position, position); }
    QString text(int startOffset, int endOffset) const override
    {
        return view()->text().mid(startOffset, std::max(0, endOffset - startOffset));
    }
    QString textAtOffset(int offset, QAccessible::TextBoundaryType boundaryType, int *startOffset,
                         int *endOffset) const override
    {
        // The default walks the whole text with a QTextBoundaryFinder; lines come from the index.
        if (boundaryType != QAccessible::LineBoundary) {
            return QAccessibleTextInterface::textAtOffset(offset, boundaryType, startOffset, endOffset);
        }
        const TextLines &lines = *view()->lines();
        const qsizetype line = lines.lineOf(std::clamp<qsizetype>(offset, 0, lines.text().size()));
        const qsizetype end = line + 1 < lines.lineCount() ? lines.lineStart(line + 1) : lines.text().size();
        *startOffset = toInt(lines.lineStart(line));
        *endOffset = toInt(end);
        return lines.text().mid(*startOffset, *endOffset - *startOffset);
    }
    int characterCount() const override { return toInt(view()->text().size()); }
    QRect characterRect(int offset) const override
    {
        const QRect rect = view()->characterRect(offset);
        return {view()->viewport()->mapToGlobal(rect.topLeft()), rect.size()};
    }
    int offsetAtPoint(const QPoint &point) const override
    {
        return toInt(view()->positionAt(view()->viewport()->mapFromGlobal(point)));
    }
    void scrollToSubstring(int startIndex, int endIndex) override
    {
        view()->ensureVisible(endIndex);
        view()->ensureVisible(startIndex);
    }
    QString attributes(int offset, int *startOffset, int *endOffset) const override
    {
        *startOffset = offset; // no text attributes are reported (the colours carry no meaning of their own)
        *endOffset = offset;
        return {};
    }

private:
    YamlTextView *view() const { return static_cast<YamlTextView *>(widget()); }
};

QAccessibleInterface *accessibleFactory(const QString &className, QObject *object)
{
    if (object && object->isWidgetType() &&
        className == QLatin1String(YamlTextView::staticMetaObject.className())) {
        return new YamlTextViewAccessible(static_cast<YamlTextView *>(object));
    }
    return nullptr;
}

} // namespace

TextLines::TextLines() : TextLines(QString()) {}

TextLines::TextLines(QString text) : m_text(std::move(text))
{
    m_starts.push_back(0);
    const QStringView view(m_text);
    for (qsizetype newline = view.indexOf(QLatin1Char('\n')); newline >= 0;
         newline = view.indexOf(QLatin1Char('\n'), newline + 1)) {
        m_longest = std::max(m_longest, newline - m_starts.back());
        m_starts.push_back(newline + 1);
    }
    m_longest = std::max(m_longest, m_text.size() - m_starts.back());
}

qsizetype TextLines::lineEnd(qsizetype line) const
{
    qsizetype end = line + 1 < lineCount() ? lineStart(line + 1) - 1 : m_text.size();
    if (end > lineStart(line) && m_text.at(end - 1) == QLatin1Char('\r')) {
        --end;
    }
    return end;
}

QStringView TextLines::line(qsizetype line) const
{
    return QStringView(m_text).mid(lineStart(line), lineEnd(line) - lineStart(line));
}

qsizetype TextLines::lineOf(qsizetype position) const
{
    const auto after = std::upper_bound(m_starts.begin(), m_starts.end(), position);
    return std::max<qsizetype>(0, std::distance(m_starts.begin(), after) - 1);
}

YamlTextView::YamlTextView(QWidget *parent) : QAbstractScrollArea(parent), m_lines(emptyText())
{
    static const bool factoryInstalled = [] {
        QAccessible::installFactory(accessibleFactory);
        return true;
    }();
    Q_UNUSED(factoryInstalled)
    setFocusPolicy(Qt::StrongFocus);
    setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    viewport()->setCursor(Qt::IBeamCursor);
    setDarkPalette(false);
    updateMetrics();
}

void YamlTextView::setText(const QString &text)
{
    setLines(std::make_shared<const TextLines>(text));
}

void YamlTextView::setLines(SharedTextLines lines, bool keepPosition)
{
    if (keepPosition && lines && lines == m_lines) {
        return; // the same text: the selection stays too
    }
    const bool hadSelection = hasSelection();
    const SharedTextLines old = std::exchange(m_lines, lines ? std::move(lines) : emptyText());
    m_anchor = 0;
    m_cursor = 0;
    m_dragging = false;
    updateScrollBars(); // clamps the scroll position to the new text
    if (!keepPosition) {
        verticalScrollBar()->setValue(0);
        horizontalScrollBar()->setValue(0);
    }
    viewport()->update();
    if (QAccessible::isActive()) {
        // A text update carries both texts to the screen reader; for megabytes, say only that it changed.
        constexpr qsizetype kUpdateLimit = 1 << 20;
        if (old->text().size() + m_lines->text().size() <= kUpdateLimit) {
            QAccessibleTextUpdateEvent event(this, 0, old->text(), m_lines->text());
            QAccessible::updateAccessibility(&event);
        } else {
            QAccessibleEvent event(this, QAccessible::VisibleDataChanged);
            QAccessible::updateAccessibility(&event);
        }
    }
    if (hadSelection) {
        Q_EMIT selectionChanged();
    }
}

void YamlTextView::setDarkPalette(bool dark)
{
    m_dark = dark;
    for (std::size_t role = 0; role < m_formats.size(); ++role) {
        m_formats[role] = yamlFormat(static_cast<YamlRole>(role), dark);
    }
    viewport()->update();
}

QString YamlTextView::selectedText() const
{
    return m_lines->text().mid(selectionStart(), selectionEnd() - selectionStart());
}

void YamlTextView::select(qsizetype anchor, qsizetype position)
{
    setSelection(anchor, position);
    ensureVisible(m_cursor);
}

void YamlTextView::selectAll()
{
    setSelection(0, m_lines->text().size());
}

void YamlTextView::copy() const
{
    if (hasSelection()) {
        QApplication::clipboard()->setText(selectedText());
    }
}

void YamlTextView::setSelection(qsizetype anchor, qsizetype cursor)
{
    const qsizetype size = m_lines->text().size();
    anchor = std::clamp<qsizetype>(anchor, 0, size);
    cursor = std::clamp<qsizetype>(cursor, 0, size);
    if (anchor == m_anchor && cursor == m_cursor) {
        return;
    }
    m_anchor = anchor;
    m_cursor = cursor;
    viewport()->update();
    if (QAccessible::isActive()) {
        QAccessibleTextCursorEvent cursorEvent(this, toInt(m_cursor));
        QAccessible::updateAccessibility(&cursorEvent);
        QAccessibleTextSelectionEvent selectionEvent(this, toInt(selectionStart()), toInt(selectionEnd()));
        QAccessible::updateAccessibility(&selectionEvent);
    }
    Q_EMIT selectionChanged();
}

qsizetype YamlTextView::firstVisibleLine() const
{
    return verticalScrollBar()->value();
}

int YamlTextView::visibleLineCount() const
{
    return std::max(1, (viewport()->height() - kMargin) / m_lineHeight);
}

qreal YamlTextView::textLeft() const
{
    return kMargin - horizontalScrollBar()->value();
}

void YamlTextView::layoutLine(QTextLayout &layout, qsizetype line) const
{
    const QStringView text = m_lines->line(line);
    layout.setText(text.toString());
    layout.setFont(font());
    QTextOption option;
    option.setWrapMode(QTextOption::NoWrap);
    layout.setTextOption(option);
    QList<QTextLayout::FormatRange> formats;
    for (const YamlSpan &span : yamlLineSpans(text)) {
        formats.append({span.start, span.length, m_formats[static_cast<std::size_t>(span.role)]});
    }
    layout.setFormats(formats);
    layout.beginLayout();
    QTextLine textLine = layout.createLine();
    if (textLine.isValid()) {
        textLine.setLineWidth(1e7); // never wraps (NoWrap); a width only so that the line is laid out
        textLine.setPosition({0, 0});
    }
    layout.endLayout();
}

qsizetype YamlTextView::positionAt(const QPoint &point) const
{
    const qsizetype row = static_cast<qsizetype>(std::floor(double(point.y() - kMargin) / m_lineHeight));
    const qsizetype line = std::clamp<qsizetype>(firstVisibleLine() + row, 0, m_lines->lineCount() - 1);
    QTextLayout layout;
    layoutLine(layout, line);
    const qsizetype length = m_lines->lineEnd(line) - m_lines->lineStart(line);
    const int column = layout.lineCount() > 0 ? layout.lineAt(0).xToCursor(point.x() - textLeft()) : 0;
    return m_lines->lineStart(line) + std::clamp<qsizetype>(column, 0, length);
}

QRect YamlTextView::characterRect(qsizetype position) const
{
    position = std::clamp<qsizetype>(position, 0, m_lines->text().size());
    const qsizetype line = m_lines->lineOf(position);
    const int column = toInt(position - m_lines->lineStart(line));
    QTextLayout layout;
    layoutLine(layout, line);
    qreal left = 0;
    qreal right = m_charWidth;
    if (layout.lineCount() > 0) {
        left = layout.lineAt(0).cursorToX(column);
        const bool inLine = column < m_lines->lineEnd(line) - m_lines->lineStart(line);
        right = inLine ? layout.lineAt(0).cursorToX(column + 1) : left + m_charWidth;
    }
    const qreal top = kMargin + static_cast<qreal>(line - firstVisibleLine()) * m_lineHeight;
    return QRectF(textLeft() + left, top, std::max<qreal>(1, right - left), m_lineHeight).toAlignedRect();
}

void YamlTextView::ensureVisible(qsizetype position)
{
    position = std::clamp<qsizetype>(position, 0, m_lines->text().size());
    const qsizetype line = m_lines->lineOf(position);
    const qsizetype first = firstVisibleLine();
    if (line < first) {
        verticalScrollBar()->setValue(toInt(line));
    } else if (line >= first + visibleLineCount()) {
        verticalScrollBar()->setValue(toInt(line - visibleLineCount() + 1));
    }
    const QRect rect = characterRect(position);
    QScrollBar *bar = horizontalScrollBar();
    if (rect.left() < kMargin) {
        bar->setValue(bar->value() + rect.left() - kMargin);
    } else if (rect.right() > viewport()->width() - kMargin) {
        bar->setValue(bar->value() + rect.right() - viewport()->width() + kMargin);
    }
}

void YamlTextView::updateMetrics()
{
    const QFontMetricsF metrics(font());
    m_lineHeight = std::max(1, qCeil(metrics.lineSpacing()));
    m_charWidth = std::max<qreal>(1, metrics.horizontalAdvance(QLatin1Char('M')));
    updateScrollBars();
    viewport()->update();
}

void YamlTextView::updateScrollBars()
{
    const int visible = visibleLineCount();
    QScrollBar *vertical = verticalScrollBar();
    vertical->setRange(0, toInt(m_lines->lineCount() - visible));
    vertical->setPageStep(visible);
    vertical->setSingleStep(1);
    // The width is estimated from the longest line in the font's advance: exact for a monospace font and
    // the ASCII the generator writes; a line of wider characters may be cut off at the far right.
    const int width = qCeil(static_cast<qreal>(m_lines->longestLine()) * m_charWidth) + 2 * kMargin;
    QScrollBar *horizontal = horizontalScrollBar();
    horizontal->setRange(0, std::max(0, width - viewport()->width()));
    horizontal->setPageStep(viewport()->width());
    horizontal->setSingleStep(qCeil(m_charWidth));
}

void YamlTextView::paintEvent(QPaintEvent *event)
{
    QPainter painter(viewport());
    painter.fillRect(event->rect(), palette().brush(QPalette::Base));
    painter.setPen(palette().color(QPalette::Text));
    const qsizetype first = firstVisibleLine();
    const qsizetype rows = (viewport()->height() - kMargin) / m_lineHeight + 1; // the last one partly shown
    const qsizetype last = std::min(m_lines->lineCount() - 1, first + rows);
    for (qsizetype line = first; line <= last; ++line) {
        paintLine(painter, line, kMargin + static_cast<qreal>(line - first) * m_lineHeight);
    }
}

void YamlTextView::paintLine(QPainter &painter, qsizetype line, qreal y) const
{
    QTextLayout layout;
    layoutLine(layout, line);
    const qsizetype start = m_lines->lineStart(line);
    const qsizetype end = m_lines->lineEnd(line);
    QList<QTextLayout::FormatRange> selection;
    const bool selected = hasSelection() && selectionStart() <= end && selectionEnd() > start;
    if (selected) {
        QTextLayout::FormatRange range;
        range.start = toInt(std::max(selectionStart(), start) - start);
        range.length = toInt(std::min(selectionEnd(), end) - start) - range.start;
        range.format.setBackground(palette().brush(QPalette::Highlight));
        range.format.setForeground(palette().brush(QPalette::HighlightedText));
        selection.append(range);
    }
    const QPointF origin(textLeft(), y);
    layout.draw(&painter, origin, selection);
    if (selected && selectionEnd() > end && line + 1 < m_lines->lineCount()) {
        // The line break is selected too: a cell's width after the text says so, as editors do.
        const qreal x = origin.x() + (layout.lineCount() > 0 ? layout.lineAt(0).naturalTextWidth() : 0);
        painter.fillRect(QRectF(x, y, m_charWidth, m_lineHeight), palette().brush(QPalette::Highlight));
    }
}

void YamlTextView::resizeEvent(QResizeEvent *event)
{
    QAbstractScrollArea::resizeEvent(event);
    updateScrollBars();
}

void YamlTextView::changeEvent(QEvent *event)
{
    QAbstractScrollArea::changeEvent(event);
    if (event->type() == QEvent::FontChange) {
        updateMetrics();
    } else if (event->type() == QEvent::PaletteChange || event->type() == QEvent::StyleChange) {
        viewport()->update();
    }
}

bool YamlTextView::event(QEvent *event)
{
    // Keys the view acts on are its own, not a window shortcut's (Ctrl+A, Ctrl+C, Home, End...).
    if (event->type() == QEvent::ShortcutOverride) {
        auto *key = static_cast<QKeyEvent *>(event);
        const bool navigation = key->modifiers() == Qt::NoModifier || key->modifiers() == Qt::ControlModifier;
        if (key->matches(QKeySequence::Copy) || key->matches(QKeySequence::SelectAll) ||
            (navigation && (key->key() == Qt::Key_Home || key->key() == Qt::Key_End))) {
            event->accept();
            return true;
        }
    }
    return QAbstractScrollArea::event(event);
}

bool YamlTextView::scrollByKey(const QKeyEvent *event)
{
    QScrollBar *vertical = verticalScrollBar();
    QScrollBar *horizontal = horizontalScrollBar();
    const bool shift = event->modifiers() & Qt::ShiftModifier;
    switch (event->key()) {
    case Qt::Key_Up:
        vertical->triggerAction(QAbstractSlider::SliderSingleStepSub);
        return true;
    case Qt::Key_Down:
        vertical->triggerAction(QAbstractSlider::SliderSingleStepAdd);
        return true;
    case Qt::Key_PageUp:
        vertical->triggerAction(QAbstractSlider::SliderPageStepSub);
        return true;
    case Qt::Key_PageDown:
        vertical->triggerAction(QAbstractSlider::SliderPageStepAdd);
        return true;
    case Qt::Key_Space: // as in a read-only QPlainTextEdit and a browser
        vertical->triggerAction(shift ? QAbstractSlider::SliderPageStepSub
                                      : QAbstractSlider::SliderPageStepAdd);
        return true;
    case Qt::Key_Left:
        horizontal->triggerAction(QAbstractSlider::SliderSingleStepSub);
        return true;
    case Qt::Key_Right:
        horizontal->triggerAction(QAbstractSlider::SliderSingleStepAdd);
        return true;
    case Qt::Key_Home:
        vertical->triggerAction(QAbstractSlider::SliderToMinimum);
        horizontal->triggerAction(QAbstractSlider::SliderToMinimum);
        return true;
    case Qt::Key_End:
        vertical->triggerAction(QAbstractSlider::SliderToMaximum);
        return true;
    default:
        return false;
    }
}

void YamlTextView::keyPressEvent(QKeyEvent *event)
{
    if (event->matches(QKeySequence::Copy)) {
        copy();
    } else if (event->matches(QKeySequence::SelectAll)) {
        selectAll();
    } else if (!scrollByKey(event)) {
        QAbstractScrollArea::keyPressEvent(event);
        return;
    }
    event->accept();
}

void YamlTextView::mousePressEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton) {
        QAbstractScrollArea::mousePressEvent(event);
        return;
    }
    const qsizetype position = positionAt(event->position().toPoint());
    setSelection(event->modifiers() & Qt::ShiftModifier ? m_anchor : position, position);
    m_dragging = true;
    event->accept();
}

void YamlTextView::mouseMoveEvent(QMouseEvent *event)
{
    if (!m_dragging || !(event->buttons() & Qt::LeftButton)) {
        QAbstractScrollArea::mouseMoveEvent(event);
        return;
    }
    // Dragging past the top or bottom edge scrolls, a line per move.
    const QPoint point = event->position().toPoint();
    if (point.y() < 0) {
        verticalScrollBar()->triggerAction(QAbstractSlider::SliderSingleStepSub);
    } else if (point.y() > viewport()->height()) {
        verticalScrollBar()->triggerAction(QAbstractSlider::SliderSingleStepAdd);
    }
    setSelection(m_anchor, positionAt(point));
    event->accept();
}

void YamlTextView::mouseReleaseEvent(QMouseEvent *event)
{
    if (!m_dragging || event->button() != Qt::LeftButton) {
        QAbstractScrollArea::mouseReleaseEvent(event);
        return;
    }
    m_dragging = false;
    QClipboard *clipboard = QApplication::clipboard();
    if (hasSelection() && clipboard->supportsSelection()) {
        clipboard->setText(selectedText(), QClipboard::Selection); // X11's middle-click paste
    }
    event->accept();
}

void YamlTextView::mouseDoubleClickEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton) {
        QAbstractScrollArea::mouseDoubleClickEvent(event);
        return;
    }
    const QString &text = m_lines->text();
    const qsizetype position = positionAt(event->position().toPoint());
    qsizetype start = position;
    qsizetype end = position;
    while (start > 0 && isWordCharacter(text.at(start - 1))) {
        --start;
    }
    while (end < text.size() && isWordCharacter(text.at(end))) {
        ++end;
    }
    setSelection(start, end);
    event->accept();
}

void YamlTextView::contextMenuEvent(QContextMenuEvent *event)
{
    QMenu menu(this);
    QAction *copyAction = menu.addAction(tr("&Copy"), this, &YamlTextView::copy);
    copyAction->setShortcut(QKeySequence::Copy);
    copyAction->setEnabled(hasSelection());
    menu.addAction(tr("Select &All"), this, &YamlTextView::selectAll)->setShortcut(QKeySequence::SelectAll);
    menu.exec(event->globalPos());
}

void YamlTextView::scrollContentsBy(int, int)
{
    viewport()->update();
}

} // namespace lanedeck::ui
