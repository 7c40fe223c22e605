#pragma once

#include "ui/grouptablemodel.h"

namespace lanedeck::ui {

/// The services of the document as an editable table: name, namespace, port, and the services each one calls
/// (the call graph, comma-separated in call order). Invalid cells carry their validation message.
class ServiceTableModel final : public GroupTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        Name,
        Namespace,
        Port,
        Calls,
        ColumnCount
    };
    enum Role
    {
        ProblemsRole = Qt::UserRole + 1
    };

    explicit ServiceTableModel(DocumentController *controller, QObject *parent = nullptr);

    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role = Qt::EditRole) override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    int rowsOf(const LaneGroup &group) const override;
    int columnsOf(const LaneGroup &group) const override;
    void announceChanges(const LaneGroup &before, bool diagnosticsChanged) override;
    QStringList problems(int row, int column) const;
};

} // namespace lanedeck::ui
