#pragma once

#include "lanes/lanegroup.h"
#include "ui/clustertarget.h"
#include "ui/diagnosticindex.h"

#include <QAbstractTableModel>

namespace lanedeck::ui {

class DocumentController;

/// Every validation problem of the document, then the findings of the cluster analysis, a row each: the field
/// in the words the designer shows ("Lane canary, Label value", the path "spec.lanes[1].label.value" is the
/// tooltip and FieldPathRole) or what a finding concerns, the message, and where it comes from (the document,
/// the cluster).
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
    QList<ClusterFinding> m_findings;
};

} // namespace lanedeck::ui
