#include "ui/code/highlighting.h"

#include <KSyntaxHighlighting/Repository>

#include <QHash>
#include <QPalette>

using namespace Qt::StringLiterals;

namespace glmdesk::ui {

KSyntaxHighlighting::Repository &syntaxRepository()
{
    static KSyntaxHighlighting::Repository repository;
    return repository;
}

KSyntaxHighlighting::Definition definitionForFence(const QString &infoString)
{
    const QString word = infoString.trimmed().section(u' ', 0, 0).toLower();
    if (word.isEmpty())
        return {};
    // Short names models write that are neither a definition's name nor a file suffix.
    static const QHash<QString, QString> aliases = {
        {u"sh"_s, u"Bash"_s},
        {u"shell"_s, u"Bash"_s},
        {u"zsh"_s, u"Zsh"_s},
        {u"console"_s, u"Bash"_s},
        {u"py"_s, u"Python"_s},
        {u"python3"_s, u"Python"_s},
        {u"js"_s, u"JavaScript"_s},
        {u"ts"_s, u"TypeScript"_s},
        {u"golang"_s, u"Go"_s},
        {u"c++"_s, u"C++"_s},
        {u"cxx"_s, u"C++"_s},
        {u"hpp"_s, u"C++"_s},
        {u"cuda"_s, u"CUDA"_s},
        {u"rs"_s, u"Rust"_s},
        {u"md"_s, u"Markdown"_s},
        {u"yml"_s, u"YAML"_s},
        {u"dockerfile"_s, u"Dockerfile"_s},
        {u"cmake"_s, u"CMake"_s},
        {u"ps1"_s, u"PowerShell"_s},
        {u"powershell"_s, u"PowerShell"_s},
        {u"objc"_s, u"Objective-C"_s},
        {u"kt"_s, u"Kotlin"_s},
        {u"cs"_s, u"C#"_s},
        {u"csharp"_s, u"C#"_s},
        {u"glsl"_s, u"GLSL"_s},
        {u"html"_s, u"HTML"_s},
        {u"xml"_s, u"XML"_s},
        {u"json"_s, u"JSON"_s},
        {u"sql"_s, u"SQL"_s},
    };
    static const QStringList plain = {u"text"_s, u"txt"_s, u"plain"_s, u"plaintext"_s};
    if (plain.contains(word))
        return {};
    KSyntaxHighlighting::Repository &repository = syntaxRepository();
    if (const auto alias = aliases.constFind(word); alias != aliases.constEnd()) {
        const auto definition = repository.definitionForName(alias.value());
        if (definition.isValid())
            return definition;
    }
    if (const auto definition = repository.definitionForName(word); definition.isValid())
        return definition;
    return repository.definitionForFileName(u"fence."_s + word);
}

KSyntaxHighlighting::Theme themeForPalette(const QPalette &palette)
{
    return syntaxRepository().themeForPalette(palette);
}

QString suggestedSuffix(const KSyntaxHighlighting::Definition &definition)
{
    if (definition.isValid()) {
        for (const QString &pattern : definition.extensions()) {
            // Patterns look like "*.cpp"; skip those with more wildcards ("*.h*") or none.
            if (pattern.startsWith(u"*."_s) && pattern.indexOf(u'*', 1) < 0 &&
                !pattern.contains(u'?') && !pattern.contains(u'['))
                return pattern.mid(2);
        }
    }
    return u"txt"_s;
}

} // namespace glmdesk::ui
