// The conversation page: the transcript above, the composer below. Answers arrive as deltas and
// are appended at the end of the transcript (never re-set), thinking in a quieter colour.
#pragma once

#include <QWidget>

class QCheckBox;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTextBrowser;

namespace glmdesk::ui {

class ChatPage : public QWidget
{
    Q_OBJECT
public:
    explicit ChatPage(QWidget *parent = nullptr);

    // Enables the composer once a model can answer; shows why it cannot otherwise.
    void setReady(bool ready, const QString &reason = {});
    // While an answer streams, Send becomes Stop.
    void setGenerating(bool generating);
    void setStatus(const QString &text);

    void addUserMessage(const QString &text);
    void beginAnswer();
    void appendThinking(const QString &text);
    void appendAnswer(const QString &text);
    void endAnswer(const QString &note = {});
    void clearTranscript();

    QString draft() const;
    QString transcriptText() const;

Q_SIGNALS:
    void sendRequested(const QString &text, bool thinking);
    void stopRequested();

protected:
    void changeEvent(QEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    enum class Block { None, Thinking, Answer };
    void retranslateUi();
    void send();
    void appendStyled(const QString &text, Block kind);

    QTextBrowser *m_transcript = nullptr;
    QLabel *m_status = nullptr;
    QPlainTextEdit *m_composer = nullptr;
    QCheckBox *m_thinking = nullptr;
    QPushButton *m_sendButton = nullptr;
    bool m_ready = false;
    bool m_generating = false;
    Block m_block = Block::None;
};

} // namespace glmdesk::ui
