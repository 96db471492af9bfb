// The place to choose and load a model: recent models, what a file is before anything is loaded,
// how its bytes would be placed (GPU / CPU / KV cache) for the chosen context and KV type, and the
// load itself with progress and cancel. Reading a file's header can touch a slow disk, so it runs
// on a worker thread; the estimate is recomputed on the UI thread from the footprint it leaves,
// which is cheap, so it follows every control as it moves.
#pragma once

#include "app/chat_engine.h"
#include "app/model_inspector.h"

#include <QDialog>
#include <QStringList>

#include <cstdint>
#include <memory>
#include <optional>

class QComboBox;
class QLabel;
class QListWidget;
class QProgressBar;
class QPushButton;
class QSettings;
class QSpinBox;

namespace glmdesk::ui {

class ModelPanel : public QDialog
{
    Q_OBJECT
public:
    // settings: where recent models and per-model options live (the app's QSettings).
    explicit ModelPanel(QSettings *settings, QWidget *parent = nullptr);
    ~ModelPanel() override;

    // Shows `path` (a .gguf, any part of a split set, or a Hugging Face folder) and reads its info.
    void showModel(const QString &path);
    QString currentPath() const { return m_path; }
    // The built-in demo model, which the info marks as a demo.
    void setDemoModelPath(const QString &path) { m_demoPath = path; }

    QStringList recentModels() const;
    void addRecent(const QString &path); // newest first, at most kMaxRecent
    void removeRecent(const QString &path);
    static constexpr int kMaxRecent = 10;

    // The options the controls hold (saved per model when a load starts).
    app::LoadOptions loadOptions() const;
    // The options last used for `path`, or the defaults.
    app::LoadOptions savedOptions(const QString &path) const;

    // The estimate for the current model and controls, once its info has been read.
    std::optional<app::MemoryEstimate> estimate() const;
    bool infoReady() const;
    QString infoError() const { return m_infoError; }
    QString infoText() const;

    // The load the window started for this panel: progress, then done (ok or an error).
    void setLoadProgress(double fraction);
    void setLoadFinished(bool ok, const QString &message);

Q_SIGNALS:
    void loadRequested(const QString &path, const glmdesk::app::LoadOptions &options);
    void cancelLoadRequested();
    void infoUpdated(); // the info (or its error) for currentPath() is shown

protected:
    void changeEvent(QEvent *event) override;

private:
    void retranslateUi();
    void refreshRecent();
    void refreshEstimate();
    void applyOptions(const app::LoadOptions &options);
    void saveOptions(const QString &path, const app::LoadOptions &options);
    void chooseFile();
    void chooseFolder();
    void startLoad();

    QSettings *m_settings = nullptr;
    QString m_path;
    QString m_demoPath;
    QString m_infoError;
    std::shared_ptr<const app::ModelInspection> m_data; // null while reading or on error
    quint64 m_infoGeneration = 0; // a newer request makes an older answer stale
    bool m_loading = false;

    QListWidget *m_recent = nullptr;
    QPushButton *m_openFileButton = nullptr;
    QPushButton *m_openFolderButton = nullptr;
    QPushButton *m_removeButton = nullptr;
    QLabel *m_recentTitle = nullptr;
    QLabel *m_info = nullptr;
    QLabel *m_contextLabel = nullptr;
    QSpinBox *m_context = nullptr;
    QLabel *m_kvLabel = nullptr;
    QComboBox *m_kvType = nullptr;
    QLabel *m_gpuLabel = nullptr;
    QSpinBox *m_gpuLayers = nullptr;
    QLabel *m_threadsLabel = nullptr;
    QSpinBox *m_threads = nullptr;
    QLabel *m_draftsLabel = nullptr;
    QSpinBox *m_drafts = nullptr;
    QLabel *m_estimateTitle = nullptr;
    QLabel *m_estimate = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_loadStatus = nullptr;
    QPushButton *m_loadButton = nullptr;
    QPushButton *m_cancelButton = nullptr;
    QPushButton *m_closeButton = nullptr;
};

} // namespace glmdesk::ui
