#pragma once

#include <QHash>
#include <QStyledItemDelegate>

namespace lanedeck::ui {

/// One item delegate for a whole view that hands each column to a delegate of its own, instead of
/// QAbstractItemView::setItemDelegateForColumn. With per-column delegates, a model reset while a cell is
/// being edited (a lane added or undone) makes the view release the editor through the delegate of an index
/// that no longer exists, its default one; the column delegate's event filter stays on the editor, and the
/// editor's focus-out then commits to a view that has forgotten it ("commitData called with an editor that
/// does not belong to this view"). With one delegate for the view, the filter the view installs is the one
/// it removes.
class ColumnDelegate final : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    /// `delegate` edits and paints `column`; this object takes ownership.
    void setColumnDelegate(int column, QAbstractItemDelegate *delegate)
    {
        delegate->setParent(this);
        m_columns.insert(column, delegate);
    }

    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override
    {
        if (QAbstractItemDelegate *d = forColumn(index)) {
            d->paint(painter, option, index);
        } else {
            QStyledItemDelegate::paint(painter, option, index);
        }
    }
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override
    {
        QAbstractItemDelegate *d = forColumn(index);
        return d ? d->sizeHint(option, index) : QStyledItemDelegate::sizeHint(option, index);
    }
    QWidget *createEditor(QWidget *parent, const QStyleOptionViewItem &option,
                          const QModelIndex &index) const override
    {
        QAbstractItemDelegate *d = forColumn(index);
        return d ? d->createEditor(parent, option, index)
                 : QStyledItemDelegate::createEditor(parent, option, index);
    }
    void setEditorData(QWidget *editor, const QModelIndex &index) const override
    {
        if (QAbstractItemDelegate *d = forColumn(index)) {
            d->setEditorData(editor, index);
        } else {
            QStyledItemDelegate::setEditorData(editor, index);
        }
    }
    void setModelData(QWidget *editor, QAbstractItemModel *model, const QModelIndex &index) const override
    {
        if (QAbstractItemDelegate *d = forColumn(index)) {
            d->setModelData(editor, model, index);
        } else {
            QStyledItemDelegate::setModelData(editor, model, index);
        }
    }
    void updateEditorGeometry(QWidget *editor, const QStyleOptionViewItem &option,
                              const QModelIndex &index) const override
    {
        if (QAbstractItemDelegate *d = forColumn(index)) {
            d->updateEditorGeometry(editor, option, index);
        } else {
            QStyledItemDelegate::updateEditorGeometry(editor, option, index);
        }
    }
    void destroyEditor(QWidget *editor, const QModelIndex &index) const override
    {
        if (QAbstractItemDelegate *d = forColumn(index)) {
            d->destroyEditor(editor, index);
        } else {
            QStyledItemDelegate::destroyEditor(editor, index);
        }
    }

protected:
    bool editorEvent(QEvent *event, QAbstractItemModel *model, const QStyleOptionViewItem &option,
                     const QModelIndex &index) override
    {
        QAbstractItemDelegate *d = forColumn(index);
        return d ? d->editorEvent(event, model, option, index)
                 : QStyledItemDelegate::editorEvent(event, model, option, index);
    }

private:
    QAbstractItemDelegate *forColumn(const QModelIndex &index) const
    {
        return index.isValid() ? m_columns.value(index.column(), nullptr) : nullptr;
    }

    QHash<int, QAbstractItemDelegate *> m_columns;
};

} // namespace lanedeck::ui
