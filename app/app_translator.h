// Loads the UI language: our own embedded catalogue plus Qt's (dialog buttons, context menus),
// and can switch it at run time without a restart.
#pragma once

#include <QObject>
#include <QTranslator>

#include <memory>

namespace glmdesk::app {

class AppTranslator : public QObject
{
    Q_OBJECT
public:
    explicit AppTranslator(QObject *parent = nullptr);
    ~AppTranslator() override;

    // "zh_CN", "en", or empty for the system language. Returns false (and keeps English) when the
    // language has no catalogue; English needs none.
    bool setLanguage(const QString &language);
    QString language() const { return m_language; }

    static QStringList availableLanguages();

private:
    std::unique_ptr<QTranslator> m_app;
    std::unique_ptr<QTranslator> m_qt;
    QString m_language;
};

} // namespace glmdesk::app
