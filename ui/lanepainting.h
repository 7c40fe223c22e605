#pragma once

#include <QHash>
#include <QPair>
#include <QStyledItemDelegate>

namespace lanedeck::ui {

/// Paints a grid cell of LaneGridModel: a check box, then the label value on a chip in the lane's colour, or
/// the fallback target dashed and muted; a cell with a validation problem gets a red frame. A click anywhere
/// in the cell, or Space, toggles it, so the whole cell is the target.
class LaneCellDelegate final : public QStyledItemDelegate
{
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    bool editorEvent(QEvent *event, QAbstractItemModel *model, const QStyleOptionViewItem &option,
                     const QModelIndex &index) override;
};

/// The standard item painting plus a faint text-coloured frame around a check box, which some styles
/// (Fusion on a dark palette) draw almost invisibly.
class FramedCheckDelegate final : public QStyledItemDelegate
{
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
};

/// Paints LanePathsModel's path column as a tree of chips, one row per hop, each callee indented under its
/// caller with a connector, in the colour of the lane that serves it; fallback hops are dashed and say where
/// they went. The size of a path is measured once per revision of its row (LanePathsModel::RevisionRole) and
/// font: views ask for every row's size on each change, and a big group's path is a thousand hops.
class LanePathDelegate final : public QStyledItemDelegate
{
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

private:
    QSize measurePath(const QStyleOptionViewItem &option, const QModelIndex &index) const;

    mutable QHash<QPair<qulonglong, QString>, QSize> m_sizes;
};

} // namespace lanedeck::ui
