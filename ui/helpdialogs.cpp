#include "ui/helpdialogs.h"

#include <QAction>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFile>
#include <QHeaderView>
#include <QListWidget>
#include <QPushButton>
#include <QSplitter>
#include <QTableWidget>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace lanedeck::ui {
namespace {

QDialog *dialog(QWidget *parent, const QString &objectName, const QString &title)
{
    auto *d = new QDialog(parent);
    d->setObjectName(objectName);
    d->setWindowTitle(title);
    d->setAttribute(Qt::WA_DeleteOnClose);
    return d;
}

void addCloseButton(QDialog *d, QVBoxLayout *layout)
{
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, d);
    QObject::connect(buttons, &QDialogButtonBox::rejected, d, &QDialog::reject);
    layout->addWidget(buttons);
}

} // namespace

QDialog *documentationDialog(QWidget *parent)
{
    QDialog *d = dialog(parent, QStringLiteral("documentationDialog"), QDialog::tr("LaneDeck Documentation"));
    auto *layout = new QVBoxLayout(d);
    auto *split = new QSplitter(Qt::Horizontal, d);
    auto *pages = new QListWidget(split);
    pages->setObjectName(QStringLiteral("documentationPages"));
    pages->setAccessibleName(QDialog::tr("Documents"));
    auto *text = new QTextBrowser(split);
    text->setObjectName(QStringLiteral("documentationText"));
    text->setAccessibleName(QDialog::tr("Document"));
    text->setOpenExternalLinks(true);
    const struct
    {
        const char *file;
        const char *title;
    } docs[] = {{"README.md", QT_TRANSLATE_NOOP("QDialog", "Overview (README)")},
                {"docs/CLI.md", QT_TRANSLATE_NOOP("QDialog", "lanectl commands")},
                {"docs/CLUSTER.md", QT_TRANSLATE_NOOP("QDialog", "Clusters")},
                {"docs/SANDBOX.md", QT_TRANSLATE_NOOP("QDialog", "The local sandbox")},
                {"docs/MESH-CHOICES.md", QT_TRANSLATE_NOOP("QDialog", "Mesh choices")},
                {"docs/RELIABILITY.md", QT_TRANSLATE_NOOP("QDialog", "Reliability")},
                {"docs/BENCHMARKS.md", QT_TRANSLATE_NOOP("QDialog", "Benchmarks")}};
    for (const auto &doc : docs) {
        auto *item = new QListWidgetItem(QDialog::tr(doc.title), pages);
        item->setData(Qt::UserRole, QStringLiteral(":/lanedeck/docs/%1").arg(QLatin1String(doc.file)));
    }
    QObject::connect(pages, &QListWidget::currentRowChanged, text, [pages, text](int row) {
        QFile file(pages->item(row)->data(Qt::UserRole).toString());
        if (!file.open(QIODevice::ReadOnly)) {
            text->setPlainText(QDialog::tr("%1 is not part of this build.").arg(file.fileName()));
            return;
        }
        text->setMarkdown(QString::fromUtf8(file.readAll()));
    });
    split->addWidget(pages);
    split->addWidget(text);
    split->setStretchFactor(1, 1);
    split->setSizes({200, 700});
    layout->addWidget(split, 1);
    addCloseButton(d, layout);
    pages->setCurrentRow(0);
    d->resize(960, 640);
    return d;
}

QDialog *shortcutsDialog(const QList<QAction *> &actions, QWidget *parent)
{
    QDialog *d = dialog(parent, QStringLiteral("shortcutsDialog"), QDialog::tr("Keyboard Shortcuts"));
    auto *layout = new QVBoxLayout(d);
    auto *table = new QTableWidget(0, 2, d);
    table->setObjectName(QStringLiteral("shortcutsTable"));
    table->setAccessibleName(QDialog::tr("Keyboard shortcuts"));
    table->setHorizontalHeaderLabels({QDialog::tr("Keys"), QDialog::tr("Does")});
    table->verticalHeader()->setVisible(false);
    table->horizontalHeader()->setStretchLastSection(true);
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->setTabKeyNavigation(false);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    auto add = [table](const QString &keys, const QString &what) {
        const int row = table->rowCount();
        table->insertRow(row);
        table->setItem(row, 0, new QTableWidgetItem(keys));
        table->setItem(row, 1, new QTableWidgetItem(what));
    };
    for (const QAction *action : actions) {
        if (!action->shortcut().isEmpty()) {
            QString what = action->text();
            what.remove(QLatin1Char('&'));
            add(action->shortcut().toString(QKeySequence::NativeText), what);
        }
    }
    add(QDialog::tr("Alt+underlined letter"), QDialog::tr("Open that menu, or go to that field of the page"));
    add(QDialog::tr("Tab, Shift+Tab"), QDialog::tr("Next or previous field; leaves tables and the grid too"));
    add(QDialog::tr("Ctrl+Tab, Ctrl+Shift+Tab"), QDialog::tr("Next or previous page"));
    add(QDialog::tr("Arrow keys"), QDialog::tr("Move between the cells of a table or the grid"));
    add(QDialog::tr("F2 or double click"), QDialog::tr("Edit the current cell (typing alone does not)"));
    add(QDialog::tr("Enter, Escape"), QDialog::tr("Keep or drop a cell's edit"));
    add(QDialog::tr("Space"), QDialog::tr("Check a grid cell, a call, or the baseline"));
    table->resizeColumnsToContents();
    layout->addWidget(table, 1);
    addCloseButton(d, layout);
    d->resize(640, 520);
    return d;
}

} // namespace lanedeck::ui
