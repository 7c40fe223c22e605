#pragma once

#include "lanes/lanegroup.h"
#include "ui/diagnosticindex.h"

#include <QAbstractTableModel>

namespace lanedeck::ui {

class DocumentController;

/// Every validation problem of the document, a row each: the field in the words the designer shows ("Lane
/// canary, Label value") and the message; the field path ("spec.lanes[1].label.value") is the tooltip and
/// FieldPathRole.
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

    /// `fieldPath` in the designer's words, with the names of the lanes and services it points into; the path
    /// itself when it names nothing the designer shows.
    static QString fieldInWords(const QString &fieldPath, const LaneGroup &group);

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
