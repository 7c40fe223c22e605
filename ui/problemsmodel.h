#pragma once

#include "ui/diagnosticindex.h"

#include <QAbstractTableModel>

namespace lanedeck::ui {

class DocumentController;

/// Every validation problem of the document, a row each: the field path and the message.
class ProblemsModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        Field,
        Message,
        ColumnCount
    };
    enum Role
    {
        FieldPathRole = Qt::UserRole + 1
    };

    explicit ProblemsModel(DocumentController *controller, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    void refresh();

    DocumentController *m_controller;
    DiagnosticIndex m_diagnostics;
};

} // namespace lanedeck::ui
