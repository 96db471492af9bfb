// A fenced code block inside an answer: a header with the language and the block's actions (Copy,
// Save as…, open in a larger view) above a CodeView that is exactly as tall as its code. While an
// answer streams, the block receives only appended text; an unterminated fence is simply a block
// that has not been closed yet.
#pragma once

#include <KSyntaxHighlighting/Definition>

#include <QFrame>

class QLabel;
class QToolButton;

namespace glmdesk::ui {

class CodeView;

class CodeBlock : public QFrame
{
    Q_OBJECT
public:
    // infoString: what followed the opening fence ("cpp", "python title=x", or nothing).
    explicit CodeBlock(const QString &infoString, QWidget *parent = nullptr);

    void appendCode(const QString &text);
    QString code() const;
    QString languageName() const; // the definition's name, or empty for plain text
    CodeView *view() const { return m_view; }

    // Opens the larger, scrolling view of this block (non-modal; it deletes itself on close).
    QWidget *openLargerView();

Q_SIGNALS:
    void copied();

protected:
    void changeEvent(QEvent *event) override;
    void paintEvent(QPaintEvent *event) override;

private:
    void retranslateUi();
    void saveAs();

    CodeView *m_view = nullptr;
    QLabel *m_language = nullptr;
    QToolButton *m_copy = nullptr;
    QToolButton *m_save = nullptr;
    QToolButton *m_expand = nullptr;
};

// Writes code to a file atomically (QSaveFile), ending it with a newline; false and a message
// naming the file on failure.
bool saveCodeToFile(const QString &path, const QString &code, QString *error);
// Asks where to save (suggesting a suffix for the language), saves, and says so if it failed.
void saveCodeWithDialog(QWidget *parent, const QString &code,
                        const KSyntaxHighlighting::Definition &definition);

} // namespace glmdesk::ui
