// The conversation page: the transcript (ChatView: one widget per message) above, the composer
// below. Answers arrive as deltas and are appended to the last message, never re-set; thinking
// goes to that answer's collapsible panel.
//
// Regenerate and Edit-and-resend only ask: the page emits regenerateRequested() or
// editResendRequested() and the owner decides, then calls removeLastAnswer() /
// truncateFromUserMessage() and streams the new answer through the usual calls. Their buttons
// appear only while something is connected to those signals, the page is ready and no answer is
// streaming, so a button never does nothing.
#pragma once

#include <QWidget>

class QLabel;
class QShortcut;

namespace glmdesk::ui {

class AssistantMessageWidget;
class ChatView;
class Composer;

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

    // --- added for regenerate / edit-and-resend and reloaded conversations
    // Removes the last message if it is an answer (before regenerating it); false if it is not.
    bool removeLastAnswer();
    // Removes user message number userMessageIndex (0 = the first) and everything after it.
    void truncateFromUserMessage(int userMessageIndex);
    int userMessageCount() const;
    // How long the current (or else the last) answer thought, for answers reloaded from the store.
    void setThinkingDuration(qint64 milliseconds);
    bool thinkingEnabled() const;
    void setThinkingEnabled(bool enabled);
    ChatView *chatView() const { return m_view; }

Q_SIGNALS:
    void sendRequested(const QString &text, bool thinking);
    void stopRequested();
    // The reader asked for a new answer to the last message.
    void regenerateRequested();
    // The reader edited user message number userMessageIndex and wants it sent as text.
    void editResendRequested(int userMessageIndex, const QString &text);
    void thinkingToggled(bool enabled);

protected:
    void connectNotify(const QMetaMethod &signal) override;
    void disconnectNotify(const QMetaMethod &signal) override;

private:
    void updateMessageActions();

    ChatView *m_view = nullptr;
    QLabel *m_status = nullptr;
    Composer *m_composer = nullptr;
    QShortcut *m_stopShortcut = nullptr;
    bool m_ready = false;
    bool m_generating = false;
};

} // namespace glmdesk::ui
