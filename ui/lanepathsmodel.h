#pragma once

#include "lanes/lanepaths.h"

#include <QAbstractTableModel>

namespace lanedeck::ui {

class DocumentController;

/// The versions a request of each lane reaches (lanedeck::lanePaths), a row per lane; the path's text is the
/// tree lanectl paths prints. The hops are available as HopsRole for the delegate that draws them as a tree,
/// fallback hops marked.
class LanePathsModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        Lane,
        Weight,
        Path,
        ColumnCount
    };
    enum Role
    {
        HopsRole = Qt::UserRole + 1, ///< QVariantList of QVariantMap{service, version, servedBy,
                                     ///< servedByIndex, fallback, depth, caller (hop index, -1)}
        LaneIndexRole,               ///< int: the lane's index in the group, for its colour
        RevisionRole,                ///< qulonglong: changes whenever the row's hops change (delegates cache
                                     ///< what they measure of a path under it)
    };

    explicit LanePathsModel(DocumentController *controller, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    void refresh();
    QVariantList hopList(const LanePath &path) const;

    DocumentController *m_controller;
    std::vector<LanePath> m_paths;
    std::vector<int> m_weights;
    std::vector<std::string> m_laneNames;
    /// HopsRole per row, built when the row's path changes: delegates ask for it on every paint.
    std::vector<QVariantList> m_hops;
    std::vector<quint64> m_revisions;
    quint64 m_nextRevision = 1;
};

} // namespace lanedeck::ui
