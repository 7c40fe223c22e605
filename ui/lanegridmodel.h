#pragma once

#include "ui/grouptablemodel.h"

#include <optional>

namespace lanedeck::ui {

/// The lane designer's grid: a row per service, a column per lane. A cell is checked when the lane has a
/// version of the service and shows its label value; an unchecked cell shows where the request falls back to
/// ("↪ s1 (v1)"). Checking a cell is an undoable edit of the document.
class LaneGridModel final : public GroupTableModel
{
    Q_OBJECT
public:
    enum Role
    {
        IncludedRole = Qt::UserRole + 1, ///< bool: the lane has the service
        FallbackRole,                    ///< QString: where a missing service is served ("s1 (v1)"), or empty
        ProblemsRole,                    ///< QStringList: validation messages for this cell
        LaneColorRole,                   ///< QColor of the lane
        BaselineRole,                    ///< bool: the column is the baseline lane
    };

    explicit LaneGridModel(DocumentController *controller, QObject *parent = nullptr);

    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role = Qt::EditRole) override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    int rowsOf(const LaneGroup &group) const override;
    int columnsOf(const LaneGroup &group) const override;
    void groupTaken() override;
    void announceChanges(const LaneGroup &before, bool diagnosticsChanged) override;
    QStringList problems(int service, int lane) const;

    /// Look-ups into group(), rebuilt with every change: data() asks "does the lane hold it" per cell.
    std::optional<LaneGroupIndex> m_index;
};

} // namespace lanedeck::ui
