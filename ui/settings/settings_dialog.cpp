#include "ui/settings/settings_dialog.h"

#include "app/app_translator.h"
#include "ui/settings/connection_settings.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QEvent>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QPlainTextEdit>
#include <QSettings>
#include <QSpinBox>
#include <QStyleHints>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace glmdesk::ui {

namespace {

// The font the platform gave the app before any setting changed it: "font size 0" returns to it.
int platformPointSize()
{
    static const int size = QApplication::font().pointSize();
    return size;
}

template <typename E> E clampedEnum(int value, E last)
{
    return value < 0 || value > static_cast<int>(last) ? E{} : static_cast<E>(value);
}

} // namespace

// ------------------------------------------------------------------------------- AppSettings

app::SamplingSettings AppSettings::presetValues(SamplingPreset preset)
{
    switch (preset) {
    case SamplingPreset::Glm45Default:
    case SamplingPreset::Custom:
        return {}; // GLM45_SPEC.md section 8: temperature 0.6, top_p 0.95
    case SamplingPreset::Precise:
        return {0.3, 0.9, 0};
    case SamplingPreset::Creative:
        return {1.0, 0.95, 0};
    case SamplingPreset::Greedy:
        return {0.0, 1.0, 0};
    }
    return {};
}

AppSettings AppSettings::load()
{
    platformPointSize(); // remember it before anything changes the font
    QSettings s;
    AppSettings a;
    a.samplingPreset =
        clampedEnum(s.value(u"sampling/preset"_s, 0).toInt(), SamplingPreset::Custom);
    a.sampling = presetValues(a.samplingPreset);
    if (a.samplingPreset == SamplingPreset::Custom) {
        a.sampling.temperature =
            std::clamp(s.value(u"sampling/temperature"_s, 0.6).toDouble(), 0.0, 2.0);
        a.sampling.topP = std::clamp(s.value(u"sampling/topP"_s, 0.95).toDouble(), 0.01, 1.0);
        a.sampling.topK = std::clamp(s.value(u"sampling/topK"_s, 0).toInt(), 0, 1000);
    }
    a.promptPreset = clampedEnum(s.value(u"prompt/preset"_s, 0).toInt(), PromptPreset::Custom);
    a.customPrompt = s.value(u"prompt/custom"_s).toString();
    a.language = s.value(u"ui/language"_s).toString();
    a.theme = clampedEnum(s.value(u"ui/theme"_s, 0).toInt(), Theme::Dark);
    a.fontPointSize = std::clamp(s.value(u"ui/fontPointSize"_s, 0).toInt(), 0, 48);
    a.autoAllowReadOnlyTools = s.value(u"tools/autoAllowReadOnly"_s, false).toBool();
    return a;
}

void AppSettings::save() const
{
    QSettings s;
    s.setValue(u"sampling/preset"_s, static_cast<int>(samplingPreset));
    s.setValue(u"sampling/temperature"_s, sampling.temperature);
    s.setValue(u"sampling/topP"_s, sampling.topP);
    s.setValue(u"sampling/topK"_s, sampling.topK);
    s.setValue(u"prompt/preset"_s, static_cast<int>(promptPreset));
    s.setValue(u"prompt/custom"_s, customPrompt);
    s.setValue(u"ui/language"_s, language);
    s.setValue(u"ui/theme"_s, static_cast<int>(theme));
    s.setValue(u"ui/fontPointSize"_s, fontPointSize);
    s.setValue(u"tools/autoAllowReadOnly"_s, autoAllowReadOnlyTools);
}

QString AppSettings::systemPrompt() const
{
    switch (promptPreset) {
    case PromptPreset::None:
        return {};
    case PromptPreset::Assistant:
        return SettingsDialog::tr("You are a helpful, honest assistant.");
    case PromptPreset::Concise:
        return SettingsDialog::tr(
            "You are a helpful assistant. Answer briefly and directly; skip preambles.");
    case PromptPreset::Coder:
        return SettingsDialog::tr(
            "You are an expert programmer. Give correct, idiomatic code in fenced blocks with "
            "the language named, and explain only what is not obvious.");
    case PromptPreset::Custom:
        return customPrompt;
    }
    return {};
}

void AppSettings::applyAppearance() const
{
    const Qt::ColorScheme scheme = theme == Theme::Light  ? Qt::ColorScheme::Light
                                   : theme == Theme::Dark ? Qt::ColorScheme::Dark
                                                          : Qt::ColorScheme::Unknown;
    QGuiApplication::styleHints()->setColorScheme(scheme);
    QFont font = QApplication::font();
    const int size = fontPointSize > 0 ? fontPointSize : platformPointSize();
    if (size > 0 && font.pointSize() != size) {
        font.setPointSize(size);
        QApplication::setFont(font);
    }
}

// ---------------------------------------------------------------------------- SettingsDialog

SettingsDialog::SettingsDialog(app::AppTranslator *translator, QWidget *parent)
    : QDialog(parent), m_translator(translator), m_settings(AppSettings::load())
{
    setObjectName(u"settingsDialog"_s);
    m_samplingPreset = new QComboBox(this);
    m_samplingPreset->setObjectName(u"samplingPreset"_s);
    m_temperature = new QDoubleSpinBox(this);
    m_temperature->setObjectName(u"temperature"_s);
    m_temperature->setRange(0.0, 2.0);
    m_temperature->setSingleStep(0.05);
    m_topP = new QDoubleSpinBox(this);
    m_topP->setObjectName(u"topP"_s);
    m_topP->setRange(0.01, 1.0);
    m_topP->setSingleStep(0.01);
    m_topK = new QSpinBox(this);
    m_topK->setObjectName(u"topK"_s);
    m_topK->setRange(0, 1000);
    m_promptPreset = new QComboBox(this);
    m_promptPreset->setObjectName(u"promptPreset"_s);
    m_prompt = new QPlainTextEdit(this);
    m_prompt->setObjectName(u"systemPrompt"_s);
    m_prompt->setTabChangesFocus(true);
    m_language = new QComboBox(this);
    m_language->setObjectName(u"language"_s);
    m_theme = new QComboBox(this);
    m_theme->setObjectName(u"theme"_s);
    m_fontSize = new QSpinBox(this);
    m_fontSize->setObjectName(u"fontSize"_s);
    m_fontSize->setRange(0, 48);
    m_note = new QLabel(this);
    m_note->setWordWrap(true);
    m_autoAllowReadOnly = new QCheckBox(this);
    m_autoAllowReadOnly->setObjectName(u"autoAllowReadOnlyTools"_s);
    m_autoAllowReadOnly->setChecked(m_settings.autoAllowReadOnlyTools);

    m_samplingBox = new QGroupBox(this);
    m_samplingForm = new QFormLayout(m_samplingBox);
    m_samplingForm->addRow(QString(), m_samplingPreset);
    m_samplingForm->addRow(QString(), m_temperature);
    m_samplingForm->addRow(QString(), m_topP);
    m_samplingForm->addRow(QString(), m_topK);
    m_promptBox = new QGroupBox(this);
    m_promptForm = new QFormLayout(m_promptBox);
    m_promptForm->addRow(QString(), m_promptPreset);
    m_promptForm->addRow(m_prompt);
    m_appearanceBox = new QGroupBox(this);
    m_appearanceForm = new QFormLayout(m_appearanceBox);
    m_appearanceForm->addRow(QString(), m_language);
    m_appearanceForm->addRow(QString(), m_theme);
    m_appearanceForm->addRow(QString(), m_fontSize);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_samplingBox);
    layout->addWidget(m_promptBox);
    layout->addWidget(m_appearanceBox);
    layout->addWidget(m_autoAllowReadOnly);
    layout->addWidget(new ConnectionBox(this));
    layout->addWidget(m_note);
    layout->addWidget(buttons);

    retranslateUi();

    const auto changed = [this] { updateFromWidgets(); };
    connect(m_samplingPreset, &QComboBox::currentIndexChanged, this, [this] {
        if (m_updating)
            return;
        m_settings.samplingPreset =
            static_cast<AppSettings::SamplingPreset>(m_samplingPreset->currentIndex());
        if (m_settings.samplingPreset != AppSettings::SamplingPreset::Custom)
            m_settings.sampling = AppSettings::presetValues(m_settings.samplingPreset);
        showSampling();
        updateFromWidgets();
    });
    // Editing a value makes the preset "Custom".
    const auto edited = [this] {
        if (m_updating)
            return;
        m_settings.samplingPreset = AppSettings::SamplingPreset::Custom;
        m_settings.sampling = {m_temperature->value(), m_topP->value(), m_topK->value()};
        showSampling();
        updateFromWidgets();
    };
    connect(m_temperature, &QDoubleSpinBox::valueChanged, this, edited);
    connect(m_topP, &QDoubleSpinBox::valueChanged, this, edited);
    connect(m_topK, &QSpinBox::valueChanged, this, edited);
    connect(m_promptPreset, &QComboBox::currentIndexChanged, this, [this] {
        if (m_updating)
            return;
        m_settings.promptPreset =
            static_cast<AppSettings::PromptPreset>(m_promptPreset->currentIndex());
        fillCombos();
        updateFromWidgets();
    });
    connect(m_prompt, &QPlainTextEdit::textChanged, this, [this] {
        if (m_updating)
            return;
        m_settings.promptPreset = AppSettings::PromptPreset::Custom;
        m_settings.customPrompt = m_prompt->toPlainText();
        m_updating = true;
        m_promptPreset->setCurrentIndex(static_cast<int>(AppSettings::PromptPreset::Custom));
        m_updating = false;
        updateFromWidgets();
    });
    connect(m_language, &QComboBox::currentIndexChanged, this, [this] {
        if (m_updating)
            return;
        m_settings.language = m_language->currentData().toString();
        updateFromWidgets();
        // Retranslates every widget, this dialog included (LanguageChange), which refills this
        // very combo box: so not from inside its own signal.
        if (m_translator)
            QMetaObject::invokeMethod(
                this, [this] { m_translator->setLanguage(m_settings.language); },
                Qt::QueuedConnection);
    });
    connect(m_theme, &QComboBox::currentIndexChanged, this, changed);
    connect(m_autoAllowReadOnly, &QCheckBox::toggled, this, [this](bool on) {
        m_settings.autoAllowReadOnlyTools = on;
        updateFromWidgets();
    });
    connect(m_fontSize, &QSpinBox::valueChanged, this, changed);
}

void SettingsDialog::updateFromWidgets()
{
    if (m_updating)
        return;
    if (m_settings.samplingPreset == AppSettings::SamplingPreset::Custom) {
        m_settings.sampling.temperature = m_temperature->value();
        m_settings.sampling.topP = m_topP->value();
        m_settings.sampling.topK = m_topK->value();
    }
    m_settings.theme = static_cast<AppSettings::Theme>(std::max(0, m_theme->currentIndex()));
    m_settings.fontPointSize = m_fontSize->value();
    m_settings.save();
    m_settings.applyAppearance();
    Q_EMIT settingsChanged();
}

void SettingsDialog::showSampling()
{
    m_updating = true;
    m_samplingPreset->setCurrentIndex(static_cast<int>(m_settings.samplingPreset));
    m_temperature->setValue(m_settings.sampling.temperature);
    m_topP->setValue(m_settings.sampling.topP);
    m_topK->setValue(m_settings.sampling.topK);
    m_updating = false;
}

void SettingsDialog::fillCombos()
{
    m_updating = true;
    m_samplingPreset->clear();
    m_samplingPreset->addItems({tr("GLM-4.5 default (temperature 0.6, top-p 0.95)"),
                                tr("Precise (temperature 0.3, top-p 0.9)"),
                                tr("Creative (temperature 1.0, top-p 0.95)"),
                                tr("Greedy (always the most likely token)"), tr("Custom")});
    m_promptPreset->clear();
    m_promptPreset->addItems(
        {tr("None"), tr("Helpful assistant"), tr("Concise"), tr("Programmer"), tr("Custom")});
    m_promptPreset->setCurrentIndex(static_cast<int>(m_settings.promptPreset));
    // The preset's text, shown (and editable: editing makes it Custom).
    if (m_prompt->toPlainText() != m_settings.systemPrompt())
        m_prompt->setPlainText(m_settings.systemPrompt());
    m_language->clear();
    m_language->addItem(tr("System language"), QString());
    // Language names are written in their own language, so anyone can find theirs.
    m_language->addItem(u"English"_s, u"en"_s);
    m_language->addItem(u"简体中文"_s, u"zh_CN"_s);
    const QString language = m_translator && !m_settings.language.isEmpty()
                                 ? m_translator->language()
                                 : m_settings.language;
    m_language->setCurrentIndex(std::max(0, m_language->findData(language)));
    m_theme->clear();
    m_theme->addItems({tr("System"), tr("Light"), tr("Dark")});
    m_theme->setCurrentIndex(static_cast<int>(m_settings.theme));
    m_fontSize->setSpecialValueText(tr("Default"));
    m_fontSize->setSuffix(tr(" pt"));
    m_fontSize->setValue(m_settings.fontPointSize);
    m_updating = false;
    showSampling();
}

void SettingsDialog::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    QDialog::changeEvent(event);
}

void SettingsDialog::retranslateUi()
{
    setWindowTitle(tr("Settings"));
    m_samplingBox->setTitle(tr("Sampling"));
    m_promptBox->setTitle(tr("System prompt for new conversations"));
    m_appearanceBox->setTitle(tr("Appearance"));
    const auto label = [](QFormLayout *form, QWidget *field, const QString &text) {
        if (auto *l = qobject_cast<QLabel *>(form->labelForField(field)))
            l->setText(text);
        field->setAccessibleName(QString(text).remove(u'&').remove(u':'));
    };
    label(m_samplingForm, m_samplingPreset, tr("&Preset:"));
    label(m_samplingForm, m_temperature, tr("&Temperature:"));
    label(m_samplingForm, m_topP, tr("Top-&p:"));
    label(m_samplingForm, m_topK, tr("Top-&k (0 = off):"));
    label(m_promptForm, m_promptPreset, tr("P&reset:"));
    m_prompt->setAccessibleName(tr("System prompt"));
    m_autoAllowReadOnly->setText(tr("Auto-allow read-only tools (list, read, search, git status "
                                    "and diff) in project folders"));
    m_autoAllowReadOnly->setAccessibleName(tr("Auto-allow read-only tools"));
    label(m_appearanceForm, m_language, tr("&Language:"));
    label(m_appearanceForm, m_theme, tr("T&heme:"));
    label(m_appearanceForm, m_fontSize, tr("&Font size:"));
    m_note->setText(tr("Changes apply at once. Sampling and the system prompt apply to the next "
                       "answer and to new conversations."));
    fillCombos(); // the presets' names and texts are translated too
}

} // namespace glmdesk::ui
