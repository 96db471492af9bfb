#include "app/app_translator.h"

#include <QCoreApplication>
#include <QLibraryInfo>
#include <QLocale>

using namespace Qt::StringLiterals;

namespace glmdesk::app {

AppTranslator::AppTranslator(QObject *parent) : QObject(parent) {}

AppTranslator::~AppTranslator()
{
    if (m_app)
        QCoreApplication::removeTranslator(m_app.get());
    if (m_qt)
        QCoreApplication::removeTranslator(m_qt.get());
}

QStringList AppTranslator::availableLanguages()
{
    return {u"en"_s, u"zh_CN"_s};
}

bool AppTranslator::setLanguage(const QString &language)
{
    if (!language.isEmpty() && !availableLanguages().contains(language))
        return false;
    const QLocale locale = language.isEmpty() ? QLocale::system() : QLocale(language);
    auto app = std::make_unique<QTranslator>();
    auto qt = std::make_unique<QTranslator>();
    // English is the source language: no catalogue needed, and "no file" is not an error.
    const bool english = locale.language() == QLocale::English || locale.language() == QLocale::C;
    const bool loaded = !english && app->load(locale, u"glmdesk"_s, u"_"_s, u":/i18n"_s);
    if (!english && !loaded && !language.isEmpty())
        return false;
    if (m_app)
        QCoreApplication::removeTranslator(m_app.get());
    if (m_qt)
        QCoreApplication::removeTranslator(m_qt.get());
    m_app.reset();
    m_qt.reset();
    if (loaded) {
        QCoreApplication::installTranslator(app.get());
        m_app = std::move(app);
        if (qt->load(locale, u"qtbase"_s, u"_"_s,
                     QLibraryInfo::path(QLibraryInfo::TranslationsPath))) {
            QCoreApplication::installTranslator(qt.get());
            m_qt = std::move(qt);
        }
    }
    m_language = loaded ? locale.name() : u"en"_s;
    return true;
}

} // namespace glmdesk::app
