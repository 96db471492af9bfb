// Settings (Ctrl+,): sampling presets, system-prompt presets, language, theme and font size.
// Every change applies at once and is written to QSettings (the XDG config file), so there is no
// OK/Cancel pair to get wrong and the language switches while the dialog is open.
#pragma once

#include "app/chat_engine.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QGroupBox;
class QLabel;
class QPlainTextEdit;
class QSpinBox;

namespace glmdesk::app {
class AppTranslator;
}

namespace glmdesk::ui {

// The settings as stored. load() fills missing keys with the defaults.
struct AppSettings
{
    enum class SamplingPreset { Glm45Default, Precise, Creative, Greedy, Custom };
    enum class PromptPreset { None, Assistant, Concise, Coder, Custom };
    enum class Theme { System, Light, Dark };

    SamplingPreset samplingPreset = SamplingPreset::Glm45Default;
    app::SamplingSettings sampling; // the preset's values, or the user's for Custom
    PromptPreset promptPreset = PromptPreset::None;
    QString customPrompt;
    QString language; // "en", "zh_CN", empty = the system's
    Theme theme = Theme::System;
    int fontPointSize = 0; // 0 = the platform's
    // Code assistant: read-only tools (list, read, search, git status/diff) run without asking.
    bool autoAllowReadOnlyTools = false;

    static AppSettings load();
    void save() const;

    static app::SamplingSettings presetValues(SamplingPreset preset);
    // The system prompt sent with a new conversation (translated presets, or the custom text).
    QString systemPrompt() const;
    // Theme and font size on the running application.
    void applyAppearance() const;
};

class SettingsDialog : public QDialog
{
    Q_OBJECT
public:
    explicit SettingsDialog(app::AppTranslator *translator, QWidget *parent = nullptr);

    AppSettings settings() const { return m_settings; }

Q_SIGNALS:
    void settingsChanged();

protected:
    void changeEvent(QEvent *event) override;

private:
    void retranslateUi();
    void fillCombos();
    void updateFromWidgets();
    void showSampling();

    app::AppTranslator *m_translator;
    AppSettings m_settings;
    bool m_updating = false;

    QGroupBox *m_samplingBox = nullptr;
    QGroupBox *m_promptBox = nullptr;
    QGroupBox *m_appearanceBox = nullptr;
    QFormLayout *m_samplingForm = nullptr;
    QFormLayout *m_promptForm = nullptr;
    QFormLayout *m_appearanceForm = nullptr;
    QComboBox *m_samplingPreset = nullptr;
    QDoubleSpinBox *m_temperature = nullptr;
    QDoubleSpinBox *m_topP = nullptr;
    QSpinBox *m_topK = nullptr;
    QComboBox *m_promptPreset = nullptr;
    QPlainTextEdit *m_prompt = nullptr;
    QComboBox *m_language = nullptr;
    QComboBox *m_theme = nullptr;
    QSpinBox *m_fontSize = nullptr;
    QLabel *m_note = nullptr;
    QCheckBox *m_autoAllowReadOnly = nullptr;
};

} // namespace glmdesk::ui
