// Where the user writes: a multi-line editor that grows with its text up to a few lines, the
// thinking switch (GLM-4.5's thinking on/off) and Send, which turns into Stop while an answer
// streams. Ctrl+Enter sends; plain Enter is a new line (multi-line prompts, and input methods that
// confirm with Enter); Esc stops.
#pragma once

#include <QWidget>

class QCheckBox;
class QPlainTextEdit;
class QPushButton;

namespace glmdesk::ui {

class Composer : public QWidget
{
    Q_OBJECT
public:
    explicit Composer(QWidget *parent = nullptr);

    void setReady(bool ready);
    void setGenerating(bool generating);
    bool isGenerating() const { return m_generating; }

    QString draft() const;
    void setDraft(const QString &text);
    bool thinkingEnabled() const;
    void setThinkingEnabled(bool enabled);
    QPlainTextEdit *editor() const { return m_editor; }

    // Sends the draft if there is one and sending is possible now.
    void send();

Q_SIGNALS:
    void sendRequested(const QString &text, bool thinking);
    void stopRequested();
    void thinkingToggled(bool enabled);

protected:
    void changeEvent(QEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void retranslateUi();
    void fitEditorHeight();

    QPlainTextEdit *m_editor = nullptr;
    QCheckBox *m_thinking = nullptr;
    QPushButton *m_sendButton = nullptr;
    bool m_ready = false;
    bool m_generating = false;
};

} // namespace glmdesk::ui
