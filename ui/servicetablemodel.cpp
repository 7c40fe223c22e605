#include "ui/servicetablemodel.h"

#include "lanes/groupedits.h"
#include "ui/documentcontroller.h"
#include "ui/lanecolors.h"
#include "ui/qtconvert.h"

namespace lanedeck::ui {

ServiceTableModel::ServiceTableModel(DocumentController *controller, QObject *parent)
    : GroupTableModel(controller, parent)
{}

int ServiceTableModel::rowsOf(const LaneGroup &group) const
{
    return static_cast<int>(group.services.size());
}

int ServiceTableModel::columnsOf(const LaneGroup &) const
{
    return ColumnCount;
}

void ServiceTableModel::announceChanges(const LaneGroup &before, bool diagnosticsChanged)
{
    if (diagnosticsChanged) {
        announceAll();
        return;
    }
    // A row shows its own service only (the headers are row numbers).
    for (std::size_t row = 0; row < group().services.size(); ++row) {
        if (before.services[row] != group().services[row]) {
            const int r = static_cast<int>(row);
            Q_EMIT dataChanged(index(r, 0), index(r, ColumnCount - 1));
        }
    }
}

QStringList ServiceTableModel::problems(int row, int column) const
{
    const QString service = QStringLiteral("spec.services[%1]").arg(row);
    switch (column) {
    case Name:
        return diagnostics().messages(service + QStringLiteral(".name"));
    case Namespace:
        return diagnostics().messages(service + QStringLiteral(".namespace"));
    case Port:
        return diagnostics().messages(service + QStringLiteral(".port"));
    case Calls:
        return diagnostics().messagesUnder(service + QStringLiteral(".calls"));
    default:
        return {};
    }
}

QVariant ServiceTableModel::data(const QModelIndex &index, int role) const
{
    if (!isCell(index)) {
        return {};
    }
    const Service &service = group().services[static_cast<std::size_t>(index.row())];
    const QStringList found = problems(index.row(), index.column());
    switch (role) {
    case Qt::DisplayRole:
    case Qt::EditRole:
        switch (index.column()) {
        case Name:
            return toQString(service.name);
        case Namespace:
            return toQString(service.ns);
        case Port:
            return service.port;
        case Calls:
            return toQStringList(service.calls).join(QStringLiteral(", "));
        }
        return {};
    case Qt::ForegroundRole:
    case Qt::BackgroundRole:
        return problemStyle(role, found);
    case Qt::ToolTipRole:
        if (!found.isEmpty()) {
            return DiagnosticIndex::tooltip(found);
        }
        switch (index.column()) {
        case Name:
            return tr("The Kubernetes Service name.");
        case Namespace:
            return tr("The namespace of the Service and its workloads.");
        case Port:
            return tr("The Service port the lanes route.");
        case Calls:
            return tr("The services this one calls, in call order (the call graph). F2 or a double click "
                      "picks them from the group's services.");
        }
        return {};
    case ProblemsRole:
        return found;
    default:
        return {};
    }
}

bool ServiceTableModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    if (role != Qt::EditRole || !isCell(index)) {
        return false;
    }
    const auto row = static_cast<std::size_t>(index.row());
    const QString name = toQString(group().services[row].name);
    LaneGroup after = group();
    switch (index.column()) {
    case Name: {
        const std::string text = toStdString(value.toString().trimmed());
        for (std::size_t i = 0; i < after.services.size(); ++i) {
            if (i != row && after.services[i].name == text) {
                Q_EMIT editRefused(index,
                                   tr("Service %1 is in the group already: each service is listed once.")
                                       .arg(toQString(text)));
                return false;
            }
        }
        edits::renameService(after, row, text);
        controller()->edit(after, tr("Rename service %1 to %2").arg(name, toQString(text)));
        return true;
    }
    case Namespace:
        after.services[row].ns = toStdString(value.toString().trimmed());
        controller()->edit(after, tr("Set namespace of %1").arg(name));
        return true;
    case Port: {
        bool ok = false;
        const int port = value.toInt(&ok);
        if (!ok) {
            return false;
        }
        after.services[row].port = port;
        controller()->edit(after, tr("Set port of %1").arg(name));
        return true;
    }
    case Calls: {
        std::vector<std::string> calls;
        const auto parts = value.toString().split(QLatin1Char(','), Qt::SkipEmptyParts);
        for (const QString &part : parts) {
            calls.push_back(toStdString(part.trimmed()));
        }
        edits::setCalls(after, row, calls);
        controller()->edit(after, tr("Set calls of %1").arg(name));
        return true;
    }
    default:
        return false;
    }
}

Qt::ItemFlags ServiceTableModel::flags(const QModelIndex &index) const
{
    if (!index.isValid()) {
        return Qt::NoItemFlags;
    }
    return Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsEditable;
}

QVariant ServiceTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (role != Qt::DisplayRole) {
        return {};
    }
    if (orientation == Qt::Vertical) {
        return section + 1;
    }
    switch (section) {
    case Name:
        return tr("Service");
    case Namespace:
        return tr("Namespace");
    case Port:
        return tr("Port");
    case Calls:
        return tr("Calls");
    default:
        return {};
    }
}

} // namespace lanedeck::ui
