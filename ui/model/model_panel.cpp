#include "ui/model/model_panel.h"

#include <QComboBox>
#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDialogButtonBox>
#include <QDir>
#include <QEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QLocale>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QThreadPool>
#include <QVBoxLayout>

#include <algorithm>
#include <array>
#include <limits>

using namespace Qt::StringLiterals;

namespace glmdesk::ui {

namespace {

constexpr int kDefaultContext = 8192;
constexpr int kMinContext = 512;
constexpr int kContextStep = 1024;
constexpr int kFallbackMaxContext = 131072;
const QString kRecentKey = u"models/recent"_s;

QString gigabytes(quint64 bytes)
{
    return app::formatBytes(bytes);
}

QString optionsKey(const QString &path)
{
    return u"models/options/"_s +
           QString::fromLatin1(
               QCryptographicHash::hash(path.toUtf8(), QCryptographicHash::Sha1).toHex());
}

} // namespace

ModelPanel::ModelPanel(QSettings *settings, QWidget *parent) : QDialog(parent), m_settings(settings)
{
    setObjectName(u"modelPanel"_s);
    resize(860, 560);

    // Left: recent models and the two ways to add one.
    m_recentTitle = new QLabel(this);
    m_recent = new QListWidget(this);
    m_recent->setObjectName(u"recentModels"_s);
    m_recentTitle->setBuddy(m_recent);
    m_openFileButton = new QPushButton(this);
    m_openFolderButton = new QPushButton(this);
    m_removeButton = new QPushButton(this);
    m_removeButton->setEnabled(false);
    auto *left = new QVBoxLayout;
    left->addWidget(m_recentTitle);
    left->addWidget(m_recent, 1);
    auto *openRow = new QHBoxLayout;
    openRow->addWidget(m_openFileButton);
    openRow->addWidget(m_openFolderButton);
    left->addLayout(openRow);
    left->addWidget(m_removeButton);

    // Right: the model, the controls, the estimate, the load.
    m_info = new QLabel(this);
    m_info->setObjectName(u"modelInfo"_s);
    m_info->setWordWrap(true);
    m_info->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_info->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_info->setMinimumHeight(150);

    m_context = new QSpinBox(this);
    m_context->setObjectName(u"contextSize"_s);
    m_context->setRange(kMinContext, kFallbackMaxContext);
    m_context->setSingleStep(kContextStep);
    m_context->setValue(kDefaultContext);
    m_kvType = new QComboBox(this);
    m_kvType->setObjectName(u"kvType"_s);
    m_kvType->addItem(QString(), static_cast<int>(app::LoadOptions::KvType::F16));
    m_kvType->addItem(QString(), static_cast<int>(app::LoadOptions::KvType::Q8_0));
    m_kvType->addItem(QString(), static_cast<int>(app::LoadOptions::KvType::F32));
    m_gpuLayers = new QSpinBox(this);
    m_gpuLayers->setObjectName(u"gpuExpertLayers"_s);
    m_gpuLayers->setRange(-1, 0);
    m_gpuLayers->setValue(-1);
    m_threads = new QSpinBox(this);
    m_threads->setObjectName(u"threads"_s);
    m_threads->setRange(0, 1024);
    m_drafts = new QSpinBox(this);
    m_drafts->setObjectName(u"mtpDrafts"_s);
    m_drafts->setRange(0, 8);
    m_drafts->setValue(1);
    m_contextLabel = new QLabel(this);
    m_kvLabel = new QLabel(this);
    m_gpuLabel = new QLabel(this);
    m_threadsLabel = new QLabel(this);
    m_draftsLabel = new QLabel(this);
    m_contextLabel->setBuddy(m_context);
    m_kvLabel->setBuddy(m_kvType);
    m_gpuLabel->setBuddy(m_gpuLayers);
    m_threadsLabel->setBuddy(m_threads);
    m_draftsLabel->setBuddy(m_drafts);
    auto *form = new QFormLayout;
    form->addRow(m_contextLabel, m_context);
    form->addRow(m_kvLabel, m_kvType);
    form->addRow(m_gpuLabel, m_gpuLayers);
    form->addRow(m_threadsLabel, m_threads);
    form->addRow(m_draftsLabel, m_drafts);

    m_estimateTitle = new QLabel(this);
    m_estimate = new QLabel(this);
    m_estimate->setObjectName(u"memoryEstimate"_s);
    m_estimate->setWordWrap(true);
    m_estimate->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_progress = new QProgressBar(this);
    m_progress->setObjectName(u"loadProgress"_s);
    m_progress->setRange(0, 1000);
    m_progress->setVisible(false);
    m_loadStatus = new QLabel(this);
    m_loadStatus->setObjectName(u"loadStatus"_s);
    m_loadStatus->setWordWrap(true);
    m_loadButton = new QPushButton(this);
    m_loadButton->setObjectName(u"loadButton"_s);
    m_loadButton->setDefault(true);
    m_loadButton->setEnabled(false);
    m_cancelButton = new QPushButton(this);
    m_cancelButton->setObjectName(u"cancelLoadButton"_s);
    m_cancelButton->setVisible(false);
    m_closeButton = new QPushButton(this);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_progress, 1);
    buttons->addWidget(m_cancelButton);
    buttons->addWidget(m_loadButton);
    buttons->addWidget(m_closeButton);

    auto *right = new QVBoxLayout;
    right->addWidget(m_info);
    right->addLayout(form);
    right->addWidget(m_estimateTitle);
    right->addWidget(m_estimate);
    right->addStretch(1);
    right->addWidget(m_loadStatus);
    right->addLayout(buttons);

    auto *root = new QHBoxLayout(this);
    root->addLayout(left, 2);
    root->addLayout(right, 3);

    connect(m_recent, &QListWidget::currentItemChanged, this, [this](QListWidgetItem *item) {
        m_removeButton->setEnabled(item != nullptr);
        if (item && item->data(Qt::UserRole).toString() != m_path)
            showModel(item->data(Qt::UserRole).toString());
    });
    connect(m_openFileButton, &QPushButton::clicked, this, &ModelPanel::chooseFile);
    connect(m_openFolderButton, &QPushButton::clicked, this, &ModelPanel::chooseFolder);
    connect(m_removeButton, &QPushButton::clicked, this, [this] {
        if (QListWidgetItem *item = m_recent->currentItem())
            removeRecent(item->data(Qt::UserRole).toString());
    });
    for (QSpinBox *box : {m_context, m_gpuLayers, m_threads, m_drafts})
        connect(box, &QSpinBox::valueChanged, this, &ModelPanel::refreshEstimate);
    connect(m_kvType, &QComboBox::currentIndexChanged, this, &ModelPanel::refreshEstimate);
    connect(m_loadButton, &QPushButton::clicked, this, &ModelPanel::startLoad);
    connect(m_cancelButton, &QPushButton::clicked, this, [this] {
        m_cancelButton->setEnabled(false);
        Q_EMIT cancelLoadRequested();
    });
    connect(m_closeButton, &QPushButton::clicked, this, &QDialog::reject);

    retranslateUi();
    refreshRecent();
}

ModelPanel::~ModelPanel() = default;

QStringList ModelPanel::recentModels() const
{
    return m_settings ? m_settings->value(kRecentKey).toStringList() : QStringList{};
}

void ModelPanel::addRecent(const QString &path)
{
    if (!m_settings || path.isEmpty())
        return;
    QStringList list = recentModels();
    list.removeAll(path);
    list.prepend(path);
    while (list.size() > kMaxRecent)
        list.removeLast();
    m_settings->setValue(kRecentKey, list);
    refreshRecent();
}

void ModelPanel::removeRecent(const QString &path)
{
    if (!m_settings)
        return;
    QStringList list = recentModels();
    list.removeAll(path);
    m_settings->setValue(kRecentKey, list);
    m_settings->remove(optionsKey(path));
    refreshRecent();
}

void ModelPanel::refreshRecent()
{
    const QSignalBlocker block(m_recent);
    m_recent->clear();
    for (const QString &path : recentModels()) {
        const QFileInfo file(path);
        const bool missing = !file.exists();
        auto *item = new QListWidgetItem(m_recent);
        item->setData(Qt::UserRole, path);
        item->setText(missing ? tr("%1 (missing)").arg(file.fileName()) : file.fileName());
        item->setToolTip(QDir::toNativeSeparators(path));
        if (missing)
            item->setForeground(palette().color(QPalette::Disabled, QPalette::Text));
        if (path == m_path)
            m_recent->setCurrentItem(item);
    }
    m_removeButton->setEnabled(m_recent->currentItem() != nullptr);
}

void ModelPanel::chooseFile()
{
    const QString path =
        QFileDialog::getOpenFileName(this, tr("Open model"), QFileInfo(m_path).absolutePath(),
                                     tr("GGUF files (*.gguf);;Hugging Face config (config.json)"));
    if (path.isEmpty())
        return;
    const QFileInfo info(path);
    showModel(info.fileName() == u"config.json"_s ? info.absolutePath() : path);
}

void ModelPanel::chooseFolder()
{
    const QString path = QFileDialog::getExistingDirectory(this, tr("Open Hugging Face folder"),
                                                           QFileInfo(m_path).absolutePath());
    if (!path.isEmpty())
        showModel(path);
}

void ModelPanel::showModel(const QString &path)
{
    m_path = path;
    m_data.reset();
    m_infoError.clear();
    applyOptions(savedOptions(path));
    retranslateUi();
    const quint64 generation = ++m_infoGeneration;
    QPointer<ModelPanel> self(this);
    QThreadPool::globalInstance()->start([self, generation, path] {
        QString error;
        std::shared_ptr<const app::ModelInspection> inspection =
            app::ModelInspection::inspect(path, &error);
        QMetaObject::invokeMethod(
            qApp,
            [self, generation, inspection, error] {
                if (!self || generation != self->m_infoGeneration)
                    return;
                self->m_infoError = inspection ? QString() : error;
                self->m_data = inspection;
                if (inspection && inspection->facts().maxContext > 0) {
                    const auto max = std::min<quint64>(inspection->facts().maxContext,
                                                       std::numeric_limits<int>::max());
                    self->m_context->setMaximum(std::max(static_cast<int>(max), kMinContext));
                }
                self->retranslateUi();
                Q_EMIT self->infoUpdated();
            },
            Qt::QueuedConnection);
    });
}

bool ModelPanel::infoReady() const
{
    return m_data != nullptr;
}

QString ModelPanel::infoText() const
{
    return m_info->text();
}

app::LoadOptions ModelPanel::loadOptions() const
{
    app::LoadOptions o;
    o.contextLength = m_context->value();
    o.kvType = static_cast<app::LoadOptions::KvType>(m_kvType->currentData().toInt());
    o.threads = m_threads->value();
    o.gpuExpertLayers = m_gpuLayers->value();
    o.draftTokens = m_drafts->value();
    return o;
}

app::LoadOptions ModelPanel::savedOptions(const QString &path) const
{
    app::LoadOptions o;
    if (!m_settings || path.isEmpty())
        return o;
    const QString key = optionsKey(path);
    o.contextLength = m_settings->value(key + u"/context"_s, o.contextLength).toInt();
    const int kv = m_settings->value(key + u"/kvType"_s, static_cast<int>(o.kvType)).toInt();
    if (kv >= 0 && kv <= static_cast<int>(app::LoadOptions::KvType::Q8_0))
        o.kvType = static_cast<app::LoadOptions::KvType>(kv);
    o.threads = std::max(0, m_settings->value(key + u"/threads"_s, o.threads).toInt());
    o.gpuExpertLayers = m_settings->value(key + u"/gpuExpertLayers"_s, o.gpuExpertLayers).toInt();
    o.draftTokens = std::clamp(m_settings->value(key + u"/drafts"_s, o.draftTokens).toInt(), 0, 8);
    return o;
}

void ModelPanel::saveOptions(const QString &path, const app::LoadOptions &o)
{
    if (!m_settings || path.isEmpty())
        return;
    const QString key = optionsKey(path);
    m_settings->setValue(key + u"/context"_s, o.contextLength);
    m_settings->setValue(key + u"/kvType"_s, static_cast<int>(o.kvType));
    m_settings->setValue(key + u"/threads"_s, o.threads);
    m_settings->setValue(key + u"/gpuExpertLayers"_s, o.gpuExpertLayers);
    m_settings->setValue(key + u"/drafts"_s, o.draftTokens);
}

void ModelPanel::applyOptions(const app::LoadOptions &o)
{
    const QSignalBlocker b1(m_context), b2(m_kvType), b3(m_threads), b4(m_gpuLayers), b5(m_drafts);
    m_context->setMaximum(kFallbackMaxContext);
    m_context->setValue(o.contextLength);
    m_kvType->setCurrentIndex(std::max(0, m_kvType->findData(static_cast<int>(o.kvType))));
    m_threads->setValue(o.threads);
    m_gpuLayers->setValue(o.gpuExpertLayers);
    m_drafts->setValue(o.draftTokens);
}

std::optional<app::MemoryEstimate> ModelPanel::estimate() const
{
    if (!m_data)
        return std::nullopt;
    return m_data->estimate(loadOptions());
}

void ModelPanel::refreshEstimate()
{
    const auto e = estimate();
    if (!e) {
        m_estimate->setText(m_infoError.isEmpty() && !m_path.isEmpty() ? tr("Reading the model…")
                                                                       : QString());
        m_loadButton->setEnabled(false);
        return;
    }
    QString text;
    const app::ModelFacts &facts = m_data->facts();
    if (!facts.gpuUsable) {
        text = facts.gpuName.isEmpty()
                   ? tr("No GPU: everything runs on the CPU.")
                   : tr("GPU found (%1), but this version runs on the CPU only.")
                         .arg(facts.gpuName.toHtmlEscaped());
    } else {
        text = e->allOnGpu ? tr("Everything on the GPU.")
                           : tr("Routed experts of %1 layers on the GPU, the rest on the CPU.")
                                 .arg(e->gpuExpertLayers);
    }
    if (facts.gpuUsable)
        text += u"<br>"_s + tr("GPU memory: %1").arg(gigabytes(e->gpuBytes));
    text += u"<br>"_s +
            tr("CPU memory: %1 (the weights are read from the file as needed)")
                .arg(gigabytes(e->hostBytes)) +
            u"<br>"_s +
            tr("KV cache for %1 tokens: %2")
                .arg(QLocale().toString(m_context->value()), gigabytes(e->kvBytes));
    if (facts.hostMemoryBytes > 0)
        text +=
            u"<br>"_s + tr("This computer has %1 of RAM.").arg(gigabytes(facts.hostMemoryBytes));
    if (e->fits)
        text += u"<br><b>"_s + tr("It fits.") + u"</b>"_s;
    else
        text += u"<br><b>"_s + tr("It does not fit.") + u"</b> "_s + e->advice.toHtmlEscaped();
    m_estimate->setText(text);
    // A plan that does not fit may still be loaded: the estimate is conservative and the user
    // may know better; the engine refuses with its own advice if it truly cannot.
    m_loadButton->setEnabled(!m_loading);
}

void ModelPanel::startLoad()
{
    if (m_path.isEmpty() || m_loading)
        return;
    const app::LoadOptions options = loadOptions();
    saveOptions(m_path, options);
    addRecent(m_path);
    m_loading = true;
    m_progress->setValue(0);
    m_progress->setVisible(true);
    m_cancelButton->setVisible(true);
    m_cancelButton->setEnabled(true);
    m_loadButton->setEnabled(false);
    m_loadStatus->setText(tr("Loading %1…").arg(QFileInfo(m_path).fileName().toHtmlEscaped()));
    Q_EMIT loadRequested(m_path, options);
}

void ModelPanel::setLoadProgress(double fraction)
{
    if (!m_loading)
        return;
    m_progress->setValue(static_cast<int>(std::clamp(fraction, 0.0, 1.0) * 1000.0));
}

void ModelPanel::setLoadFinished(bool ok, const QString &message)
{
    if (!m_loading)
        return;
    m_loading = false;
    m_progress->setVisible(false);
    m_cancelButton->setVisible(false);
    m_loadButton->setEnabled(m_data != nullptr);
    m_loadStatus->setText(message.toHtmlEscaped());
    if (ok)
        accept();
}

void ModelPanel::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    QDialog::changeEvent(event);
}

void ModelPanel::retranslateUi()
{
    setWindowTitle(tr("Models"));
    m_recentTitle->setText(tr("&Recent models"));
    m_recent->setAccessibleName(tr("Recent models"));
    m_openFileButton->setText(tr("Open &File…"));
    m_openFileButton->setAccessibleName(tr("Open a GGUF file"));
    m_openFolderButton->setText(tr("Open F&older…"));
    m_openFolderButton->setAccessibleName(tr("Open a Hugging Face folder"));
    m_removeButton->setText(tr("Remove from List"));
    m_contextLabel->setText(tr("&Context (tokens):"));
    m_kvLabel->setText(tr("&KV cache:"));
    m_kvType->setItemText(0, tr("16-bit (default)"));
    m_kvType->setItemText(1, tr("8-bit (half the memory)"));
    m_kvType->setItemText(2, tr("32-bit (exact, twice the memory)"));
    m_gpuLabel->setText(tr("&GPU expert layers:"));
    m_gpuLayers->setSpecialValueText(tr("Auto"));
    m_threadsLabel->setText(tr("&Threads:"));
    m_threads->setSpecialValueText(tr("Auto"));
    m_draftsLabel->setText(tr("&MTP draft tokens:"));
    m_drafts->setSpecialValueText(tr("Off"));
    m_drafts->setToolTip(tr("Tokens the model's MTP layer guesses ahead; correct guesses make "
                            "answers faster and never change them."));
    m_estimateTitle->setText(u"<b>"_s + tr("Memory") + u"</b>"_s);
    m_loadButton->setText(tr("&Load"));
    m_cancelButton->setText(tr("Cancel Loading"));
    m_closeButton->setText(tr("Close"));

    const bool haveGpu = m_data && m_data->facts().gpuUsable;
    m_gpuLayers->setEnabled(haveGpu);
    m_gpuLayers->setToolTip(haveGpu ? QString() : tr("Needs a GPU backend"));

    if (m_path.isEmpty()) {
        m_info->setText(tr("Choose a model: a .gguf file (the first part of a split set) or a "
                           "Hugging Face folder."));
    } else if (!m_infoError.isEmpty()) {
        m_info->setText(
            u"<b>"_s + QFileInfo(m_path).fileName().toHtmlEscaped() + u"</b><br>"_s +
            tr("This is not a model GLM Desk can open: %1").arg(m_infoError.toHtmlEscaped()));
    } else if (!m_data) {
        m_info->setText(u"<b>"_s + QFileInfo(m_path).fileName().toHtmlEscaped() + u"</b><br>"_s +
                        tr("Reading…"));
    } else {
        const app::ModelFacts &f = m_data->facts();
        QStringList formats;
        for (const auto &[name, bytes] : f.formats)
            formats << u"%1 (%2)"_s.arg(name, gigabytes(bytes));
        const double params = static_cast<double>(f.parameters) / 1e9; // billions
        QString text = u"<b>"_s + QFileInfo(m_path).fileName().toHtmlEscaped() + u"</b><br>"_s;
        text += tr("%1, %2 file(s), %3 on disk")
                    .arg(f.container)
                    .arg(f.files)
                    .arg(gigabytes(f.fileBytes));
        text += u"<br>"_s + tr("Architecture: %1, %2 layers%3")
                                .arg(f.architecture)
                                .arg(f.layers)
                                .arg(f.hasMtp ? tr(" + MTP layer") : QString());
        text += u"<br>"_s + tr("Experts: %1 routed (%2 per token), %3 shared")
                                .arg(f.experts)
                                .arg(f.expertsUsed)
                                .arg(f.expertsShared);
        text += u"<br>"_s + tr("Parameters: %1 billion; hidden size %2")
                                .arg(QLocale().toString(params, 'f', params < 1 ? 3 : 1))
                                .arg(f.hiddenSize);
        text += u"<br>"_s + tr("Weights: %1").arg(formats.join(u", "_s).toHtmlEscaped());
        if (f.maxContext > 0)
            text += u"<br>"_s + tr("Longest context: %1 tokens")
                                    .arg(QLocale().toString(static_cast<qulonglong>(f.maxContext)));
        if (!m_demoPath.isEmpty() && m_path == m_demoPath)
            text += u"<br><i>"_s +
                    tr("This is GLM Desk's built-in demo model: tiny, for trying the app, not "
                       "for real answers.") +
                    u"</i>"_s;
        m_info->setText(text);
        m_gpuLayers->setMaximum(f.moeLayers);
    }
    refreshRecent();
    refreshEstimate();
}

} // namespace glmdesk::ui
