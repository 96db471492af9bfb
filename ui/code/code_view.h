// A read-only code view: QPlainTextEdit + the shared KSyntaxHighlighting repository + a line
// number gutter in the theme's colours. The highlighter stays attached while text is appended, so a
// streaming code block re-highlights only its last line.
//
// Two sizings. FitContents is the view inside a chat message: exactly as tall as its lines (the
// transcript scrolls, not the block), vertical wheel turns go to the transcript, long lines scroll
// sideways. Scroll is the larger view in a dialog: an ordinary scrolling editor.
#pragma once

#include <KSyntaxHighlighting/Definition>

#include <QPlainTextEdit>

namespace KSyntaxHighlighting {
class SyntaxHighlighter;
}

namespace glmdesk::ui {

class CodeView : public QPlainTextEdit
{
    Q_OBJECT
public:
    enum class Sizing { FitContents, Scroll };

    explicit CodeView(Sizing sizing, QWidget *parent = nullptr);
    ~CodeView() override;

    void setDefinition(const KSyntaxHighlighting::Definition &definition);
    KSyntaxHighlighting::Definition definition() const;
    KSyntaxHighlighting::SyntaxHighlighter *highlighter() const { return m_highlighter; }
    // The theme's name, for tests and for the larger view to follow the same theme.
    QString themeName() const;

    // Replaces the code / appends to it. A trailing newline is held back until more text comes,
    // so a block streamed line by line never shows an empty last line.
    void setCode(const QString &code);
    void appendCode(const QString &text);
    QString code() const;

    int gutterWidth() const;
    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void resizeEvent(QResizeEvent *event) override;
    void changeEvent(QEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;

private:
    class Gutter;
    void paintGutter(QPaintEvent *event);
    void updateGutter(const QRect &rect, int dy);
    void updateGutterWidth();
    void applyTheme();
    void applyFont();
    int contentHeight() const;

    Sizing m_sizing;
    Gutter *m_gutter = nullptr;
    KSyntaxHighlighting::SyntaxHighlighter *m_highlighter = nullptr;
    bool m_newlineHeld = false;
    bool m_applyingStyle = false;
    QString m_themeName;
};

} // namespace glmdesk::ui
