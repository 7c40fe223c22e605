#pragma once

#include "lanes/lanegroup.h"
#include "ui/diagnosticindex.h"

#include <QAbstractTableModel>

namespace lanedeck::ui {

class DocumentController;

/// The services of the document as an editable table: name, namespace, port, and the services each one calls
/// (the call graph, comma-separated in call order). Invalid cells carry their validation message.
class ServiceTableModel final : public QAbstractTableModel
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

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role = Qt::EditRole) override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    void refresh();
    QStringList problems(int row, int column) const;

    DocumentController *m_controller;
    LaneGroup m_group;
    DiagnosticIndex m_diagnostics;
};

} // namespace lanedeck::ui
