// The transcript: one widget per message in a scroll area (not one big QTextBrowser), because a
// message is more than text (thinking panel, code blocks with buttons, per-message actions) and
// because a widget per message keeps streaming cheap: only the last message grows, the others keep
// their cached heights and are never laid out again.
//
// Messages sit in a centred column at most kColumnWidth wide, so lines stay readable on wide
// screens. The view sticks to the bottom while the reader is there; scrolling up stops the
// following, scrolling back to the bottom resumes it.
#pragma once

#include <QScrollArea>

class QVBoxLayout;

namespace glmdesk::ui {

class AssistantMessageWidget;
class MessageWidget;
class UserMessageWidget;

class ChatView : public QScrollArea
{
    Q_OBJECT
public:
    explicit ChatView(QWidget *parent = nullptr);

    UserMessageWidget *addUserMessage(const QString &text);
    AssistantMessageWidget *beginAnswer();
    // The answer being streamed, or null.
    AssistantMessageWidget *currentAnswer() const { return m_current; }
    void endAnswer(const QString &note);
    void clear();

    // Removes the user message with this index (counting user messages only) and all after it.
    void truncateFromUserMessage(int userMessageIndex);
    // Removes the last message if it is an answer.
    bool removeLastAnswer();

    // A widget between messages (a tool call's card): after the last message, removed with the
    // messages before it (clear, truncate).
    void addToolCard(QWidget *card);
    QList<QWidget *> toolCards() const;

    QList<MessageWidget *> messages() const { return m_messages; }
    int userMessageCount() const;
    AssistantMessageWidget *lastAnswer() const;
    QString transcriptText() const;

    // What the reader may do with messages right now (nothing while an answer streams).
    void setEditAvailable(bool available);
    void setRegenerateAvailable(bool available);

    bool isFollowingBottom() const { return m_follow; }
    void scrollToBottom();

    static constexpr int kColumnWidth = 860;

Q_SIGNALS:
    void regenerateRequested();
    void editResendRequested(int userMessageIndex, const QString &text);

protected:
    void changeEvent(QEvent *event) override;

private:
    void insertMessage(MessageWidget *message);
    void removeMessagesFrom(qsizetype index);
    void updateActions();

    QWidget *m_column = nullptr;
    QVBoxLayout *m_layout = nullptr;
    QList<MessageWidget *> m_messages;
    QList<QWidget *> m_cards;
    AssistantMessageWidget *m_current = nullptr;
    bool m_follow = true;
    bool m_scrolling = false;
    bool m_editAvailable = false;
    bool m_regenerateAvailable = false;
};

} // namespace glmdesk::ui
