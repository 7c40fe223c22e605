#pragma once

#include "lanes/lanegroup.h"
#include "ui/diagnosticindex.h"

#include <QAbstractTableModel>

namespace lanedeck::ui {

class DocumentController;

/// The lanes of the document as an editable table: name, label key, label value, and which lane is the
/// baseline. Invalid cells carry their validation message (ProblemsRole, tooltip, red text).
class LaneTableModel final : public QAbstractTableModel
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
