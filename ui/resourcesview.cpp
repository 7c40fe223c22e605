#include "ui/resourcesview.h"

#include "mesh/render.h"
#include "ui/documentcontroller.h"
#include "ui/lanecolors.h"
#include "ui/qtconvert.h"
#include "ui/resourcetreemodel.h"
#include "ui/whenfinished.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSaveFile>
#include <QSplitter>
#include <QTreeView>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace lanedeck::ui {

/// One rendering of the preview, made on a worker or on the GUI thread alike (QFuture wants a
/// default-constructible value).
struct ResourcesView::Outcome
{
    quint64 generation = 0;
    std::string ns; ///< the namespace rendered into
    QString error;  ///< empty: rendered
    ResourceTreeModel::Rendering rendering;
    QStringList notes;
    SharedTextLines lines; ///< the rendering's stream (shared) with its line index; null when unchanged
};

namespace {

/// Renders `group` and writes its YAML; the resources' JSON is freed here, on the worker. When the YAML comes
/// out equal to `previous` (the shown rendering; the edit did not change it), the outcome shares `previous`
/// instead, so the GUI thread sees an unchanged pointer and neither compares nor frees anything.
ResourcesView::Outcome renderOutcome(quint64 generation, const LaneGroup &group,
                                     const mesh::RenderOptions &options,
                                     const ResourceTreeModel::Rendering &previous)
{
    ResourcesView::Outcome out;
    out.generation = generation;
    out.ns = group.ns;
    auto rendered = mesh::render(group, options);
    if (!rendered) {
        out.error = toQString(rendered.error().message);
        return out;
    }
    out.notes = toQStringList(rendered->notes);
    auto rendering = std::make_shared<const RenderedYaml>(RenderedYaml::from(std::move(rendered->resources)));
    if (previous && *previous == *rendering) {
        out.rendering = previous;
    } else {
        out.lines = std::make_shared<const TextLines>(rendering->stream);
        out.rendering = std::move(rendering);
    }
    return out;
}

} // namespace

ResourcesView::ResourcesView(DocumentController *controller, QWidget *parent)
    : QWidget(parent), m_controller(controller), m_model(new ResourceTreeModel(this)),
      m_flavor(new QComboBox(this)), m_apiVersion(new QComboBox(this)), m_banner(new QLabel(this)),
      m_tree(new QTreeView(this)), m_yaml(new YamlTextView(this)), m_copy(new QPushButton(tr("Co&py"), this)),
      m_exportFile(new QPushButton(tr("Export f&ile…"), this)),
      m_exportDirectory(new QPushButton(tr("Export &directory…"), this))
{
    auto *layout = new QVBoxLayout(this);
    auto *bar = new QHBoxLayout;
    auto *flavorLabel = new QLabel(tr("F&lavor:"), this);
    flavorLabel->setBuddy(m_flavor);
    m_flavor->setObjectName(QStringLiteral("flavorCombo"));
    m_flavor->setAccessibleName(tr("Flavor"));
    m_flavor->addItem(tr("ASM (DestinationRule + VirtualService with fallback)"), QStringLiteral("asm"));
    m_flavor->addItem(tr("Istio (fallback resolved at generation)"), QStringLiteral("istio"));
    m_flavor->addItem(tr("ASM lane CRDs (ASMSwimLaneGroup, ASMSwimLane)"), QStringLiteral("asm-crd"));
    m_flavor->setToolTip(tr("Which mesh API the lanes are rendered for."));
    auto *versionLabel = new QLabel(tr("&API version:"), this);
    versionLabel->setBuddy(m_apiVersion);
    m_apiVersion->setObjectName(QStringLiteral("apiVersionCombo"));
    m_apiVersion->setAccessibleName(tr("networking.istio.io API version"));
    m_apiVersion->addItem(tr("Flavor default"), QString());
    m_apiVersion->addItem(QStringLiteral("v1"), QStringLiteral("v1"));
    m_apiVersion->addItem(QStringLiteral("v1beta1"), QStringLiteral("v1beta1"));
    m_apiVersion->setToolTip(tr("The networking.istio.io version (ASM defaults to v1beta1, Istio to v1)."));
    m_copy->setObjectName(QStringLiteral("copyYamlButton"));
    m_copy->setToolTip(tr("Copy the shown YAML to the clipboard"));
    m_exportFile->setObjectName(QStringLiteral("exportFileButton"));
    m_exportFile->setToolTip(tr("Write every resource to one YAML file for kubectl apply -f"));
    m_exportDirectory->setObjectName(QStringLiteral("exportDirectoryButton"));
    m_exportDirectory->setToolTip(
        tr("Write one file per resource and a kustomization.yaml into a directory"));
    bar->addWidget(flavorLabel);
    bar->addWidget(m_flavor);
    bar->addSpacing(12);
    bar->addWidget(versionLabel);
    bar->addWidget(m_apiVersion);
    bar->addStretch(1);
    bar->addWidget(m_copy);
    bar->addWidget(m_exportFile);
    bar->addWidget(m_exportDirectory);
    layout->addLayout(bar);

    m_banner->setObjectName(QStringLiteral("renderStatusLabel"));
    m_banner->setWordWrap(true);
    m_banner->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_banner);

    auto *splitter = new QSplitter(Qt::Horizontal, this);
    m_tree->setObjectName(QStringLiteral("resourceTree"));
    m_tree->setAccessibleName(tr("Generated resources"));
    m_tree->setModel(m_model);
    m_tree->setUniformRowHeights(true);
    m_tree->header()->setStretchLastSection(true);
    m_yaml->setObjectName(QStringLiteral("yamlPreview"));
    m_yaml->setAccessibleName(tr("YAML of the selected resources"));
    splitter->addWidget(m_tree);
    splitter->addWidget(m_yaml);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 3);
    layout->addWidget(splitter, 1);

    connect(m_flavor, &QComboBox::currentIndexChanged, this, [this] {
        renderAgain();
        Q_EMIT optionsChanged();
    });
    connect(m_apiVersion, &QComboBox::currentIndexChanged, this, [this] {
        renderAgain();
        Q_EMIT optionsChanged();
    });
    connect(m_tree->selectionModel(), &QItemSelectionModel::currentChanged, this,
            &ResourcesView::showSelection);
    // A new rendering keeps the node the operator picked (the same kind or resource), if it is still there.
    connect(m_model, &QAbstractItemModel::modelAboutToBeReset, this,
            [this] { m_pickedNode = m_model->nodeKey(m_tree->currentIndex()); });
    connect(m_model, &QAbstractItemModel::modelReset, this, [this] {
        m_tree->expandAll();
        const QModelIndex picked = m_model->indexOfKey(m_pickedNode);
        m_tree->setCurrentIndex(picked.isValid() ? picked : m_model->index(0, 0));
        if (picked.isValid()) {
            m_tree->scrollTo(picked);
        }
        showSelection();
    });
    connect(m_copy, &QPushButton::clicked, this, &ResourcesView::copyToClipboard);
    connect(m_exportFile, &QPushButton::clicked, this, &ResourcesView::exportFileInteractively);
    connect(m_exportDirectory, &QPushButton::clicked, this, &ResourcesView::exportDirectoryInteractively);
    connect(controller, &DocumentController::groupChanged, this, &ResourcesView::invalidate);
}

void ResourcesView::invalidate()
{
    m_stale = true;
    ++m_generation;
    if (isVisible()) {
        renderInBackground();
    }
}

void ResourcesView::renderAgain()
{
    m_stale = true;
    ++m_generation;
    if (isVisible()) {
        ensureRendered();
    }
}

void ResourcesView::ensureRendered()
{
    if (m_stale) {
        // Asked now (export, push, a test): render here; a worker's result for the same generation is then
        // dropped as no longer needed.
        applyOutcome(renderOutcome(m_generation, targetGroup(), options(), m_model->rendering()));
    }
}

void ResourcesView::requestRender()
{
    if (m_stale) {
        renderInBackground();
    }
}

void ResourcesView::renderInBackground()
{
    if (m_renderRunning) {
        return; // the running one starts the next when it ends
    }
    m_renderRunning = true;
    // The worker reads the shown rendering to compare with; the model never changes a list it shares, only
    // replaces its pointer, so the read is safe.
    const auto render = [generation = m_generation, group = targetGroup(), options = options(),
                         previous = m_model->rendering()] {
        Outcome outcome = renderOutcome(generation, group, options, previous);
        returnFreedMemory(); // the resources' JSON, ~100 MiB for a big group, freed on this worker
        return outcome;
    };
    whenFinishedTaking(QtConcurrent::run(render), this, [this](Outcome outcome) {
        m_renderRunning = false;
        if (m_stale && outcome.generation == m_generation) {
            applyOutcome(outcome);
        } else if (m_stale) {
            renderInBackground(); // overtaken by an edit: render the newest group
        }
        releaseOnWorker(std::move(outcome.rendering));
    });
}

void ResourcesView::showEvent(QShowEvent *event)
{
    // Shown after edits made elsewhere: the view catches up before it is painted (once per showing, not per
    // edit), so it never shows an older group.
    ensureRendered();
    if (m_previewStale) {
        fillPreview();
    }
    QWidget::showEvent(event);
}

const RenderedYaml &ResourcesView::rendering()
{
    ensureRendered();
    return *m_model->rendering();
}

mesh::RenderOptions ResourcesView::options() const
{
    mesh::RenderOptions options;
    options.flavor = mesh::parseFlavor(toStdString(flavorName())).value_or(mesh::Flavor::Asm);
    if (!apiVersionName().isEmpty()) {
        options.istioVersion = mesh::parseIstioVersion(toStdString(apiVersionName()));
    }
    return options;
}

void ResourcesView::setOptions(const QString &flavor, const QString &apiVersion)
{
    const int f = m_flavor->findData(flavor);
    const int v = m_apiVersion->findData(apiVersion);
    m_flavor->setCurrentIndex(f >= 0 ? f : 0);
    m_apiVersion->setCurrentIndex(v >= 0 ? v : 0);
}

QString ResourcesView::flavorName() const
{
    return m_flavor->currentData().toString();
}

QString ResourcesView::apiVersionName() const
{
    return m_apiVersion->currentData().toString();
}

void ResourcesView::setNamespaceOverride(const QString &ns)
{
    if (ns != m_namespaceOverride) {
        m_namespaceOverride = ns;
        renderAgain();
    }
}

LaneGroup ResourcesView::targetGroup() const
{
    LaneGroup group = m_controller->group();
    if (!m_namespaceOverride.isEmpty()) {
        group.ns = m_namespaceOverride.toStdString();
    }
    return group;
}

QString ResourcesView::previewText()
{
    ensureRendered();
    if (m_previewStale) {
        fillPreview();
    }
    return m_yaml->text();
}

bool ResourcesView::canRender(QString *reason)
{
    ensureRendered();
    if (reason) {
        *reason = m_renderError;
    }
    return m_renderError.isEmpty();
}

void ResourcesView::setDarkPalette(bool dark)
{
    m_yaml->setDarkPalette(dark);
}

void ResourcesView::applyOutcome(const Outcome &outcome)
{
    // A new text (or none, on an error) replaces the indexed stream; an unchanged rendering (no lines) keeps
    // it. The one replaced is freed on a worker once the preview shows the new one.
    SharedTextLines replaced;
    if (outcome.lines || !outcome.error.isEmpty()) {
        replaced = std::exchange(m_allLines, outcome.lines);
    }
    m_stale = false;
    const bool apiVersionApplies = flavorName() != QLatin1String("asm-crd");
    m_apiVersion->setEnabled(apiVersionApplies);
    m_renderError = outcome.error;
    if (!m_renderError.isEmpty()) {
        m_notes.clear();
        m_model->setRendering(nullptr);
        m_yaml->clear();
        m_banner->setText(tr("Nothing to render until the problems are fixed (see the Problems panel):\n%1")
                              .arg(m_renderError));
        QPalette palette = m_banner->palette();
        palette.setColor(QPalette::WindowText, problemColor());
        m_banner->setPalette(palette);
    } else {
        m_notes = outcome.notes;
        QStringList lines = m_notes;
        if (lines.isEmpty()) {
            lines << tr("%n resource(s), as lanectl render prints them.", nullptr,
                        static_cast<int>(outcome.rendering->documents.size()));
        }
        if (outcome.ns != m_controller->group().ns) {
            lines.prepend(tr("⚠ In namespace %1, not the group's %2: the cluster bar's \"Into another\" "
                             "choice, which push and diff follow too.")
                              .arg(toQString(outcome.ns), toQString(m_controller->group().ns)));
        }
        m_banner->setPalette(QPalette());
        m_banner->setText(lines.join(QLatin1Char('\n')));
        m_model->setRendering(outcome.rendering);
        showSelection();
    }
    releaseOnWorker(std::move(replaced));
    const QString reason =
        m_renderError.isEmpty() ? QString() : tr("The lane group has problems: %1").arg(m_renderError);
    for (QPushButton *button : {m_copy, m_exportFile, m_exportDirectory}) {
        button->setEnabled(m_renderError.isEmpty());
    }
    m_exportFile->setToolTip(
        reason.isEmpty() ? tr("Write every resource to one YAML file for kubectl apply -f") : reason);
    m_exportDirectory->setToolTip(
        reason.isEmpty() ? tr("Write one file per resource and a kustomization.yaml into a directory")
                         : reason);
    Q_EMIT rendered();
}

void ResourcesView::showSelection()
{
    // A hidden view (rendered for the drift check or push) skips the text: putting a big group's 7 MiB
    // stream into the editor, highlighted, takes seconds of the GUI thread. It is filled when shown or read.
    if (!isVisible()) {
        m_previewStale = true;
        return;
    }
    fillPreview();
}

void ResourcesView::fillPreview()
{
    m_previewStale = false;
    QModelIndex current = m_tree->currentIndex();
    if (!current.isValid()) {
        current = m_model->index(0, 0);
    }
    // A new rendering of the node already shown keeps the operator's place in it.
    const QString node = m_model->nodeKey(current);
    const bool keepPosition = node == m_shownNode;
    m_shownNode = node;
    if (!current.isValid()) {
        m_yaml->clear();
    } else if (!current.parent().isValid() && current.row() == 0 && m_allLines) {
        m_yaml->setLines(m_allLines, keepPosition); // "All resources", indexed by the worker
    } else {
        m_yaml->setLines(
            std::make_shared<const TextLines>(current.data(ResourceTreeModel::YamlRole).toString()),
            keepPosition);
    }
}

void ResourcesView::copyToClipboard()
{
    ensureRendered();
    QApplication::clipboard()->setText(previewText());
    Q_EMIT statusMessage(tr("Copied the YAML to the clipboard"));
}

bool ResourcesView::exportToFile(const QString &path, QString *error)
{
    ensureRendered();
    if (!m_renderError.isEmpty()) {
        *error = m_renderError;
        return false;
    }
    const QByteArray data = m_model->rendering()->stream.toUtf8();
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(data) != data.size() || !file.commit()) {
        *error = tr("%1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

bool ResourcesView::exportToDirectory(const QString &directory, QStringList *written, QString *error)
{
    ensureRendered();
    if (!m_renderError.isEmpty()) {
        *error = m_renderError;
        return false;
    }
    // The preview keeps the YAML, not the resources: render them again for the files (the document has not
    // changed since ensureRendered(), on this thread).
    const auto rendered = mesh::render(targetGroup(), options());
    if (!rendered) {
        *error = toQString(rendered.error().message);
        return false;
    }
    const auto result = mesh::writeResourceDirectory(rendered->resources, toStdString(directory));
    if (!result) {
        *error = toQString(result.error().message);
        return false;
    }
    if (written) {
        *written << toQStringList(*result);
    }
    return true;
}

void ResourcesView::exportFileInteractively()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Export resources"), QString(),
                                                      tr("YAML files (*.yaml *.yml);;All files (*)"));
    if (path.isEmpty()) {
        return;
    }
    QString error;
    if (!exportToFile(path, &error)) {
        QMessageBox::warning(this, tr("Export failed"), error);
        return;
    }
    Q_EMIT statusMessage(tr("Exported %n resource(s) to %1", nullptr, m_model->resourceCount()).arg(path));
}

void ResourcesView::exportDirectoryInteractively()
{
    const QString directory = QFileDialog::getExistingDirectory(this, tr("Export resources to a directory"));
    if (directory.isEmpty()) {
        return;
    }
    QString error;
    QStringList written;
    if (!exportToDirectory(directory, &written, &error)) {
        QMessageBox::warning(this, tr("Export failed"), error);
        return;
    }
    Q_EMIT statusMessage(
        tr("Wrote %n file(s) to %1", nullptr, static_cast<int>(written.size())).arg(directory));
}

} // namespace lanedeck::ui
