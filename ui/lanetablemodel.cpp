#include "ui/lanetablemodel.h"

#include "lanes/groupedits.h"
#include "ui/documentcontroller.h"
#include "ui/lanecolors.h"
#include "ui/qtconvert.h"

namespace lanedeck::ui {

LaneTableModel::LaneTableModel(DocumentController *controller, QObject *parent)
    : GroupTableModel(controller, parent)
{}

int LaneTableModel::rowsOf(const LaneGroup &group) const
{
    return static_cast<int>(group.lanes.size());
}

int LaneTableModel::columnsOf(const LaneGroup &) const
{
    return ColumnCount;
}

QStringList LaneTableModel::problems(int row, int column) const
{
    const QString lane = QStringLiteral("spec.lanes[%1]").arg(row);
    switch (column) {
    case Name:
        return diagnostics().messages(lane + QStringLiteral(".name"));
    case LabelKey:
        return diagnostics().messages(lane + QStringLiteral(".label.key"));
    case LabelValue:
        return diagnostics().messages(lane + QStringLiteral(".label.value")) +
               diagnostics().messages(lane + QStringLiteral(".label"));
    case Baseline:
        return group().baselineLane() == &group().lanes[static_cast<std::size_t>(row)]
                   ? diagnostics().messages(QStringLiteral("spec.baseline"))
                   : QStringList();
    default:
        return {};
    }
}

QVariant LaneTableModel::data(const QModelIndex &index, int role) const
{
    if (!isCell(index)) {
        return {};
    }
    const Lane &lane = group().lanes[static_cast<std::size_t>(index.row())];
    const bool isBaseline = group().baselineLane() == &lane;
    const QStringList found = problems(index.row(), index.column());
    switch (role) {
    case Qt::DisplayRole:
    case Qt::EditRole:
        switch (index.column()) {
        case Name:
            return toQString(lane.name);
        case LabelKey:
            return toQString(lane.labelKey);
        case LabelValue:
            return toQString(lane.labelValue);
        case Baseline:
            return role == Qt::DisplayRole && isBaseline ? tr("baseline") : QVariant();
        }
        return {};
    case Qt::CheckStateRole:
        return index.column() == Baseline ? QVariant(isBaseline ? Qt::Checked : Qt::Unchecked) : QVariant();
    case Qt::DecorationRole:
        return index.column() == Name ? QVariant(laneColor(index.row())) : QVariant();
    case Qt::ForegroundRole:
    case Qt::BackgroundRole:
        return problemStyle(role, found);
    case Qt::ToolTipRole:
        if (!found.isEmpty()) {
            return DiagnosticIndex::tooltip(found);
        }
        switch (index.column()) {
        case Name:
            return tr(
                "The lane name; also the subset name and the value of the routing header for this lane.");
        case LabelKey:
            return tr("The pod label that tells the lanes' versions apart.");
        case LabelValue:
            return tr("The label value that selects this lane's workloads.");
        case Baseline:
            return tr("The baseline lane serves every request a lane cannot.");
        }
        return {};
    case ProblemsRole:
        return found;
    default:
        return {};
    }
}

bool LaneTableModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    if (!isCell(index)) {
        return false;
    }
    const auto row = static_cast<std::size_t>(index.row());
    const QString laneName = toQString(group().lanes[row].name);
    LaneGroup after = group();
    if (index.column() == Baseline && role == Qt::CheckStateRole) {
        if (value.value<Qt::CheckState>() != Qt::Checked) {
            return false; // one lane is always the baseline: choose another instead
        }
        edits::setBaseline(after, row);
        controller()->edit(after, tr("Make %1 the baseline lane").arg(laneName));
        return true;
    }
    if (role != Qt::EditRole) {
        return false;
    }
    const std::string text = toStdString(value.toString().trimmed());
    switch (index.column()) {
    case Name:
        edits::renameLane(after, row, text);
        controller()->edit(after, tr("Rename lane %1 to %2").arg(laneName, toQString(text)));
        return true;
    case LabelKey:
        after.lanes[row].labelKey = text;
        controller()->edit(after, tr("Set label key of lane %1").arg(laneName));
        return true;
    case LabelValue:
        after.lanes[row].labelValue = text;
        controller()->edit(after, tr("Set label value of lane %1").arg(laneName));
        return true;
    default:
        return false;
    }
}

Qt::ItemFlags LaneTableModel::flags(const QModelIndex &index) const
{
    if (!index.isValid()) {
        return Qt::NoItemFlags;
    }
    if (index.column() == Baseline) {
        return Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsUserCheckable;
    }
    return Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsEditable;
}

QVariant LaneTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (role != Qt::DisplayRole) {
        return {};
    }
    if (orientation == Qt::Vertical) {
        return section + 1;
    }
    switch (section) {
    case Name:
        return tr("Lane");
    case LabelKey:
        return tr("Label key");
    case LabelValue:
        return tr("Label value");
    case Baseline:
        return tr("Baseline");
    default:
        return {};
    }
}

} // namespace lanedeck::ui
