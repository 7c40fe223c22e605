#include "ui/designerview.h"

#include "lanes/groupedits.h"
#include "ui/columndelegate.h"
#include "ui/documentcontroller.h"
#include "ui/headermatchmodel.h"
#include "ui/lanecolors.h"
#include "ui/lanegridmodel.h"
#include "ui/lanepainting.h"
#include "ui/lanepathsmodel.h"
#include "ui/lanetablemodel.h"
#include "ui/qtconvert.h"
#include "ui/servicetablemodel.h"
#include "ui/weightpanel.h"

#include <algorithm>

#include <QComboBox>
#include <QCompleter>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QRegularExpression>
#include <QScrollArea>
#include <QScrollBar>
#include <QShortcut>
#include <QSignalBlocker>
#include <QSplitter>
#include <QStringListModel>
#include <QStyle>
#include <QTableView>
#include <QToolButton>
#include <QToolTip>
#include <QVBoxLayout>

#include <algorithm>
#include <span>

namespace lanedeck::ui {
namespace {

QStringList split(const QString &text)
{
    QStringList out;
    const auto parts = text.split(QLatin1Char(','), Qt::SkipEmptyParts);
    for (const auto &p : parts) {
        if (!p.trimmed().isEmpty()) {
            out << p.trimmed();
        }
    }
    return out;
}

} // namespace

/// One line edit of the settings pane: the group field it edits, where its diagnostics are, and its texts
/// (translated in DesignerView's context when shown). Fields without a label are laid out by hand.
struct TextFieldSpec
{
    const char *objectName;
    const char *path; ///< the diagnostics shown on the field (with those of the fields below it)
    const char *label;
    const char *undoText;
    const char *tooltip;
    QString (*get)(const LaneGroup &);
    void (*set)(LaneGroup &, const QString &);
};

namespace {

#define DESIGNER_TR(text) QT_TRANSLATE_NOOP("lanedeck::ui::DesignerView", text)

const TextFieldSpec kGroupFields[] = {
    {"groupNameEdit", "metadata.name", DESIGNER_TR("&Name:"), DESIGNER_TR("Rename lane group"),
     DESIGNER_TR("The lane group's name; generated resources are labelled with it."),
     [](const LaneGroup &g) { return toQString(g.name); },
     [](LaneGroup &g, const QString &t) { g.name = toStdString(t); }},
    {"groupNamespaceEdit", "metadata.namespace", DESIGNER_TR("Name&space:"),
     DESIGNER_TR("Change lane group namespace"),
     DESIGNER_TR("Where the generated DestinationRules and VirtualServices live (istio-system for ASM)."),
     [](const LaneGroup &g) { return toQString(g.ns); },
     [](LaneGroup &g, const QString &t) { g.ns = toStdString(t); }},
};

const TextFieldSpec kHeaderFields[] = {
    {"traceHeaderEdit", "spec.traceHeader", DESIGNER_TR("Tr&ace header:"), DESIGNER_TR("Change trace header"),
     DESIGNER_TR("The header the applications pass through (trace ID or custom pass-through)."),
     [](const LaneGroup &g) { return toQString(g.traceHeader); },
     [](LaneGroup &g, const QString &t) { g.traceHeader = toStdString(t); }},
    {"routingHeaderEdit", "spec.routingHeader", DESIGNER_TR("Rout&ing header:"),
     DESIGNER_TR("Change routing header"),
     DESIGNER_TR("The request header whose value names the lane (x-asm-prefer-tag on ASM)."),
     [](const LaneGroup &g) { return toQString(g.routingHeader); },
     [](LaneGroup &g, const QString &t) { g.routingHeader = toStdString(t); }},
};

const TextFieldSpec kIngressFields[] = {
    {"gatewayNameEdit", "spec.ingress.gateway.name", DESIGNER_TR("&Gateway:"),
     DESIGNER_TR("Change ingress gateway"),
     DESIGNER_TR("The Istio Gateway that ingress traffic arrives through."),
     [](const LaneGroup &g) { return toQString(g.ingress.gatewayName); },
     [](LaneGroup &g, const QString &t) { g.ingress.gatewayName = toStdString(t); }},
    {"gatewayNamespaceEdit", "spec.ingress.gateway.namespace", DESIGNER_TR("Gate&way namespace:"),
     DESIGNER_TR("Change gateway namespace"), DESIGNER_TR("The namespace of the ingress Gateway."),
     [](const LaneGroup &g) { return toQString(g.ingress.gatewayNamespace); },
     [](LaneGroup &g, const QString &t) { g.ingress.gatewayNamespace = toStdString(t); }},
    {"hostsEdit", "spec.ingress.hosts", DESIGNER_TR("H&osts:"), DESIGNER_TR("Change hosts"),
     DESIGNER_TR("The hosts the lane group serves, comma-separated ('*' for any)."),
     [](const LaneGroup &g) { return toQStringList(g.ingress.hosts).join(QStringLiteral(", ")); },
     [](LaneGroup &g, const QString &t) { g.ingress.hosts = toStdStrings(split(t)); }},
};

/// Beside the URI match kind, in a row of its own.
const TextFieldSpec kUriField[] = {
    {"uriMatchEdit", "spec.ingress.match.uri", nullptr, DESIGNER_TR("Change URI match"),
     DESIGNER_TR("The request URI the lane group takes ('/' for all)."),
     [](const LaneGroup &g) { return toQString(g.ingress.uri.value); },
     [](LaneGroup &g, const QString &t) { g.ingress.uri.value = toStdString(t); }},
};

#undef DESIGNER_TR

/// A row of `form`: `field` with a label that is its buddy and gives its accessible name.
void addFormRow(QFormLayout *form, const QString &label, QWidget *field)
{
    auto *l = new QLabel(label, field->parentWidget());
    l->setBuddy(field);
    field->setAccessibleName(QString(label).remove(QLatin1Char('&')).remove(QLatin1Char(':')));
    form->addRow(l, field);
}

QToolButton *toolButton(QWidget *parent, const QString &objectName, QStyle::StandardPixmap icon,
                        const QString &text, const QString &tooltip)
{
    auto *button = new QToolButton(parent);
    button->setObjectName(objectName);
    button->setIcon(parent->style()->standardIcon(icon, nullptr, parent));
    button->setText(text);
    button->setToolTip(tooltip);
    button->setAccessibleName(text);
    button->setAutoRaise(true);
    return button;
}

/// Gives every row of `view` the height its first row wants, instead of measuring each row (a big group's
/// table has a thousand rows, re-measured on every change with ResizeToContents). For tables whose rows are
/// alike: one line of text, or the grid's cells of one height.
void uniformRows(QTableView *view)
{
    QHeaderView *rows = view->verticalHeader();
    rows->setSectionResizeMode(QHeaderView::Fixed);
    const auto measure = [view, rows] {
        if (view->model()->rowCount() > 0) {
            rows->setDefaultSectionSize(std::max(static_cast<QAbstractItemView *>(view)->sizeHintForRow(0),
                                                 rows->minimumSectionSize()));
        }
    };
    QObject::connect(view->model(), &QAbstractItemModel::modelReset, view, measure);
    QObject::connect(view->model(), &QAbstractItemModel::rowsInserted, view, measure);
    measure();
}

void setupTable(QTableView *view)
{
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setSelectionMode(QAbstractItemView::SingleSelection);
    // Typing does not edit: with fields and tables side by side, keystrokes meant for a field landed in a
    // cell. F2 (as in spreadsheets' "edit cell") or a double click opens the editor; Tab leaves the table.
    view->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed);
    view->setTabKeyNavigation(false);
    view->horizontalHeader()->setStretchLastSection(true);
    view->verticalHeader()->setVisible(false);
    view->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    view->setAlternatingRowColors(true);
}

/// Edits a lane's label value with the values the cluster's workloads carry for that lane's label key.
class LabelValueDelegate final : public QStyledItemDelegate
{
public:
    LabelValueDelegate(const ClusterInventory *inventory, QObject *parent)
        : QStyledItemDelegate(parent), m_inventory(inventory)
    {}

    QWidget *createEditor(QWidget *parent, const QStyleOptionViewItem &option,
                          const QModelIndex &index) const override
    {
        QWidget *editor = QStyledItemDelegate::createEditor(parent, option, index);
        auto *line = qobject_cast<QLineEdit *>(editor);
        const QString key = index.siblingAtColumn(LaneTableModel::LabelKey).data().toString();
        if (line && m_inventory->labelValues.contains(key)) {
            auto *completer = new QCompleter(m_inventory->labelValues.value(key), line);
            completer->setCaseSensitivity(Qt::CaseInsensitive);
            line->setCompleter(completer);
        }
        return editor;
    }

private:
    const ClusterInventory *m_inventory;
};

/// A scroll area that asks for its content's current height, up to about ten rows (QScrollArea keeps the
/// first size it saw), so the lane weights show whole until there are many of them or space runs short.
class ContentScrollArea final : public QScrollArea
{
public:
    using QScrollArea::QScrollArea;

    QSize sizeHint() const override
    {
        if (!widget()) {
            return QScrollArea::sizeHint();
        }
        const QSize content = widget()->sizeHint();
        return QSize(content.width() + verticalScrollBar()->sizeHint().width(),
                     std::min(content.height(), fontMetrics().height() * 20) + 2 * frameWidth());
    }
};

/// Edits a service's calls by picking from the group's other services: a framed, checkable list with the
/// current calls first, checked and in call order, then the other services. Space checks, Return keeps the
/// checked ones in list order, Escape leaves the calls as they were.
class CallsDelegate final : public QStyledItemDelegate
{
public:
    CallsDelegate(const DocumentController *controller, QObject *parent)
        : QStyledItemDelegate(parent), m_controller(controller)
    {}

    QWidget *createEditor(QWidget *parent, const QStyleOptionViewItem &,
                          const QModelIndex &index) const override
    {
        auto *list = new QListWidget(parent);
        list->setObjectName(QStringLiteral("callsEditor"));
        list->setFrameShape(QFrame::StyledPanel);
        list->setFrameShadow(QFrame::Plain);
        list->setLineWidth(1);
        list->setAutoFillBackground(true);
        list->setTabKeyNavigation(false);
        const QString service = index.siblingAtColumn(ServiceTableModel::Name).data().toString();
        list->setAccessibleName(DesignerView::tr("Calls of %1").arg(service));
        list->setToolTip(
            DesignerView::tr("Check the services %1 calls (Space), then press Enter").arg(service));
        setEditorData(list, index); // before the first geometry, which depends on the number of services
        return list;
    }

    void setEditorData(QWidget *editor, const QModelIndex &index) const override
    {
        // Once: the view calls this again whenever the document changes, which must not undo the checks made.
        auto *list = static_cast<QListWidget *>(editor);
        if (list->count() > 0) {
            return;
        }
        const LaneGroup &group = m_controller->group();
        if (index.row() >= static_cast<int>(group.services.size())) {
            return;
        }
        const Service &self = group.services[static_cast<std::size_t>(index.row())];
        auto add = [list](const std::string &name, bool checked) {
            auto *item = new QListWidgetItem(QString::fromStdString(name), list);
            item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsUserCheckable);
            item->setCheckState(checked ? Qt::Checked : Qt::Unchecked);
        };
        for (const auto &call : self.calls) {
            add(call, true);
        }
        for (const auto &s : group.services) {
            if (s.name != self.name &&
                std::find(self.calls.begin(), self.calls.end(), s.name) == self.calls.end()) {
                add(s.name, false);
            }
        }
        if (list->count() == 0) {
            auto *none = new QListWidgetItem(DesignerView::tr("No other services yet"), list);
            none->setFlags(Qt::NoItemFlags);
        }
        list->setCurrentRow(0);
    }

    void setModelData(QWidget *editor, QAbstractItemModel *model, const QModelIndex &index) const override
    {
        auto *list = static_cast<QListWidget *>(editor);
        QStringList calls;
        for (int i = 0; i < list->count(); ++i) {
            if (list->item(i)->checkState() == Qt::Checked) {
                calls << list->item(i)->text();
            }
        }
        if (calls.join(QStringLiteral(", ")) != index.data(Qt::EditRole).toString()) {
            model->setData(index, calls.join(QStringLiteral(", ")), Qt::EditRole);
        }
    }

    void updateEditorGeometry(QWidget *editor, const QStyleOptionViewItem &option,
                              const QModelIndex &) const override
    {
        // Taller than the cell, so several services show at once; inside the view, moved up near its bottom.
        auto *list = static_cast<QListWidget *>(editor);
        const int rows = std::clamp(list->count(), 1, 8);
        const int frame = list->frameWidth() * 2;
        const int rowHeight = std::max(list->sizeHintForRow(0), option.rect.height());
        QRect area(option.rect.topLeft(),
                   QSize(std::max(option.rect.width(), list->sizeHintForColumn(0) + frame + 8),
                         rows * rowHeight + frame));
        if (const QWidget *parent = editor->parentWidget()) {
            area.moveBottom(std::min(area.bottom(), parent->height() - 1));
            area.moveTop(std::max(area.top(), 0));
        }
        editor->setGeometry(area);
    }

private:
    const DocumentController *m_controller;
};

} // namespace

DesignerView::DesignerView(DocumentController *controller, QWidget *parent)
    : QWidget(parent), m_controller(controller), m_gridModel(new LaneGridModel(controller, this)),
      m_laneModel(new LaneTableModel(controller, this)),
      m_serviceModel(new ServiceTableModel(controller, this))
{
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *splitter = new QSplitter(Qt::Horizontal, this);
    splitter->setObjectName(QStringLiteral("designerSplitter"));
    splitter->addWidget(createSettingsPane());
    splitter->addWidget(createGridPane());
    splitter->addWidget(createWeightsPane());
    splitter->setStretchFactor(0, 0);
    splitter->setStretchFactor(1, 1);
    splitter->setStretchFactor(2, 0);
    splitter->setChildrenCollapsible(false);
    const int em = fontMetrics().horizontalAdvance(QLatin1Char('m'));
    splitter->setSizes({em * 24, em * 40, em * 40});
    layout->addWidget(splitter);

    connect(controller, &DocumentController::groupChanged, this, &DesignerView::refresh);
    refresh();
}

QLineEdit *DesignerView::addTextField(const QString &objectName, const QStringList &paths,
                                      const QString &undoText, const QString &tooltip,
                                      std::function<QString(const LaneGroup &)> get,
                                      std::function<void(LaneGroup &, const QString &)> set)
{
    auto *edit = new QLineEdit(this);
    edit->setObjectName(objectName);
    edit->setToolTip(tooltip);
    edit->setClearButtonEnabled(false);
    const int key = static_cast<int>(m_fields.size());
    m_fields.push_back({edit, paths, std::move(get), std::move(set), undoText, tooltip});
    connect(edit, &QLineEdit::textEdited, this, [this, key](const QString &text) {
        const TextField &field = m_fields[static_cast<std::size_t>(key)];
        LaneGroup after = m_controller->group();
        field.set(after, text);
        m_controller->edit(after, field.undoText, MergeKind::Field, key);
    });
    return edit;
}

QList<QLineEdit *> DesignerView::addTextRows(QFormLayout *form, std::span<const TextFieldSpec> specs)
{
    QList<QLineEdit *> edits;
    for (const TextFieldSpec &spec : specs) {
        QLineEdit *edit = addTextField(QLatin1String(spec.objectName), {QLatin1String(spec.path)},
                                       tr(spec.undoText), tr(spec.tooltip), spec.get, spec.set);
        if (spec.label) {
            addFormRow(form, tr(spec.label), edit);
        }
        edits << edit;
    }
    return edits;
}

QWidget *DesignerView::createSettingsPane()
{
    auto *pane = new QWidget(this);
    auto *column = new QVBoxLayout(pane);
    column->setContentsMargins(0, 0, 0, 0);
    column->addWidget(createGroupBox(pane));
    column->addWidget(createIngressBox(pane));
    column->addStretch(1);

    auto *scroll = new QScrollArea(this);
    scroll->setWidget(pane);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setFocusPolicy(Qt::NoFocus); // a container: Tab goes to its fields, and it scrolls to them
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    scroll->setMinimumWidth(pane->sizeHint().width() + scroll->verticalScrollBar()->sizeHint().width());
    return scroll;
}

QGroupBox *DesignerView::createGroupBox(QWidget *pane)
{
    auto *groupBox = new QGroupBox(tr("Lane group"), pane);
    auto *form = new QFormLayout(groupBox);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    addTextRows(form, kGroupFields);
    m_mode = new QComboBox(groupBox);
    m_mode->setObjectName(QStringLiteral("modeCombo"));
    m_mode->addItem(tr("Permissive"), int(LaneMode::Permissive));
    m_mode->setItemData(0,
                        tr("Lanes hold only the services that changed; the rest fall back to the baseline."),
                        Qt::ToolTipRole);
    m_mode->addItem(tr("Strict"), int(LaneMode::Strict));
    m_mode->setItemData(1, tr("Every lane holds every service; nothing falls back."), Qt::ToolTipRole);
    m_mode->setToolTip(
        tr("Permissive lanes may hold only the services that changed; requests for the others go "
           "to the baseline lane."));
    addFormRow(form, tr("Mo&de:"), m_mode);
    connect(m_mode, &QComboBox::activated, this, [this] {
        LaneGroup after = m_controller->group();
        after.mode = static_cast<LaneMode>(m_mode->currentData().toInt());
        m_controller->edit(after, tr("Change lane mode"));
    });
    m_passThrough = new QComboBox(groupBox);
    m_passThrough->setObjectName(QStringLiteral("passThroughCombo"));
    m_passThrough->addItem(tr("Baggage (OpenTelemetry)"), int(PassThrough::Baggage));
    m_passThrough->addItem(tr("Trace ID"), int(PassThrough::TraceId));
    m_passThrough->addItem(tr("Custom header"), int(PassThrough::Custom));
    m_passThrough->setToolTip(
        tr("Which trace context the applications pass through, so the lane travels with "
           "the request from service to service."));
    addFormRow(form, tr("&Pass-through:"), m_passThrough);
    connect(m_passThrough, &QComboBox::activated, this, [this] {
        LaneGroup after = m_controller->group();
        after.passThrough = static_cast<PassThrough>(m_passThrough->currentData().toInt());
        // Baggage needs no header of its own; the others need one, and x-request-id is what Envoy forwards.
        if (after.passThrough == PassThrough::Baggage) {
            after.traceHeader.clear();
        } else if (after.passThrough == PassThrough::TraceId && after.traceHeader.empty()) {
            after.traceHeader = "x-request-id";
        }
        m_controller->edit(after, tr("Change pass-through mode"));
    });
    m_traceHeader = addTextRows(form, kHeaderFields).front();
    return groupBox;
}

QGroupBox *DesignerView::createIngressBox(QWidget *pane)
{
    auto *ingressBox = new QGroupBox(tr("Ingress"), pane);
    auto *ingress = new QFormLayout(ingressBox);
    ingress->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    addTextRows(ingress, kIngressFields);
    auto *match = new QWidget(ingressBox);
    auto *matchLayout = new QHBoxLayout(match);
    matchLayout->setContentsMargins(0, 0, 0, 0);
    m_uriKind = new QComboBox(match);
    m_uriKind->setObjectName(QStringLiteral("uriMatchKindCombo"));
    m_uriKind->setAccessibleName(tr("URI match kind"));
    m_uriKind->addItem(tr("Prefix"), int(StringMatch::Kind::Prefix));
    m_uriKind->addItem(tr("Exact"), int(StringMatch::Kind::Exact));
    m_uriKind->addItem(tr("Regex"), int(StringMatch::Kind::Regex));
    connect(m_uriKind, &QComboBox::activated, this, [this] {
        LaneGroup after = m_controller->group();
        after.ingress.uri.kind = static_cast<StringMatch::Kind>(m_uriKind->currentData().toInt());
        m_controller->edit(after, tr("Change URI match"));
    });
    QLineEdit *uri = addTextRows(ingress, kUriField).front();
    uri->setParent(match);
    uri->setAccessibleName(tr("URI match"));
    matchLayout->addWidget(m_uriKind);
    matchLayout->addWidget(uri, 1);
    auto *matchLabel = new QLabel(tr("&URI match:"), ingressBox);
    matchLabel->setBuddy(m_uriKind);
    ingress->addRow(matchLabel, match);
    m_entryService = new QComboBox(ingressBox);
    m_entryService->setObjectName(QStringLiteral("entryServiceCombo"));
    m_entryService->setToolTip(tr("The service ingress traffic enters; its lane weights split the traffic."));
    addFormRow(ingress, tr("Entr&y service:"), m_entryService);
    connect(m_entryService, &QComboBox::activated, this, [this] {
        LaneGroup after = m_controller->group();
        after.ingress.entryService = toStdString(m_entryService->currentText());
        m_controller->edit(after, tr("Change entry service"));
    });
    addHeaderMatchRow(ingress, ingressBox);
    return ingressBox;
}

void DesignerView::addHeaderMatchRow(QFormLayout *ingress, QGroupBox *ingressBox)
{
    // Header conditions: few groups have them, so the table stays small and the buttons say what they do.
    auto *headers = new QWidget(ingressBox);
    auto *headersLayout = new QVBoxLayout(headers);
    headersLayout->setContentsMargins(0, 0, 0, 0);
    auto *headerModel = new HeaderMatchModel(m_controller, headers);
    auto *headerTable = new QTableView(headers);
    headerTable->setObjectName(QStringLiteral("headerMatchTable"));
    headerTable->setAccessibleName(tr("Header match"));
    headerTable->setModel(headerModel);
    auto *headerDelegate = new ColumnDelegate(headerTable);
    headerDelegate->setColumnDelegate(HeaderMatchModel::Kind, new MatchKindDelegate);
    headerTable->setItemDelegate(headerDelegate);
    setupTable(headerTable);
    headerTable->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    headerTable->horizontalHeader()->setStretchLastSection(true);
    headerTable->setMaximumHeight(headerTable->fontMetrics().height() * 6);
    auto *headerTools = new QHBoxLayout;
    auto *addHeader =
        toolButton(headers, QStringLiteral("addHeaderMatchButton"), QStyle::SP_FileDialogNewFolder,
                   tr("Add header condition"), tr("Only requests with a header enter the lanes"));
    addHeader->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    auto *removeHeader =
        toolButton(headers, QStringLiteral("removeHeaderMatchButton"), QStyle::SP_TrashIcon,
                   tr("Remove header condition"), tr("Remove the selected header condition"));
    headerTools->addWidget(addHeader);
    headerTools->addWidget(removeHeader);
    headerTools->addStretch(1);
    headersLayout->addLayout(headerTools);
    headersLayout->addWidget(headerTable);
    connect(addHeader, &QToolButton::clicked, this, [headerModel, headerTable] {
        const int row = headerModel->addHeader();
        headerTable->setCurrentIndex(headerModel->index(row, HeaderMatchModel::Name));
        headerTable->edit(headerTable->currentIndex());
    });
    connect(removeHeader, &QToolButton::clicked, this,
            [headerModel, headerTable] { headerModel->removeHeader(headerTable->currentIndex().row()); });
    auto *headersLabel = new QLabel(tr("Heade&rs:"), ingressBox);
    headersLabel->setBuddy(headerTable);
    ingress->addRow(headersLabel, headers);
}

QWidget *DesignerView::createGridPane()
{
    auto *pane = new QWidget(this);
    auto *column = new QVBoxLayout(pane);
    column->setContentsMargins(0, 0, 0, 0);

    QGroupBox *gridBox = createGridBox(pane);
    auto *stack = new QSplitter(Qt::Vertical, pane);
    stack->setObjectName(QStringLiteral("gridSplitter"));
    stack->setChildrenCollapsible(false);
    stack->addWidget(gridBox);
    column->addWidget(stack, 1);

    addLaneBox(pane, stack);
    addServiceBox(pane, stack);

    stack->setStretchFactor(0, 3);
    stack->setStretchFactor(1, 2);
    stack->setStretchFactor(2, 2);
    return pane;
}

QGroupBox *DesignerView::createGridBox(QWidget *pane)
{
    auto *gridBox = new QGroupBox(tr("Services × lanes"), pane);
    auto *gridLayout = new QVBoxLayout(gridBox);
    auto *hint =
        new QLabel(tr("Check a cell to give the lane its own version of the service; an unchecked cell "
                      "shows where requests fall back."),
                   gridBox);
    hint->setWordWrap(true);
    hint->setForegroundRole(QPalette::PlaceholderText);
    gridLayout->addWidget(hint);
    m_grid = new QTableView(gridBox);
    m_grid->setObjectName(QStringLiteral("laneGrid"));
    m_grid->setAccessibleName(tr("Services by lanes"));
    m_grid->setModel(m_gridModel);
    m_grid->setItemDelegate(new LaneCellDelegate(m_grid));
    m_grid->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_grid->setTabKeyNavigation(false); // arrows move between cells, Space toggles, Tab leaves
    m_grid->setSelectionMode(QAbstractItemView::SingleSelection);
    m_grid->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_grid->horizontalHeader()->setMinimumSectionSize(
        m_grid->fontMetrics().horizontalAdvance(QLatin1Char('m')) * 10);
    uniformRows(m_grid);
    m_grid->verticalHeader()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    m_grid->setShowGrid(true);
    gridLayout->addWidget(m_grid, 1);
    connectGridHeaders();
    return gridBox;
}

void DesignerView::connectGridHeaders()
{
    // The headers name lanes and services: right-click them for what concerns the whole lane or service,
    // double-click to rename.
    QHeaderView *laneHeader = m_grid->horizontalHeader();
    laneHeader->setContextMenuPolicy(Qt::CustomContextMenu);
    laneHeader->setToolTip(tr("Right-click a lane for more; double-click to rename it."));
    connect(
        laneHeader, &QHeaderView::customContextMenuRequested, this, [this, laneHeader](const QPoint &pos) {
            const int lane = laneHeader->logicalIndexAt(pos);
            if (lane < 0) {
                return;
            }
            m_lanes->setCurrentIndex(m_laneModel->index(lane, LaneTableModel::Name));
            const QString name = m_laneModel->index(lane, LaneTableModel::Name).data().toString();
            QMenu menu(this);
            menu.addAction(tr("Make %1 the &baseline").arg(name), this, [this, lane] {
                m_laneModel->setData(m_laneModel->index(lane, LaneTableModel::Baseline), Qt::Checked,
                                     Qt::CheckStateRole);
            });
            menu.addAction(tr("&Rename %1…").arg(name), this,
                           [this, lane] { m_lanes->edit(m_laneModel->index(lane, LaneTableModel::Name)); });
            menu.addSeparator();
            menu.addAction(tr("Move &left"), this, [this] { moveLane(-1); })->setEnabled(lane > 0);
            menu.addAction(tr("Move ri&ght"), this, [this] { moveLane(1); })
                ->setEnabled(lane + 1 < m_laneModel->rowCount());
            menu.addSeparator();
            menu.addAction(style()->standardIcon(QStyle::SP_TrashIcon), tr("Re&move %1").arg(name), this,
                           &DesignerView::removeLane);
            menu.exec(laneHeader->mapToGlobal(pos));
        });
    connect(laneHeader, &QHeaderView::sectionDoubleClicked, this, [this](int lane) {
        m_lanes->setCurrentIndex(m_laneModel->index(lane, LaneTableModel::Name));
        m_lanes->edit(m_lanes->currentIndex());
    });
    QHeaderView *serviceHeader = m_grid->verticalHeader();
    serviceHeader->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(serviceHeader, &QHeaderView::customContextMenuRequested, this,
            [this, serviceHeader](const QPoint &pos) {
                const int row = serviceHeader->logicalIndexAt(pos);
                if (row < 0) {
                    return;
                }
                m_services->setCurrentIndex(m_serviceModel->index(row, ServiceTableModel::Name));
                const QString name = m_serviceModel->index(row, ServiceTableModel::Name).data().toString();
                QMenu menu(this);
                menu.addAction(tr("Make %1 the &entry service").arg(name), this, [this, name] {
                    LaneGroup after = m_controller->group();
                    after.ingress.entryService = toStdString(name);
                    m_controller->edit(after, tr("Change entry service"));
                });
                menu.addAction(tr("&Rename %1…").arg(name), this, [this, row] {
                    m_services->edit(m_serviceModel->index(row, ServiceTableModel::Name));
                });
                menu.addAction(tr("Edit &calls…"), this, [this, row] {
                    m_services->edit(m_serviceModel->index(row, ServiceTableModel::Calls));
                });
                menu.addSeparator();
                menu.addAction(tr("Move &up"), this, [this] { moveService(-1); })->setEnabled(row > 0);
                menu.addAction(tr("Move &down"), this, [this] { moveService(1); })
                    ->setEnabled(row + 1 < m_serviceModel->rowCount());
                menu.addSeparator();
                menu.addAction(style()->standardIcon(QStyle::SP_TrashIcon), tr("Re&move %1").arg(name), this,
                               &DesignerView::removeService);
                menu.exec(serviceHeader->mapToGlobal(pos));
            });
}

/// The lanes table with its tools, below the grid in `stack`.
void DesignerView::addLaneBox(QWidget *pane, QSplitter *stack)
{
    auto *laneBox = new QGroupBox(tr("Lanes"), pane);
    auto *laneLayout = new QVBoxLayout(laneBox);
    auto *laneTools = new QHBoxLayout;
    m_newLane = new QLineEdit(laneBox);
    m_newLane->setObjectName(QStringLiteral("newLaneEdit"));
    m_newLane->setPlaceholderText(tr("New lane name"));
    m_newLane->setMinimumWidth(m_newLane->fontMetrics().horizontalAdvance(QLatin1Char('m')) * 9);
    m_newLane->setAccessibleName(tr("New lane name"));
    m_newLane->setToolTip(tr("Ctrl+L comes here: type a lane name and press Enter to add the lane."));
    auto *addLaneButton = new QPushButton(tr("Add lane"), laneBox);
    addLaneButton->setObjectName(QStringLiteral("addLaneButton"));
    addLaneButton->setToolTip(tr("Add a lane (Ctrl+L). The first lane becomes the baseline."));
    addNameShortcut(QKeySequence(Qt::CTRL | Qt::Key_L), m_newLane, &DesignerView::addLane);
    auto *removeLaneButton = toolButton(laneBox, QStringLiteral("removeLaneButton"), QStyle::SP_TrashIcon,
                                        tr("Remove lane"), tr("Remove the selected lane"));
    auto *laneUp = toolButton(laneBox, QStringLiteral("moveLaneUpButton"), QStyle::SP_ArrowUp,
                              tr("Move lane up"), tr("Move the selected lane earlier (left in the grid)"));
    auto *laneDown = toolButton(laneBox, QStringLiteral("moveLaneDownButton"), QStyle::SP_ArrowDown,
                                tr("Move lane down"), tr("Move the selected lane later (right in the grid)"));
    laneTools->addWidget(m_newLane, 1);
    laneTools->addWidget(addLaneButton);
    laneTools->addWidget(removeLaneButton);
    laneTools->addWidget(laneUp);
    laneTools->addWidget(laneDown);
    laneLayout->addLayout(laneTools);
    m_lanes = new QTableView(laneBox);
    m_lanes->setObjectName(QStringLiteral("laneTable"));
    m_lanes->setAccessibleName(tr("Lanes"));
    m_lanes->setModel(m_laneModel);
    auto *laneDelegate = new ColumnDelegate(m_lanes);
    laneDelegate->setColumnDelegate(LaneTableModel::LabelValue,
                                    new LabelValueDelegate(&m_inventory, nullptr));
    laneDelegate->setColumnDelegate(LaneTableModel::Baseline, new FramedCheckDelegate);
    m_lanes->setItemDelegate(laneDelegate);
    setupTable(m_lanes);
    m_lanes->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_lanes->horizontalHeader()->setSectionResizeMode(LaneTableModel::LabelValue, QHeaderView::Stretch);
    m_lanes->horizontalHeader()->setStretchLastSection(false);
    laneLayout->addWidget(m_lanes);
    stack->addWidget(laneBox);
    connect(m_newLane, &QLineEdit::returnPressed, this, &DesignerView::addLane);
    connect(m_newLane, &QLineEdit::textChanged, this, &DesignerView::markNewNames);
    connect(addLaneButton, &QPushButton::clicked, this, &DesignerView::addLane);
    connect(removeLaneButton, &QToolButton::clicked, this, &DesignerView::removeLane);
    connect(laneUp, &QToolButton::clicked, this, [this] { moveLane(-1); });
    connect(laneDown, &QToolButton::clicked, this, [this] { moveLane(1); });
}

/// The services table with its tools, below the lanes in `stack`.
void DesignerView::addServiceBox(QWidget *pane, QSplitter *stack)
{
    auto *serviceBox = new QGroupBox(tr("Services and call graph"), pane);
    auto *serviceLayout = new QVBoxLayout(serviceBox);
    auto *serviceTools = new QHBoxLayout;
    m_newService = new QLineEdit(serviceBox);
    m_newService->setObjectName(QStringLiteral("newServiceEdit"));
    m_newService->setPlaceholderText(tr("New service name"));
    m_newService->setMinimumWidth(m_newService->fontMetrics().horizontalAdvance(QLatin1Char('m')) * 9);
    m_newService->setAccessibleName(tr("New service name"));
    m_newServiceTip = tr("Ctrl+K comes here: type a Kubernetes Service name and press Enter to add it.");
    m_newService->setToolTip(m_newServiceTip);
    auto *addServiceButton = new QPushButton(tr("Add service"), serviceBox);
    addServiceButton->setObjectName(QStringLiteral("addServiceButton"));
    addServiceButton->setToolTip(tr("Add a service (Ctrl+K). The baseline lane gets it too."));
    addNameShortcut(QKeySequence(Qt::CTRL | Qt::Key_K), m_newService, &DesignerView::addService);
    auto *removeServiceButton =
        toolButton(serviceBox, QStringLiteral("removeServiceButton"), QStyle::SP_TrashIcon,
                   tr("Remove service"), tr("Remove the selected service from the group"));
    auto *serviceUp = toolButton(serviceBox, QStringLiteral("moveServiceUpButton"), QStyle::SP_ArrowUp,
                                 tr("Move service up"), tr("Move the selected service up"));
    auto *serviceDown = toolButton(serviceBox, QStringLiteral("moveServiceDownButton"), QStyle::SP_ArrowDown,
                                   tr("Move service down"), tr("Move the selected service down"));
    serviceTools->addWidget(m_newService, 1);
    serviceTools->addWidget(addServiceButton);
    serviceTools->addWidget(removeServiceButton);
    serviceTools->addWidget(serviceUp);
    serviceTools->addWidget(serviceDown);
    serviceLayout->addLayout(serviceTools);
    m_services = new QTableView(serviceBox);
    m_services->setObjectName(QStringLiteral("serviceTable"));
    m_services->setAccessibleName(tr("Services"));
    m_services->setModel(m_serviceModel);
    auto *serviceDelegate = new ColumnDelegate(m_services);
    serviceDelegate->setColumnDelegate(ServiceTableModel::Calls, new CallsDelegate(m_controller, nullptr));
    m_services->setItemDelegate(serviceDelegate);
    setupTable(m_services);
    uniformRows(m_services);
    m_services->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_services->horizontalHeader()->setStretchLastSection(true);
    serviceLayout->addWidget(m_services);
    stack->addWidget(serviceBox);
    connect(m_newService, &QLineEdit::returnPressed, this, &DesignerView::addService);
    connect(m_newService, &QLineEdit::textChanged, this, &DesignerView::markNewNames);
    for (GroupTableModel *model :
         {static_cast<GroupTableModel *>(m_laneModel), static_cast<GroupTableModel *>(m_serviceModel)}) {
        QTableView *view = model == m_laneModel ? m_lanes : m_services;
        connect(model, &GroupTableModel::editRefused, this,
                [this, view](const QModelIndex &index, const QString &reason) {
                    QToolTip::showText(view->viewport()->mapToGlobal(view->visualRect(index).bottomLeft()),
                                       reason, view);
                    Q_EMIT statusMessage(reason);
                });
    }
    connect(addServiceButton, &QPushButton::clicked, this, &DesignerView::addService);
    connect(removeServiceButton, &QToolButton::clicked, this, &DesignerView::removeService);
    connect(serviceUp, &QToolButton::clicked, this, [this] { moveService(-1); });
    connect(serviceDown, &QToolButton::clicked, this, [this] { moveService(1); });
}

QWidget *DesignerView::createWeightsPane()
{
    auto *pane = new QWidget(this);
    auto *column = new QVBoxLayout(pane);
    column->setContentsMargins(0, 0, 0, 0);
    auto *box = new QGroupBox(tr("Traffic split at the entry service"), pane);
    auto *layout = new QVBoxLayout(box);
    // A slider row per lane: with many lanes the rows scroll, so the window still fits a laptop screen.
    auto *weightScroll = new ContentScrollArea(box);
    weightScroll->setObjectName(QStringLiteral("weightScroll"));
    weightScroll->setWidgetResizable(true);
    weightScroll->setFrameShape(QFrame::NoFrame);
    weightScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_weights = new WeightPanel(m_controller, weightScroll);
    m_weights->setObjectName(QStringLiteral("weightPanel"));
    weightScroll->setWidget(m_weights);
    layout->addWidget(weightScroll);
    column->addWidget(box);
    connect(m_controller, &DocumentController::groupChanged, weightScroll, &QWidget::updateGeometry);

    // The paths next to the grid, so the effect of a checked cell is visible where it is made.
    auto *pathsBox = new QGroupBox(tr("Lane paths"), pane);
    auto *pathsLayout = new QVBoxLayout(pathsBox);
    auto *paths = new QTableView(pathsBox);
    paths->setObjectName(QStringLiteral("designerLanePaths"));
    paths->setAccessibleName(tr("Lane paths"));
    paths->setModel(new LanePathsModel(m_controller, paths));
    paths->setItemDelegate(new LanePathDelegate(paths));
    paths->setColumnHidden(LanePathsModel::Weight, true);
    paths->setSelectionMode(QAbstractItemView::NoSelection);
    paths->setEditTriggers(QAbstractItemView::NoEditTriggers);
    paths->setShowGrid(false);
    paths->setFocusPolicy(Qt::NoFocus);
    paths->verticalHeader()->setVisible(false);
    paths->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    paths->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    paths->horizontalHeader()->setStretchLastSection(true);
    paths->horizontalHeader()->setVisible(false);
    pathsLayout->addWidget(paths);
    column->addWidget(pathsBox, 1);
    pane->setMinimumWidth(pane->fontMetrics().horizontalAdvance(QLatin1Char('m')) * 30);
    return pane;
}

QStringList DesignerView::problemsUnder(const QStringList &paths) const
{
    QStringList out;
    for (const auto &p : paths) {
        out << m_controller->diagnostics().messagesUnder(p);
    }
    return out;
}

void DesignerView::markWidget(QWidget *widget, const QStringList &problems, const QString &tooltip)
{
    const bool bad = !problems.isEmpty();
    if (widget->property("lanedeckProblem").toBool() != bad) {
        widget->setProperty("lanedeckProblem", bad);
        if (bad) {
            // Only the roles set here are overridden, so the rest still follows the application palette.
            QPalette palette;
            const QColor base = widget->parentWidget()
                                    ? widget->parentWidget()->palette().color(QPalette::Base)
                                    : widget->palette().color(QPalette::Base);
            const QColor red = problemColor();
            palette.setColor(QPalette::Base, QColor::fromRgbF(base.redF() * 0.7f + red.redF() * 0.3f,
                                                              base.greenF() * 0.7f + red.greenF() * 0.3f,
                                                              base.blueF() * 0.7f + red.blueF() * 0.3f));
            widget->setPalette(palette);
        } else {
            widget->setPalette(QPalette());
        }
    }
    widget->setToolTip(bad ? DiagnosticIndex::tooltip(problems) : tooltip);
    widget->setAccessibleDescription(bad ? DiagnosticIndex::tooltip(problems) : QString());
}

void DesignerView::refresh()
{
    const LaneGroup &group = m_controller->group();
    for (const auto &field : m_fields) {
        // Leave the text alone while it already means the current value, so typing "a, " in the hosts field
        // keeps its comma and cursor.
        LaneGroup probe = group;
        field.set(probe, field.edit->text());
        if (!(probe == group)) {
            field.edit->setText(field.get(group));
        }
        markWidget(field.edit, problemsUnder(field.paths), field.tooltip);
    }
    m_mode->setCurrentIndex(m_mode->findData(int(group.mode)));
    m_passThrough->setCurrentIndex(m_passThrough->findData(int(group.passThrough)));
    m_traceHeader->setEnabled(group.passThrough != PassThrough::Baggage || !group.traceHeader.empty());
    m_uriKind->setCurrentIndex(m_uriKind->findData(int(group.ingress.uri.kind)));
    {
        const QSignalBlocker blocker(m_entryService);
        m_entryService->clear();
        for (const auto &s : group.services) {
            m_entryService->addItem(toQString(s.name));
        }
        m_entryService->setCurrentIndex(m_entryService->findText(toQString(group.ingress.entryService)));
    }
    markWidget(m_entryService,
               m_controller->diagnostics().messages(QStringLiteral("spec.ingress.entryService")),
               tr("The service ingress traffic enters; its lane weights split the traffic."));
}

int DesignerView::currentRow(QTableView *view) const
{
    const QModelIndex current = view->currentIndex();
    return current.isValid() ? current.row() : -1;
}

void DesignerView::addNameShortcut(const QKeySequence &keys, QLineEdit *edit, void (DesignerView::*add)())
{
    // From anywhere in the designer: go to the name field to type a name; with a name typed, add it.
    auto *shortcut = new QShortcut(keys, edit);
    shortcut->setContext(Qt::WindowShortcut);
    connect(shortcut, &QShortcut::activated, this, [this, edit, add] {
        if (edit->text().trimmed().isEmpty()) {
            edit->setFocus(Qt::ShortcutFocusReason);
        } else {
            (this->*add)();
        }
    });
}

QString DesignerView::takenName(const QLineEdit *edit) const
{
    const QString name = edit->text().trimmed();
    const LaneGroup &group = m_controller->group();
    if (edit == m_newLane) {
        const bool taken = std::any_of(group.lanes.begin(), group.lanes.end(),
                                       [&](const Lane &l) { return l.name == toStdString(name); });
        return taken ? tr("Lane %1 exists already: each lane needs its own name.").arg(name) : QString();
    }
    const bool taken = group.service(toStdString(name)) != nullptr;
    return taken ? tr("Service %1 is in the group already: each service is listed once.").arg(name)
                 : QString();
}

void DesignerView::markNewNames()
{
    const auto problems = [](const QString &reason) {
        return reason.isEmpty() ? QStringList() : QStringList{reason};
    };
    markWidget(m_newLane, problems(takenName(m_newLane)),
               tr("Ctrl+L comes here: type a lane name and press Enter to add the lane."));
    markWidget(m_newService, problems(takenName(m_newService)), m_newServiceTip);
}

void DesignerView::addLane()
{
    if (const QString taken = takenName(m_newLane); !taken.isEmpty()) {
        Q_EMIT statusMessage(taken);
        m_newLane->selectAll();
        return;
    }
    LaneGroup after = m_controller->group();
    std::vector<std::string> taken;
    for (const auto &l : after.lanes) {
        taken.push_back(l.name);
    }
    QString name = m_newLane->text().trimmed();
    if (name.isEmpty()) {
        name = toQString(edits::uniqueName("s" + std::to_string(after.lanes.size() + 1), taken));
    }
    edits::addLane(after, toStdString(name));
    m_controller->edit(after, tr("Add lane %1").arg(name));
    m_newLane->clear();
    m_lanes->setCurrentIndex(m_laneModel->index(m_laneModel->rowCount() - 1, LaneTableModel::LabelValue));
}

void DesignerView::removeLane()
{
    const int row = currentRow(m_lanes);
    if (row < 0) {
        return;
    }
    LaneGroup after = m_controller->group();
    const Lane &lane = after.lanes[static_cast<std::size_t>(row)];
    const QString name = toQString(lane.name);
    if (after.lanes.size() > 1 && after.baselineLane() == &lane) {
        QMessageBox ask(
            QMessageBox::Question, tr("Remove the baseline lane?"),
            tr("%1 is the baseline lane: it serves every request the other lanes cannot. Remove it "
               "and make %2 the baseline?")
                .arg(name, toQString(after.lanes[row == 0 ? 1 : 0].name)),
            QMessageBox::Yes | QMessageBox::Cancel, this);
        ask.setObjectName(QStringLiteral("removeBaselineQuestion"));
        ask.setDefaultButton(QMessageBox::Cancel);
        ask.button(QMessageBox::Yes)->setText(tr("&Remove %1").arg(name));
        if (ask.exec() != QMessageBox::Yes) {
            return;
        }
    }
    edits::removeLane(after, static_cast<std::size_t>(row));
    // With "Keep total at 100%", the removed lane's share goes to the others in proportion.
    if (m_weights->keepsTotal() && !after.lanes.empty() && edits::totalWeight(after) != 100) {
        edits::setWeights(after, edits::normalized(edits::weights(after)));
    }
    m_controller->edit(after, tr("Remove lane %1").arg(name));
}

void DesignerView::moveLane(int delta)
{
    const int row = currentRow(m_lanes);
    const int to = row + delta;
    if (row < 0 || to < 0 || to >= m_laneModel->rowCount()) {
        return;
    }
    LaneGroup after = m_controller->group();
    const QString name = toQString(after.lanes[static_cast<std::size_t>(row)].name);
    edits::moveLane(after, static_cast<std::size_t>(row), static_cast<std::size_t>(to));
    m_controller->edit(after, tr("Move lane %1").arg(name));
    m_lanes->setCurrentIndex(m_laneModel->index(to, 0));
}

void DesignerView::addService()
{
    if (const QString taken = takenName(m_newService); !taken.isEmpty()) {
        Q_EMIT statusMessage(taken);
        m_newService->selectAll();
        return;
    }
    LaneGroup after = m_controller->group();
    std::vector<std::string> taken;
    for (const auto &s : after.services) {
        taken.push_back(s.name);
    }
    QString name = m_newService->text().trimmed();
    if (name.isEmpty()) {
        name = toQString(edits::uniqueName("service" + std::to_string(after.services.size() + 1), taken));
    }
    edits::addService(after, toStdString(name));
    m_controller->edit(after, tr("Add service %1").arg(name));
    m_newService->clear();
    m_services->setCurrentIndex(
        m_serviceModel->index(m_serviceModel->rowCount() - 1, ServiceTableModel::Calls));
}

void DesignerView::removeService()
{
    const int row = currentRow(m_services);
    if (row < 0) {
        return;
    }
    LaneGroup after = m_controller->group();
    const QString name = toQString(after.services[static_cast<std::size_t>(row)].name);
    edits::removeService(after, static_cast<std::size_t>(row));
    m_controller->edit(after, tr("Remove service %1").arg(name));
}

void DesignerView::moveService(int delta)
{
    const int row = currentRow(m_services);
    const int to = row + delta;
    if (row < 0 || to < 0 || to >= m_serviceModel->rowCount()) {
        return;
    }
    LaneGroup after = m_controller->group();
    const QString name = toQString(after.services[static_cast<std::size_t>(row)].name);
    edits::moveService(after, static_cast<std::size_t>(row), static_cast<std::size_t>(to));
    m_controller->edit(after, tr("Move service %1").arg(name));
    m_services->setCurrentIndex(m_serviceModel->index(to, 0));
}

void DesignerView::setInventory(const ClusterInventory &inventory)
{
    m_inventory = inventory;
    auto *completer = m_newService->completer();
    if (!completer) {
        completer = new QCompleter(new QStringListModel(m_newService), m_newService);
        completer->setCaseSensitivity(Qt::CaseInsensitive);
        completer->setFilterMode(Qt::MatchContains);
        m_newService->setCompleter(completer);
    }
    static_cast<QStringListModel *>(completer->model())->setStringList(inventory.services);
    m_newServiceTip = inventory.services.isEmpty()
                          ? tr("Ctrl+K comes here: type a Kubernetes Service name and press Enter to add it.")
                          : tr("Type or pick one of the cluster's %n Service(s) and press Enter (Ctrl+K).",
                               nullptr, static_cast<int>(inventory.services.size()));
    markNewNames();
}

void DesignerView::revealField(const QString &fieldPath)
{
    static const QRegularExpression indexed(
        QStringLiteral(R"(^spec\.(lanes|services)\[(\d+)\](?:\.(\w+))?)"));
    const auto m = indexed.match(fieldPath);
    if (m.hasMatch()) {
        const int row = m.captured(2).toInt();
        const QString leaf = m.captured(3);
        if (m.captured(1) == QLatin1String("lanes")) {
            if (leaf == QLatin1String("services")) {
                m_grid->setFocus();
                m_grid->setCurrentIndex(m_gridModel->index(0, row));
                return;
            }
            const int column =
                leaf == QLatin1String("label") ? LaneTableModel::LabelValue : LaneTableModel::Name;
            m_lanes->setFocus();
            m_lanes->setCurrentIndex(m_laneModel->index(row, column));
            return;
        }
        const int column = leaf == QLatin1String("calls")       ? ServiceTableModel::Calls
                           : leaf == QLatin1String("port")      ? ServiceTableModel::Port
                           : leaf == QLatin1String("namespace") ? ServiceTableModel::Namespace
                                                                : ServiceTableModel::Name;
        m_services->setFocus();
        m_services->setCurrentIndex(m_serviceModel->index(row, column));
        return;
    }
    for (const auto &field : m_fields) {
        for (const auto &p : field.paths) {
            if (fieldPath.startsWith(p)) {
                field.edit->setFocus();
                field.edit->selectAll();
                return;
            }
        }
    }
    if (fieldPath == QLatin1String("spec.ingress.entryService")) {
        m_entryService->setFocus();
    } else if (fieldPath == QLatin1String("spec.lanes") || fieldPath == QLatin1String("spec.baseline")) {
        m_weights->setFocus();
    }
}

bool DesignerView::revealLaneService(const QString &lane, const QString &service)
{
    const LaneGroup &group = m_controller->group();
    const auto laneAt = std::find_if(group.lanes.begin(), group.lanes.end(), [&lane](const Lane &l) {
        return QString::fromStdString(l.name) == lane;
    });
    const auto serviceAt =
        std::find_if(group.services.begin(), group.services.end(),
                     [&service](const Service &s) { return QString::fromStdString(s.name) == service; });
    if (laneAt == group.lanes.end() || serviceAt == group.services.end()) {
        return false;
    }
    m_grid->setFocus();
    m_grid->setCurrentIndex(m_gridModel->index(static_cast<int>(serviceAt - group.services.begin()),
                                               static_cast<int>(laneAt - group.lanes.begin())));
    return true;
}

} // namespace lanedeck::ui
