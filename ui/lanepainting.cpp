#include "ui/lanepainting.h"

#include "ui/lanecolors.h"
#include "ui/lanegridmodel.h"
#include "ui/lanepathsmodel.h"

#include <QApplication>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QPen>

#include <algorithm>

namespace lanedeck::ui {
namespace {

/// A rounded chip: filled in `color` when solid, else a dashed outline on the view's background.
void paintChip(QPainter *painter, const QRectF &rect, const QColor &color, bool solid, const QString &text,
               const QPalette &palette, const QFont &font)
{
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    const qreal radius = rect.height() / 4.0;
    if (solid) {
        painter->setPen(Qt::NoPen);
        painter->setBrush(color);
        painter->drawRoundedRect(rect, radius, radius);
        painter->setPen(textColorOn(color));
    } else {
        QPen pen(color, 1.5, Qt::DashLine);
        painter->setPen(pen);
        painter->setBrush(Qt::NoBrush);
        painter->drawRoundedRect(rect.adjusted(0.75, 0.75, -0.75, -0.75), radius, radius);
        painter->setPen(palette.color(QPalette::Text));
    }
    painter->setFont(font);
    painter->drawText(
        rect, Qt::AlignCenter,
        QFontMetrics(font).elidedText(text, Qt::ElideRight, static_cast<int>(rect.width()) - 6));
    painter->restore();
}

QRect checkRect(const QStyleOptionViewItem &option)
{
    const QWidget *widget = option.widget;
    QStyle *style = widget ? widget->style() : QApplication::style();
    QStyleOptionButton button;
    button.rect = option.rect;
    const QRect indicator = style->subElementRect(QStyle::SE_CheckBoxIndicator, &button, widget);
    const int margin = style->pixelMetric(QStyle::PM_FocusFrameHMargin, nullptr, widget) + 4;
    return QRect(option.rect.left() + margin, option.rect.center().y() - indicator.height() / 2,
                 indicator.width(), indicator.height());
}

} // namespace

void LaneCellDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                             const QModelIndex &index) const
{
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    const QWidget *widget = option.widget;
    QStyle *style = widget ? widget->style() : QApplication::style();
    // Background and selection as the style draws them, without text or check.
    opt.text.clear();
    opt.features &= ~QStyleOptionViewItem::HasCheckIndicator;
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, widget);

    const bool included = index.data(LaneGridModel::IncludedRole).toBool();
    const QColor color = index.data(LaneGridModel::LaneColorRole).value<QColor>();
    const QStringList problems = index.data(LaneGridModel::ProblemsRole).toStringList();

    QStyleOptionViewItem check = option;
    check.rect = checkRect(option);
    check.state = (option.state & QStyle::State_Enabled) | (included ? QStyle::State_On : QStyle::State_Off);
    style->drawPrimitive(QStyle::PE_IndicatorItemViewItemCheck, &check, painter, widget);
    // Some styles outline the box with a shade of the window colour that vanishes on dark bases; a faint
    // text-coloured frame keeps the target visible in every palette.
    painter->save();
    QColor frame = option.palette.color(QPalette::Text);
    frame.setAlphaF(0.45f);
    painter->setPen(QPen(frame, 1));
    painter->setBrush(Qt::NoBrush);
    painter->drawRect(QRectF(check.rect).adjusted(0.5, 0.5, -0.5, -0.5));
    painter->restore();

    const int gap = check.rect.width() / 2 + 2;
    const QRect chipArea = option.rect.adjusted(check.rect.right() - option.rect.left() + gap, 4, -6, -4);
    if (included) {
        paintChip(painter, chipArea, color, true, index.data(Qt::DisplayRole).toString(), option.palette,
                  option.font);
    } else {
        painter->save();
        QFont italic = option.font;
        italic.setItalic(true);
        painter->setFont(italic);
        QColor muted = option.palette.color(QPalette::Text);
        muted.setAlphaF(0.6f);
        painter->setPen(muted);
        painter->drawText(chipArea.adjusted(4, 0, 0, 0), Qt::AlignVCenter | Qt::AlignLeft,
                          QFontMetrics(italic).elidedText(index.data(Qt::DisplayRole).toString(),
                                                          Qt::ElideRight, chipArea.width() - 4));
        painter->restore();
    }
    if (!problems.isEmpty()) {
        painter->save();
        painter->setRenderHint(QPainter::Antialiasing);
        painter->setPen(QPen(problemColor(), 2));
        painter->setBrush(Qt::NoBrush);
        painter->drawRect(QRectF(option.rect).adjusted(1, 1, -1, -1));
        painter->restore();
    }
    // The chip covers the style's focus rectangle, so the current cell of a focused grid gets its own frame.
    if (option.state & QStyle::State_HasFocus) {
        painter->save();
        painter->setPen(QPen(option.palette.color(QPalette::Highlight), 2, Qt::DashLine));
        painter->setBrush(Qt::NoBrush);
        painter->drawRect(QRectF(option.rect).adjusted(3, 3, -3, -3));
        painter->restore();
    }
}

QSize LaneCellDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    const QFontMetrics fm(option.font);
    const int text = fm.horizontalAdvance(index.data(Qt::DisplayRole).toString());
    return QSize(text + fm.height() * 3, fm.height() * 2);
}

bool LaneCellDelegate::editorEvent(QEvent *event, QAbstractItemModel *model,
                                   const QStyleOptionViewItem &option, const QModelIndex &index)
{
    if (!(index.flags() & Qt::ItemIsUserCheckable) || !(index.flags() & Qt::ItemIsEnabled)) {
        return false;
    }
    bool toggle = false;
    if (event->type() == QEvent::MouseButtonRelease) {
        const auto *mouse = static_cast<QMouseEvent *>(event);
        toggle = mouse->button() == Qt::LeftButton && option.rect.contains(mouse->position().toPoint());
    } else if (event->type() == QEvent::MouseButtonDblClick) {
        return true; // the release before it already toggled; a double click must not toggle twice
    } else if (event->type() == QEvent::KeyPress) {
        const int key = static_cast<QKeyEvent *>(event)->key();
        toggle = key == Qt::Key_Space || key == Qt::Key_Select;
    }
    if (!toggle) {
        return false;
    }
    const bool included = index.data(Qt::CheckStateRole).value<Qt::CheckState>() == Qt::Checked;
    return model->setData(index, included ? Qt::Unchecked : Qt::Checked, Qt::CheckStateRole);
}

void FramedCheckDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                                const QModelIndex &index) const
{
    QStyledItemDelegate::paint(painter, option, index);
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    if (!(opt.features & QStyleOptionViewItem::HasCheckIndicator)) {
        return;
    }
    const QWidget *widget = option.widget;
    QStyle *style = widget ? widget->style() : QApplication::style();
    const QRect check = style->subElementRect(QStyle::SE_ItemViewItemCheckIndicator, &opt, widget);
    painter->save();
    QColor frame = option.palette.color(QPalette::Text);
    frame.setAlphaF(0.45f);
    painter->setPen(QPen(frame, 1));
    painter->setBrush(Qt::NoBrush);
    painter->drawRect(QRectF(check).adjusted(0.5, 0.5, -0.5, -0.5));
    painter->restore();
}

void LanePathDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                             const QModelIndex &index) const
{
    if (index.column() != LanePathsModel::Path) {
        QStyledItemDelegate::paint(painter, option, index);
        return;
    }
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    opt.text.clear();
    const QWidget *widget = option.widget;
    QStyle *style = widget ? widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, widget);

    const QVariantList hops = index.data(LanePathsModel::HopsRole).toList();
    const QFontMetrics fm(option.font);
    const int chipHeight = fm.height() + fm.height() / 2;
    const int rowHeight = chipHeight + 4;
    const int indent = fm.height() * 3 / 2;
    const int left = option.rect.left() + 6;
    const int top = option.rect.top() + 2;
    QColor rail = option.palette.color(QPalette::Text);
    rail.setAlphaF(0.5f);
    for (int i = 0; i < hops.size(); ++i) {
        const QVariantMap hop = hops[i].toMap();
        const bool fallback = hop.value(QStringLiteral("fallback")).toBool();
        const int depth = hop.value(QStringLiteral("depth")).toInt();
        const int caller = hop.value(QStringLiteral("caller")).toInt();
        const QString text = fallback ? tr("%1 %2 ↪ %3")
                                            .arg(hop.value(QStringLiteral("service")).toString(),
                                                 hop.value(QStringLiteral("version")).toString(),
                                                 hop.value(QStringLiteral("servedBy")).toString())
                                      : tr("%1 %2").arg(hop.value(QStringLiteral("service")).toString(),
                                                        hop.value(QStringLiteral("version")).toString());
        const int width = fm.horizontalAdvance(text) + fm.height() * 2 / 3;
        const int x = left + depth * indent;
        const int y = top + i * rowHeight;
        if (caller >= 0 && caller < i) {
            // The connector: down from under the caller's chip, then across to this one.
            const int railX = left + (depth - 1) * indent + indent / 2;
            const int fromY = top + caller * rowHeight + chipHeight;
            const int toY = y + chipHeight / 2;
            painter->save();
            painter->setPen(QPen(rail, 1));
            painter->drawLine(railX, fromY, railX, toY);
            painter->drawLine(railX, toY, x - 2, toY);
            painter->restore();
        }
        paintChip(painter, QRectF(x, y, width, chipHeight),
                  laneColor(hop.value(QStringLiteral("servedByIndex")).toInt()), !fallback, text,
                  option.palette, option.font);
    }
}

QSize LanePathDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    if (index.column() != LanePathsModel::Path) {
        QSize size = QStyledItemDelegate::sizeHint(option, index);
        size.setHeight(QFontMetrics(option.font).height() * 2 + 4);
        return size;
    }
    const QVariant revision = index.data(LanePathsModel::RevisionRole);
    if (!revision.isValid()) {
        return measurePath(option, index);
    }
    const QPair<qulonglong, QString> key(revision.toULongLong(), option.font.key());
    if (const auto found = m_sizes.constFind(key); found != m_sizes.constEnd()) {
        return *found;
    }
    // Revisions only grow: entries of rows changed since are dropped now and then.
    if (m_sizes.size() > 4 * std::max(1, index.model()->rowCount()) + 16) {
        m_sizes.clear();
    }
    const QSize size = measurePath(option, index);
    m_sizes.insert(key, size);
    return size;
}

QSize LanePathDelegate::measurePath(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    const QFontMetrics fm(option.font);
    const int chipHeight = fm.height() + fm.height() / 2;
    const int indent = fm.height() * 3 / 2;
    int width = 12;
    const QVariantList hops = index.data(LanePathsModel::HopsRole).toList();
    for (const auto &h : hops) {
        const QVariantMap hop = h.toMap();
        width = std::max(
            width,
            12 + hop.value(QStringLiteral("depth")).toInt() * indent +
                fm.horizontalAdvance(hop.value(QStringLiteral("service")).toString() + QStringLiteral(" ") +
                                     hop.value(QStringLiteral("version")).toString() + QStringLiteral(" ↪ ") +
                                     hop.value(QStringLiteral("servedBy")).toString()) +
                fm.height());
    }
    const int rows = std::max(1, static_cast<int>(hops.size()));
    return QSize(width, rows * (chipHeight + 4) + 4);
}

} // namespace lanedeck::ui
