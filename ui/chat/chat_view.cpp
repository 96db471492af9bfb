#include "ui/chat/chat_view.h"

#include "ui/chat/message_widget.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QScrollBar>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace glmdesk::ui {

namespace {
// How close to the bottom still counts as "at the bottom" (pixels): a last partial line.
constexpr int kBottomSlack = 24;
} // namespace

ChatView::ChatView(QWidget *parent) : QScrollArea(parent)
{
    setObjectName(u"transcript"_s);
    setFrameShape(QFrame::NoFrame);
    setWidgetResizable(true);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setBackgroundRole(QPalette::Base);

    auto *content = new QWidget;
    content->setObjectName(u"transcriptContent"_s);
    content->setBackgroundRole(QPalette::Base);
    m_column = new QWidget(content);
    m_column->setObjectName(u"transcriptColumn"_s);
    m_column->setMaximumWidth(kColumnWidth);
    QSizePolicy columnPolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    columnPolicy.setHeightForWidth(true);
    m_column->setSizePolicy(columnPolicy);
    m_layout = new QVBoxLayout(m_column);
    m_layout->setContentsMargins(0, 0, 0, 0);
    m_layout->setSpacing(16);
    m_layout->addStretch(1);

    auto *centre = new QHBoxLayout(content);
    centre->setContentsMargins(20, 16, 20, 16);
    centre->addStretch(0);
    centre->addWidget(m_column, 1);
    centre->addStretch(0);
    setWidget(content);
    setAccessibleName(tr("Conversation"));

    // Follow the bottom while the reader is there: a growing range pulls the view down, and any
    // scroll that leaves the bottom (wheel, drag, keys) stops the following until they come back.
    QScrollBar *bar = verticalScrollBar();
    connect(bar, &QScrollBar::valueChanged, this, [this, bar](int value) {
        if (!m_scrolling)
            m_follow = value >= bar->maximum() - kBottomSlack;
    });
    connect(bar, &QScrollBar::rangeChanged, this, [this, bar](int, int maximum) {
        if (!m_follow)
            return;
        m_scrolling = true;
        bar->setValue(maximum);
        m_scrolling = false;
    });
}

void ChatView::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        setAccessibleName(tr("Conversation"));
    QScrollArea::changeEvent(event);
}

void ChatView::scrollToBottom()
{
    m_follow = true;
    m_scrolling = true;
    verticalScrollBar()->setValue(verticalScrollBar()->maximum());
    m_scrolling = false;
}

void ChatView::insertMessage(MessageWidget *message)
{
    // Before the stretch that keeps the messages at the top of a short transcript.
    m_layout->insertWidget(m_layout->count() - 1, message);
    m_messages.append(message);
}

UserMessageWidget *ChatView::addUserMessage(const QString &text)
{
    auto *message = new UserMessageWidget(text, m_column);
    connect(message, &UserMessageWidget::editSubmitted, this, [this, message](const QString &t) {
        int index = 0;
        for (MessageWidget *m : std::as_const(m_messages)) {
            if (m == message)
                break;
            if (m->role() == MessageWidget::Role::User)
                ++index;
        }
        Q_EMIT editResendRequested(index, t);
    });
    insertMessage(message);
    // Sending is a deliberate act: whatever the reader was looking at, show them their message.
    scrollToBottom();
    updateActions();
    return message;
}

AssistantMessageWidget *ChatView::beginAnswer()
{
    if (m_current)
        endAnswer({});
    m_current = new AssistantMessageWidget(m_column);
    connect(m_current, &AssistantMessageWidget::regenerateRequested, this,
            &ChatView::regenerateRequested);
    insertMessage(m_current);
    updateActions();
    return m_current;
}

void ChatView::endAnswer(const QString &note)
{
    if (!m_current)
        return;
    m_current->finish(note);
    m_current = nullptr;
    updateActions();
}

void ChatView::clear()
{
    removeMessagesFrom(0);
}

void ChatView::addToolCard(QWidget *card)
{
    card->setParent(m_column);
    m_layout->insertWidget(m_layout->count() - 1, card);
    m_cards.append(card);
    card->show();
}

QList<QWidget *> ChatView::toolCards() const
{
    return m_cards;
}

void ChatView::removeMessagesFrom(qsizetype index)
{
    // Cards after the first removed message go with it.
    const int from = index < m_messages.size() ? m_layout->indexOf(m_messages.at(index)) : -1;
    if (index == 0 || from >= 0) {
        for (qsizetype i = m_cards.size() - 1; i >= 0; --i) {
            QWidget *card = m_cards.at(i);
            if (index != 0 && m_layout->indexOf(card) < from)
                continue;
            m_cards.removeAt(i);
            m_layout->removeWidget(card);
            card->hide();
            card->deleteLater();
        }
    }
    while (m_messages.size() > index) {
        MessageWidget *message = m_messages.takeLast();
        if (message == m_current)
            m_current = nullptr;
        m_layout->removeWidget(message);
        message->hide();
        message->deleteLater();
    }
    updateActions();
}

void ChatView::truncateFromUserMessage(int userMessageIndex)
{
    int seen = 0;
    for (qsizetype i = 0; i < m_messages.size(); ++i) {
        if (m_messages.at(i)->role() != MessageWidget::Role::User)
            continue;
        if (seen == userMessageIndex) {
            removeMessagesFrom(i);
            return;
        }
        ++seen;
    }
}

bool ChatView::removeLastAnswer()
{
    if (m_messages.isEmpty() || m_messages.last()->role() != MessageWidget::Role::Assistant)
        return false;
    removeMessagesFrom(m_messages.size() - 1);
    return true;
}

int ChatView::userMessageCount() const
{
    return int(std::count_if(m_messages.begin(), m_messages.end(), [](const MessageWidget *m) {
        return m->role() == MessageWidget::Role::User;
    }));
}

AssistantMessageWidget *ChatView::lastAnswer() const
{
    for (auto it = m_messages.crbegin(); it != m_messages.crend(); ++it) {
        if ((*it)->role() == MessageWidget::Role::Assistant)
            return static_cast<AssistantMessageWidget *>(*it);
    }
    return nullptr;
}

QString ChatView::transcriptText() const
{
    QStringList parts;
    for (const MessageWidget *message : m_messages)
        parts.append(message->transcriptText());
    return parts.join(u"\n\n"_s);
}

void ChatView::setEditAvailable(bool available)
{
    m_editAvailable = available;
    updateActions();
}

void ChatView::setRegenerateAvailable(bool available)
{
    m_regenerateAvailable = available;
    updateActions();
}

void ChatView::updateActions()
{
    // Regenerate belongs to the last answer only, and only once it is complete.
    const bool idle = m_current == nullptr;
    for (qsizetype i = 0; i < m_messages.size(); ++i) {
        MessageWidget *message = m_messages.at(i);
        if (message->role() == MessageWidget::Role::User) {
            static_cast<UserMessageWidget *>(message)->setEditable(m_editAvailable && idle);
        } else {
            static_cast<AssistantMessageWidget *>(message)->setRegenerateVisible(
                m_regenerateAvailable && idle && i == m_messages.size() - 1);
        }
    }
}

} // namespace glmdesk::ui
