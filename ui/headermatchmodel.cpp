#include "ui/headermatchmodel.h"

#include "ui/documentcontroller.h"
#include "ui/lanecolors.h"
#include "ui/qtconvert.h"

#include <QComboBox>

namespace lanedeck::ui {

HeaderMatchModel::HeaderMatchModel(DocumentController *controller, QObject *parent)
    : GroupTableModel(controller, parent)
{}

QString HeaderMatchModel::kindText(StringMatch::Kind kind)
{
    return toQString(toString(kind));
}

int HeaderMatchModel::addHeader()
{
    LaneGroup after = controller()->group();
    HeaderMatch header;
    header.name = "x-user";
    header.match = StringMatch{StringMatch::Kind::Exact, "tester"};
    after.ingress.headers.push_back(header);
    controller()->edit(after, tr("Add header match"));
    return rowCount() - 1;
}

void HeaderMatchModel::removeHeader(int row)
{
    if (row < 0 || row >= rowCount()) {
        return;
    }
    LaneGroup after = controller()->group();
    after.ingress.headers.erase(after.ingress.headers.begin() + row);
    controller()->edit(after, tr("Remove header match"));
}

int HeaderMatchModel::rowsOf(const LaneGroup &group) const
{
    return static_cast<int>(group.ingress.headers.size());
}

int HeaderMatchModel::columnsOf(const LaneGroup &) const
{
    return ColumnCount;
}

QStringList HeaderMatchModel::problems(int row, int column) const
{
    const QString field = QStringLiteral("spec.ingress.match.headers[%1]").arg(row);
    return column == Name ? diagnostics().messages(field + QStringLiteral(".name"))
                          : diagnostics().messages(field);
}

QVariant HeaderMatchModel::data(const QModelIndex &index, int role) const
{
    if (!isCell(index)) {
        return {};
    }
    const HeaderMatch &h = group().ingress.headers[static_cast<std::size_t>(index.row())];
    const QStringList found = problems(index.row(), index.column());
    switch (role) {
    case Qt::DisplayRole:
    case Qt::EditRole:
        switch (index.column()) {
        case Name:
            return toQString(h.name);
        case Kind:
            return role == Qt::EditRole ? QVariant(static_cast<int>(h.match.kind))
                                        : QVariant(kindText(h.match.kind));
        case Value:
            return toQString(h.match.value);
        }
        return {};
    case Qt::ToolTipRole:
        return found.isEmpty() ? QVariant(tr("Only requests with this header enter the lanes."))
                               : QVariant(DiagnosticIndex::tooltip(found));
    case Qt::ForegroundRole:
    case Qt::BackgroundRole:
        return problemStyle(role, found);
    case ProblemsRole:
        return found;
    default:
        return {};
    }
}

bool HeaderMatchModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    if (role != Qt::EditRole || !isCell(index)) {
        return false;
    }
    LaneGroup after = controller()->group();
    HeaderMatch &h = after.ingress.headers[static_cast<std::size_t>(index.row())];
    switch (index.column()) {
    case Name:
        h.name = toStdString(value.toString().trimmed());
        break;
    case Kind:
        h.match.kind = static_cast<StringMatch::Kind>(value.toInt());
        break;
    case Value:
        h.match.value = toStdString(value.toString());
        break;
    default:
        return false;
    }
    controller()->edit(after, tr("Change header match"));
    return true;
}

Qt::ItemFlags HeaderMatchModel::flags(const QModelIndex &index) const
{
    return index.isValid() ? Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsEditable : Qt::NoItemFlags;
}

QVariant HeaderMatchModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    switch (section) {
    case Name:
        return tr("Header");
    case Kind:
        return tr("Match");
    case Value:
        return tr("Value");
    default:
        return {};
    }
}

QWidget *MatchKindDelegate::createEditor(QWidget *parent, const QStyleOptionViewItem &,
                                         const QModelIndex &) const
{
    auto *combo = new QComboBox(parent);
    for (auto kind : {StringMatch::Kind::Exact, StringMatch::Kind::Prefix, StringMatch::Kind::Regex}) {
        combo->addItem(HeaderMatchModel::kindText(kind), static_cast<int>(kind));
    }
    return combo;
}

void MatchKindDelegate::setEditorData(QWidget *editor, const QModelIndex &index) const
{
    auto *combo = static_cast<QComboBox *>(editor);
    combo->setCurrentIndex(combo->findData(index.data(Qt::EditRole)));
}

void MatchKindDelegate::setModelData(QWidget *editor, QAbstractItemModel *model,
                                     const QModelIndex &index) const
{
    model->setData(index, static_cast<QComboBox *>(editor)->currentData(), Qt::EditRole);
}

} // namespace lanedeck::ui
