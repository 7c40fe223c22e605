#pragma once

#include "ui/grouptablemodel.h"

#include <QStyledItemDelegate>

namespace lanedeck::ui {

/// The request header conditions of the ingress match (spec.ingress.match.headers) as an editable table:
/// header name, match kind (exact, prefix, regex) and value.
class HeaderMatchModel final : public GroupTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        Name,
        Kind,
        Value,
        ColumnCount
    };
    enum Role
    {
        ProblemsRole = Qt::UserRole + 1
    };

    explicit HeaderMatchModel(DocumentController *controller, QObject *parent = nullptr);

    /// Adds a condition (an undoable edit) and returns its row.
    int addHeader();
    void removeHeader(int row);

    static QString kindText(StringMatch::Kind kind);

    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role = Qt::EditRole) override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    int rowsOf(const LaneGroup &group) const override;
    int columnsOf(const LaneGroup &group) const override;
    QStringList problems(int row, int column) const;
};

/// Edits HeaderMatchModel's kind column with a combo box.
class MatchKindDelegate final : public QStyledItemDelegate
{
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    QWidget *createEditor(QWidget *parent, const QStyleOptionViewItem &option,
                          const QModelIndex &index) const override;
    void setEditorData(QWidget *editor, const QModelIndex &index) const override;
    void setModelData(QWidget *editor, QAbstractItemModel *model, const QModelIndex &index) const override;
};

} // namespace lanedeck::ui
