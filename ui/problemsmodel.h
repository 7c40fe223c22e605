#pragma once

#include "ui/clustertarget.h"
#include "ui/diagnosticindex.h"

#include <QAbstractTableModel>

namespace lanedeck::ui {

class DocumentController;

/// Every validation problem of the document, then the findings of the cluster analysis, a row each: where it
/// comes from (the document, the cluster), the field path or what it concerns, and the message.
class ProblemsModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        Field,
        Message,
        Source,
        ColumnCount
    };
    enum Role
    {
        FieldPathRole = Qt::UserRole + 1,
        LaneRole,    ///< a cluster finding's lane, or empty
        ServiceRole, ///< a cluster finding's service, or empty
        CodeRole     ///< a cluster finding's code, or empty for the document's problems
    };

    explicit ProblemsModel(DocumentController *controller, QObject *parent = nullptr);

    /// Replaces the cluster analysis's findings (empty: none, or not connected).
    void setClusterFindings(const QList<ClusterFinding> &findings);
    const QList<ClusterFinding> &clusterFindings() const { return m_findings; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    void refresh();

    DocumentController *m_controller;
    DiagnosticIndex m_diagnostics;
    QList<ClusterFinding> m_findings;
};

} // namespace lanedeck::ui
