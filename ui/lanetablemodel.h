#pragma once

#include "ui/grouptablemodel.h"

namespace lanedeck::ui {

/// The lanes of the document as an editable table: name, label key, label value, and which lane is the
/// baseline. Invalid cells carry their validation message (ProblemsRole, tooltip, red text).
class LaneTableModel final : public GroupTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        Name,
        LabelKey,
        LabelValue,
        Baseline,
        ColumnCount
    };
    enum Role
    {
        ProblemsRole = Qt::UserRole + 1
    };

    explicit LaneTableModel(DocumentController *controller, QObject *parent = nullptr);

    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role = Qt::EditRole) override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    int rowsOf(const LaneGroup &group) const override;
    int columnsOf(const LaneGroup &group) const override;
    QStringList problems(int row, int column) const;
};

} // namespace lanedeck::ui
