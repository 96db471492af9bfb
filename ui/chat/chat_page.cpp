#include "ui/chat/chat_page.h"

#include <QCheckBox>
#include <QEvent>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QTextBrowser>
#include <QTextCursor>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace glmdesk::ui {

ChatPage::ChatPage(QWidget *parent) : QWidget(parent)
{
    setObjectName(u"chatPage"_s);
    m_transcript = new QTextBrowser(this);
    m_transcript->setObjectName(u"transcript"_s);
    m_transcript->setFrameShape(QFrame::NoFrame);
    m_transcript->setOpenLinks(false);

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
    layout->addWidget(m_transcript, 1);
    layout->addWidget(m_status);
    layout->addWidget(m_composer);
    layout->addLayout(controls);

    connect(m_sendButton, &QPushButton::clicked, this, [this] {
        if (m_generating)
            Q_EMIT stopRequested();
        else
            send();
    });
    retranslateUi();
    setReady(false);
}

void ChatPage::setReady(bool ready, const QString &reason)
{
    m_ready = ready;
    m_composer->setEnabled(ready);
    m_sendButton->setEnabled(ready || m_generating);
    setStatus(reason);
}

void ChatPage::setGenerating(bool generating)
{
    m_generating = generating;
    m_sendButton->setEnabled(m_ready || generating);
    retranslateUi();
}

void ChatPage::setStatus(const QString &text)
{
    m_status->setVisible(!text.isEmpty());
    m_status->setText(text);
}

QString ChatPage::draft() const
{
    return m_composer->toPlainText();
}

QString ChatPage::transcriptText() const
{
    return m_transcript->toPlainText();
}

void ChatPage::send()
{
    const QString text = m_composer->toPlainText().trimmed();
    if (text.isEmpty() || !m_ready || m_generating)
        return;
    Q_EMIT sendRequested(text, m_thinking->isChecked());
    m_composer->clear();
}

void ChatPage::appendStyled(const QString &text, Block kind)
{
    // Stick to the bottom only when the reader is already there.
    QScrollBar *bar = m_transcript->verticalScrollBar();
    const bool atBottom = bar->value() >= bar->maximum() - 4;
    QTextCursor cursor(m_transcript->document());
    cursor.movePosition(QTextCursor::End);
    QTextCharFormat format;
    if (kind == Block::Thinking) {
        format.setForeground(palette().color(QPalette::PlaceholderText));
        format.setFontItalic(true);
    } else {
        format.setForeground(palette().color(QPalette::Text));
    }
    cursor.insertText(text, format);
    if (atBottom)
        bar->setValue(bar->maximum());
}

void ChatPage::addUserMessage(const QString &text)
{
    QTextCursor cursor(m_transcript->document());
    cursor.movePosition(QTextCursor::End);
    if (!m_transcript->document()->isEmpty())
        cursor.insertBlock();
    QTextCharFormat bold;
    bold.setFontWeight(QFont::Bold);
    cursor.insertText(tr("You") + u"\n"_s, bold);
    cursor.insertText(text + u"\n"_s, QTextCharFormat());
    m_transcript->verticalScrollBar()->setValue(m_transcript->verticalScrollBar()->maximum());
}

void ChatPage::beginAnswer()
{
    QTextCursor cursor(m_transcript->document());
    cursor.movePosition(QTextCursor::End);
    cursor.insertBlock();
    QTextCharFormat bold;
    bold.setFontWeight(QFont::Bold);
    cursor.insertText(tr("GLM") + u"\n"_s, bold);
    m_block = Block::None;
}

void ChatPage::appendThinking(const QString &text)
{
    m_block = Block::Thinking;
    appendStyled(text, Block::Thinking);
}

void ChatPage::appendAnswer(const QString &text)
{
    // The answer starts on its own line after the thinking, without its leading blank lines.
    QString chunk = text;
    if (m_block != Block::Answer) {
        while (chunk.startsWith(u'\n'))
            chunk.remove(0, 1);
        if (chunk.isEmpty())
            return;
        if (m_block == Block::Thinking)
            chunk.prepend(u'\n');
        m_block = Block::Answer;
    }
    appendStyled(chunk, Block::Answer);
}

void ChatPage::endAnswer(const QString &note)
{
    if (!note.isEmpty())
        appendStyled(u"\n["_s + note + u"]"_s, Block::Thinking);
    appendStyled(u"\n"_s, Block::Answer);
    m_block = Block::None;
}

void ChatPage::clearTranscript()
{
    m_transcript->clear();
    m_block = Block::None;
}

bool ChatPage::eventFilter(QObject *watched, QEvent *event)
{
    // Ctrl+Enter sends; plain Enter keeps its meaning (a new line) for multi-line prompts and
    // IMEs; Esc stops a streaming answer.
    if (watched == m_composer && event->type() == QEvent::KeyPress) {
        auto *key = static_cast<QKeyEvent *>(event);
        if ((key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter) &&
            (key->modifiers() & Qt::ControlModifier)) {
            send();
            return true;
        }
        if (key->key() == Qt::Key_Escape && m_generating) {
            Q_EMIT stopRequested();
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
    m_sendButton->setText(m_generating ? tr("Stop") : tr("Send"));
}

} // namespace glmdesk::ui
