#include "app/backend_summary.h"

#include "engine/engine.h"

#include <QStringList>

namespace glmdesk::app {

QString compiledBackendsText()
{
    QStringList names;
    for (const std::string_view name : engine::compiled_backends())
        names << QString::fromUtf8(name.data(), static_cast<qsizetype>(name.size()));
    return names.join(QStringLiteral(" · "));
}

QString versionLine()
{
    return QString::fromStdString(engine::version_line("glmdesk"));
}

} // namespace glmdesk::app
