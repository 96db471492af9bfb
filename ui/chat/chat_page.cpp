#include "ui/chat/chat_page.h"

#include <QCheckBox>
#include <QEvent>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace glmdesk::ui {

ChatPage::ChatPage(QWidget *parent) : QWidget(parent)
{
    setObjectName(u"chatPage"_s);
    m_messages = new QListWidget(this);
    m_messages->setObjectName(u"messageList"_s);
    m_messages->setWordWrap(true);
    m_messages->setFrameShape(QFrame::NoFrame);

    m_status = new QLabel(this);
    m_status->setObjectName(u"chatStatus"_s);
    m_status->setWordWrap(true);

    m_composer = new QPlainTextEdit(this);
    m_composer->setObjectName(u"composer"_s);
    m_composer->setMaximumHeight(120);
    m_composer->installEventFilter(this);

    m_thinking = new QCheckBox(this);
    m_thinking->setObjectName(u"thinkingToggle"_s);
    m_thinking->setChecked(true);
    m_sendButton = new QPushButton(this);
    m_sendButton->setObjectName(u"sendButton"_s);

    auto *controls = new QHBoxLayout;
    controls->addWidget(m_thinking);
    controls->addStretch();
    controls->addWidget(m_sendButton);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_messages, 1);
    layout->addWidget(m_status);
    layout->addWidget(m_composer);
    layout->addLayout(controls);

    connect(m_sendButton, &QPushButton::clicked, this, &ChatPage::send);
    retranslateUi();
    setReady(false);
}

void ChatPage::setReady(bool ready, const QString &reason)
{
    m_reason = reason;
    m_composer->setEnabled(ready);
    m_sendButton->setEnabled(ready);
    m_status->setVisible(!ready && !reason.isEmpty());
    m_status->setText(reason);
}

QString ChatPage::draft() const
{
    return m_composer->toPlainText();
}

void ChatPage::send()
{
    const QString text = m_composer->toPlainText().trimmed();
    if (text.isEmpty() || !m_sendButton->isEnabled())
        return;
    Q_EMIT sendRequested(text, m_thinking->isChecked());
    m_composer->clear();
}

bool ChatPage::eventFilter(QObject *watched, QEvent *event)
{
    // Ctrl+Enter sends; plain Enter keeps its meaning (a new line) for multi-line prompts and IMEs.
    if (watched == m_composer && event->type() == QEvent::KeyPress) {
        auto *key = static_cast<QKeyEvent *>(event);
        if ((key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter) &&
            (key->modifiers() & Qt::ControlModifier)) {
            send();
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

void ChatPage::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    QWidget::changeEvent(event);
}

void ChatPage::retranslateUi()
{
    m_composer->setPlaceholderText(tr("Message GLM… (Ctrl+Enter to send)"));
    m_thinking->setText(tr("Think before answering"));
    m_sendButton->setText(tr("Send"));
}

} // namespace glmdesk::ui
