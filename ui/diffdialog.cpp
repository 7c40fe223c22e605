#include "ui/diffdialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableWidget>
#include <QVBoxLayout>

namespace lanedeck::ui {
namespace {

QColor addedColor(bool dark)
{
    return dark ? QColor::fromRgb(0x1F, 0x4D, 0x2B) : QColor::fromRgb(0xE6, 0xFF, 0xEC);
}

QColor removedColor(bool dark)
{
    return dark ? QColor::fromRgb(0x5C, 0x22, 0x27) : QColor::fromRgb(0xFF, 0xEB, 0xE9);
}

QColor hunkColor(bool dark)
{
    return dark ? QColor::fromRgb(0x1C, 0x33, 0x55) : QColor::fromRgb(0xDD, 0xF4, 0xFF);
}

QString stateText(ResourceDiff::State state)
{
    switch (state) {
    case ResourceDiff::State::Identical:
        return DiffDialog::tr("identical");
    case ResourceDiff::State::Changed:
        return DiffDialog::tr("changed");
    case ResourceDiff::State::New:
        return DiffDialog::tr("new");
    case ResourceDiff::State::Removed:
        return DiffDialog::tr("removed");
    }
    return {};
}

} // namespace

std::vector<SideBySideRow> sideBySide(const QString &unifiedDiff)
{
    std::vector<SideBySideRow> rows;
    std::vector<QString> removed;
    std::vector<QString> added;
    int left = 0;
    int right = 0;
    auto flush = [&] {
        const std::size_t n = std::max(removed.size(), added.size());
        for (std::size_t i = 0; i < n; ++i) {
            SideBySideRow row;
            const bool hasLeft = i < removed.size();
            const bool hasRight = i < added.size();
            row.kind = hasLeft && hasRight ? SideBySideRow::Kind::Changed
                       : hasLeft           ? SideBySideRow::Kind::Removed
                                           : SideBySideRow::Kind::Added;
            if (hasLeft) {
                row.left = removed[i];
                row.leftLine = ++left;
            }
            if (hasRight) {
                row.right = added[i];
                row.rightLine = ++right;
            }
            rows.push_back(row);
        }
        removed.clear();
        added.clear();
    };
    static const QRegularExpression hunk(QStringLiteral(R"(^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@)"));
    const auto lines = unifiedDiff.split(QLatin1Char('\n'));
    for (int i = 0; i < lines.size(); ++i) {
        const QString &line = lines[i];
        if (line.startsWith(QLatin1String("--- ")) || line.startsWith(QLatin1String("+++ "))) {
            continue;
        }
        if (const auto m = hunk.match(line); m.hasMatch()) {
            flush();
            left = m.captured(1).toInt() - 1;
            right = m.captured(2).toInt() - 1;
            rows.push_back({SideBySideRow::Kind::Hunk, line, line, 0, 0});
        } else if (line.startsWith(QLatin1Char('-'))) {
            removed.push_back(line.mid(1));
        } else if (line.startsWith(QLatin1Char('+'))) {
            added.push_back(line.mid(1));
        } else if (line.startsWith(QLatin1Char(' '))) {
            flush();
            rows.push_back({SideBySideRow::Kind::Context, line.mid(1), line.mid(1), ++left, ++right});
        } else if (line.isEmpty() && i == lines.size() - 1) {
            continue; // the newline that ends the diff
        }
    }
    flush();
    return rows;
}

DiffHighlighter::DiffHighlighter(QTextDocument *document, bool darkPalette)
    : QSyntaxHighlighter(document), m_dark(darkPalette)
{}

void DiffHighlighter::highlightBlock(const QString &text)
{
    QTextCharFormat format;
    if (text.startsWith(QLatin1String("+++")) || text.startsWith(QLatin1String("---"))) {
        format.setFontWeight(QFont::Bold);
    } else if (text.startsWith(QLatin1Char('+'))) {
        format.setBackground(addedColor(m_dark));
    } else if (text.startsWith(QLatin1Char('-'))) {
        format.setBackground(removedColor(m_dark));
    } else if (text.startsWith(QLatin1String("@@"))) {
        format.setBackground(hunkColor(m_dark));
    } else {
        return;
    }
    setFormat(0, static_cast<int>(text.size()), format);
}

DiffDialog::DiffDialog(ClusterTargetSource *source, const LaneGroup &group, const mesh::RenderOptions &render,
                       const QString &targetName, bool darkPalette, QWidget *parent)
    : QDialog(parent), m_source(source), m_group(group), m_render(render),
      m_switchFlavor(new QPushButton(this)), m_summary(new QLabel(this)), m_mode(new QComboBox(this)),
      m_list(new QListWidget(this)), m_stack(new QStackedWidget(this)), m_unified(new QPlainTextEdit(this)),
      m_table(new QTableWidget(this)), m_dark(darkPalette)
{
    setObjectName(QStringLiteral("diffDialog"));
    setWindowTitle(tr("Diff against %1").arg(targetName));
    auto *layout = new QVBoxLayout(this);
    auto *top = new QHBoxLayout;
    m_summary->setObjectName(QStringLiteral("diffSummary"));
    m_summary->setWordWrap(true);
    top->addWidget(m_summary, 1);
    m_switchFlavor->setObjectName(QStringLiteral("diffFlavorSwitchButton"));
    m_switchFlavor->setVisible(false);
    connect(m_switchFlavor, &QPushButton::clicked, this, [this] { Q_EMIT flavorSwitchRequested(m_advice); });
    top->addWidget(m_switchFlavor);
    auto *modeLabel = new QLabel(tr("&View:"), this);
    modeLabel->setBuddy(m_mode);
    m_mode->setObjectName(QStringLiteral("diffModeCombo"));
    m_mode->setAccessibleName(tr("Diff view"));
    m_mode->addItem(tr("Unified"));
    m_mode->addItem(tr("Side by side"));
    top->addWidget(modeLabel);
    top->addWidget(m_mode);
    layout->addLayout(top);

    auto *splitter = new QSplitter(Qt::Horizontal, this);
    m_list->setObjectName(QStringLiteral("diffResourceList"));
    m_list->setAccessibleName(tr("Resources"));
    splitter->addWidget(m_list);
    const QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    m_unified->setObjectName(QStringLiteral("diffUnified"));
    m_unified->setReadOnly(true);
    m_unified->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_unified->setFont(mono);
    new DiffHighlighter(m_unified->document(), m_dark);
    m_table->setObjectName(QStringLiteral("diffSideBySide"));
    m_table->setColumnCount(2);
    m_table->setHorizontalHeaderLabels({tr("Live"), tr("Generated")});
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_table->verticalHeader()->setVisible(false);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setTabKeyNavigation(false);
    m_table->setShowGrid(false);
    m_table->setFont(mono);
    m_table->setWordWrap(false);
    m_stack->addWidget(m_unified);
    m_stack->addWidget(m_table);
    splitter->addWidget(m_stack);
    splitter->setStretchFactor(1, 3);
    layout->addWidget(splitter, 1);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_mode, &QComboBox::currentIndexChanged, this, [this](int index) { setSideBySide(index == 1); });
    connect(m_list, &QListWidget::currentRowChanged, this, &DiffDialog::showResource);
    resize(fontMetrics().horizontalAdvance(QLatin1Char('m')) * 90, fontMetrics().height() * 34);
    start();
}

void DiffDialog::setRender(const mesh::RenderOptions &render)
{
    m_render = render;
    if (m_job) {
        m_job->disconnect(this);
        m_job->cancel();
        m_job->deleteLater();
        m_job.clear();
    }
    start();
}

void DiffDialog::start()
{
    m_diffs.clear();
    m_list->clear();
    showResource(-1);
    // A flavor the cluster cannot take is said in the console's words, with the switch, instead of the
    // server's answer to resources it could never hold.
    m_advice = m_source ? m_source->flavorAdvice(m_group, m_render) : FlavorAdvice{};
    m_switchFlavor->setVisible(!m_advice.problem.isEmpty() && !m_advice.flavor.isEmpty());
    if (!m_advice.problem.isEmpty()) {
        m_switchFlavor->setText(m_advice.switchText());
        m_switchFlavor->setToolTip(m_advice.problem);
        m_summary->setText(m_advice.problem);
        return;
    }
    m_job = m_source ? m_source->diff(m_group, m_render) : nullptr;
    if (!m_job) {
        m_summary->setText(tr("This target cannot diff."));
        return;
    }
    m_job->setParent(this);
    m_summary->setText(tr("Reading the live resources…"));
    connect(m_job, &DiffJob::finished, this, &DiffDialog::finished);
}

DiffDialog::~DiffDialog()
{
    if (m_job) {
        m_job->cancel();
    }
}

void DiffDialog::finished(const QList<ResourceDiff> &diffs, bool cancelled, const QString &error)
{
    if (m_job) {
        m_job->deleteLater();
        m_job.clear();
    }
    if (cancelled || !error.isEmpty()) {
        m_summary->setText(cancelled ? tr("Diff cancelled.") : error);
        return;
    }
    m_diffs = diffs;
    int changed = 0;
    m_list->clear();
    for (const auto &d : diffs) {
        changed += d.state != ResourceDiff::State::Identical;
        auto *item = new QListWidgetItem(tr("%1 — %2").arg(d.resource, stateText(d.state)), m_list);
        item->setToolTip(d.resource);
    }
    m_summary->setText(
        changed == 0
            ? tr("The cluster matches the lane group.")
            : tr("%n of %1 resource(s) differ from the cluster.", nullptr, changed).arg(diffs.size()));
    if (!diffs.isEmpty()) {
        m_list->setCurrentRow(0);
    }
}

void DiffDialog::showResource(int row)
{
    if (row < 0 || row >= m_diffs.size()) {
        m_unified->clear();
        m_table->setRowCount(0);
        return;
    }
    const ResourceDiff &d = m_diffs[row];
    m_unified->setPlainText(d.state == ResourceDiff::State::Identical ? tr("No difference.") : d.unifiedDiff);
    const auto rows = sideBySide(d.unifiedDiff);
    m_table->setRowCount(static_cast<int>(rows.size()));
    for (int i = 0; i < static_cast<int>(rows.size()); ++i) {
        const SideBySideRow &r = rows[static_cast<std::size_t>(i)];
        auto *left = new QTableWidgetItem(r.left);
        auto *right = new QTableWidgetItem(r.right);
        switch (r.kind) {
        case SideBySideRow::Kind::Changed:
            left->setBackground(removedColor(m_dark));
            right->setBackground(addedColor(m_dark));
            break;
        case SideBySideRow::Kind::Removed:
            left->setBackground(removedColor(m_dark));
            break;
        case SideBySideRow::Kind::Added:
            right->setBackground(addedColor(m_dark));
            break;
        case SideBySideRow::Kind::Hunk:
            left->setBackground(hunkColor(m_dark));
            right->setBackground(hunkColor(m_dark));
            break;
        case SideBySideRow::Kind::Context:
            break;
        }
        m_table->setItem(i, 0, left);
        m_table->setItem(i, 1, right);
    }
    m_table->resizeRowsToContents();
}

void DiffDialog::setSideBySide(bool sideBySide)
{
    m_stack->setCurrentIndex(sideBySide ? 1 : 0);
    if (m_mode->currentIndex() != (sideBySide ? 1 : 0)) {
        m_mode->setCurrentIndex(sideBySide ? 1 : 0);
    }
}

} // namespace lanedeck::ui
