// The one KSyntaxHighlighting::Repository of the app, and the two questions the UI asks it: which
// definition a Markdown fence names ("```cpp", "```py", "```c++") and which theme suits the
// current palette. Loading the repository reads the metadata of every syntax definition, so it is
// built once, lazily, on the UI thread, and shared by every code view.
#pragma once

#include <KSyntaxHighlighting/Definition>
#include <KSyntaxHighlighting/Theme>

#include <QString>

class QPalette;

namespace KSyntaxHighlighting {
class Repository;
}

namespace glmdesk::ui {

KSyntaxHighlighting::Repository &syntaxRepository();

// The language named by a fence's info string; an invalid Definition (plain text) when the
// string names nothing we know. Only the first word counts ("```python title=x" is Python).
KSyntaxHighlighting::Definition definitionForFence(const QString &infoString);

// A light theme on a light palette and a dark one on a dark palette.
KSyntaxHighlighting::Theme themeForPalette(const QPalette &palette);

// The file suffix a "Save as…" dialog should propose for a definition ("cpp", "py"); "txt" for
// plain text.
QString suggestedSuffix(const KSyntaxHighlighting::Definition &definition);

} // namespace glmdesk::ui
