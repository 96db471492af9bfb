#include "ui/chat/chat_page.h"

#include "ui/chat/chat_view.h"
#include "ui/chat/composer.h"
#include "ui/chat/message_widget.h"

#include <QLabel>
#include <QMetaMethod>
#include <QPlainTextEdit>
#include <QShortcut>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace glmdesk::ui {

ChatPage::ChatPage(QWidget *parent) : QWidget(parent)
{
    setObjectName(u"chatPage"_s);
    m_view = new ChatView(this);

    m_status = new QLabel(this);
    m_status->setObjectName(u"chatStatus"_s);
    m_status->setWordWrap(true);
    m_status->setForegroundRole(QPalette::PlaceholderText);

    m_composer = new Composer(this);

    auto *bottom = new QVBoxLayout;
    bottom->setContentsMargins(16, 8, 16, 12);
    bottom->setSpacing(6);
    bottom->addWidget(m_status);
    bottom->addWidget(m_composer);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_view, 1);
    layout->addLayout(bottom);

    // Esc stops wherever the focus is on this page (the composer handles it too, for when the
    // window is not the active one and shortcuts do not fire).
    m_stopShortcut = new QShortcut(QKeySequence(Qt::Key_Escape), this);
    m_stopShortcut->setContext(Qt::WidgetWithChildrenShortcut);
    m_stopShortcut->setEnabled(false);
    connect(m_stopShortcut, &QShortcut::activated, this, [this] {
        if (m_generating)
            Q_EMIT stopRequested();
    });

    connect(m_composer, &Composer::sendRequested, this, &ChatPage::sendRequested);
    connect(m_composer, &Composer::stopRequested, this, &ChatPage::stopRequested);
    connect(m_composer, &Composer::thinkingToggled, this, &ChatPage::thinkingToggled);
    connect(m_view, &ChatView::regenerateRequested, this, [this] {
        if (m_ready && !m_generating)
            Q_EMIT regenerateRequested();
    });
    connect(m_view, &ChatView::editResendRequested, this, [this](int index, const QString &text) {
        if (m_ready && !m_generating)
            Q_EMIT editResendRequested(index, text);
    });
    setFocusProxy(m_composer->editor());
    setReady(false);
}

void ChatPage::setReady(bool ready, const QString &reason)
{
    m_ready = ready;
    m_composer->setReady(ready);
    setStatus(reason);
    updateMessageActions();
}

void ChatPage::setGenerating(bool generating)
{
    m_generating = generating;
    m_composer->setGenerating(generating);
    m_stopShortcut->setEnabled(generating);
    updateMessageActions();
}

void ChatPage::setStatus(const QString &text)
{
    m_status->setVisible(!text.isEmpty());
    m_status->setText(text);
}

QString ChatPage::draft() const
{
    return m_composer->draft();
}

QString ChatPage::transcriptText() const
{
    return m_view->transcriptText();
}

void ChatPage::addUserMessage(const QString &text)
{
    m_view->addUserMessage(text);
}

void ChatPage::beginAnswer()
{
    m_view->beginAnswer();
}

void ChatPage::appendThinking(const QString &text)
{
    if (AssistantMessageWidget *answer = m_view->currentAnswer())
        answer->appendThinking(text);
}

void ChatPage::appendAnswer(const QString &text)
{
    if (AssistantMessageWidget *answer = m_view->currentAnswer())
        answer->appendAnswer(text);
}

void ChatPage::endAnswer(const QString &note)
{
    m_view->endAnswer(note);
}

void ChatPage::clearTranscript()
{
    m_view->clear();
}

bool ChatPage::removeLastAnswer()
{
    return m_view->removeLastAnswer();
}

void ChatPage::truncateFromUserMessage(int userMessageIndex)
{
    m_view->truncateFromUserMessage(userMessageIndex);
}

int ChatPage::userMessageCount() const
{
    return m_view->userMessageCount();
}

void ChatPage::setThinkingDuration(qint64 milliseconds)
{
    AssistantMessageWidget *answer = m_view->currentAnswer();
    if (!answer)
        answer = m_view->lastAnswer();
    if (answer)
        answer->setThinkingDuration(milliseconds);
}

bool ChatPage::thinkingEnabled() const
{
    return m_composer->thinkingEnabled();
}

void ChatPage::setThinkingEnabled(bool enabled)
{
    m_composer->setThinkingEnabled(enabled);
}

void ChatPage::updateMessageActions()
{
    const bool idle = m_ready && !m_generating;
    m_view->setRegenerateAvailable(
        idle && isSignalConnected(QMetaMethod::fromSignal(&ChatPage::regenerateRequested)));
    m_view->setEditAvailable(
        idle && isSignalConnected(QMetaMethod::fromSignal(&ChatPage::editResendRequested)));
}

void ChatPage::connectNotify(const QMetaMethod &signal)
{
    QWidget::connectNotify(signal);
    if (signal == QMetaMethod::fromSignal(&ChatPage::regenerateRequested) ||
        signal == QMetaMethod::fromSignal(&ChatPage::editResendRequested)) {
        // connectNotify may run in another thread's connect call; update from our own.
        QMetaObject::invokeMethod(this, &ChatPage::updateMessageActions, Qt::QueuedConnection);
    }
}

void ChatPage::disconnectNotify(const QMetaMethod &signal)
{
    QWidget::disconnectNotify(signal);
    if (signal == QMetaMethod::fromSignal(&ChatPage::regenerateRequested) ||
        signal == QMetaMethod::fromSignal(&ChatPage::editResendRequested)) {
        QMetaObject::invokeMethod(this, &ChatPage::updateMessageActions, Qt::QueuedConnection);
    }
}

} // namespace glmdesk::ui
