#include "ui/chat/composer.h"

#include <QCheckBox>
#include <QEvent>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

#include <cmath>

using namespace Qt::StringLiterals;

namespace glmdesk::ui {

namespace {
constexpr int kMinLines = 2;
constexpr int kMaxLines = 8;
} // namespace

Composer::Composer(QWidget *parent) : QWidget(parent)
{
    setObjectName(u"composerBar"_s);
    m_editor = new QPlainTextEdit(this);
    m_editor->setObjectName(u"composer"_s);
    m_editor->setTabChangesFocus(true);
    m_editor->installEventFilter(this);

    m_thinking = new QCheckBox(this);
    m_thinking->setObjectName(u"thinkingToggle"_s);
    m_thinking->setChecked(true);
    m_sendButton = new QPushButton(this);
    m_sendButton->setObjectName(u"sendButton"_s);

    auto *controls = new QHBoxLayout;
    controls->setContentsMargins(0, 0, 0, 0);
    controls->addWidget(m_thinking);
    controls->addStretch();
    controls->addWidget(m_sendButton);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(6);
    layout->addWidget(m_editor);
    layout->addLayout(controls);

    connect(m_sendButton, &QPushButton::clicked, this, [this] {
        if (m_generating)
            Q_EMIT stopRequested();
        else
            send();
    });
    connect(m_thinking, &QCheckBox::toggled, this, &Composer::thinkingToggled);
    connect(m_editor, &QPlainTextEdit::textChanged, this, &Composer::fitEditorHeight);
    fitEditorHeight();
    retranslateUi();
    setReady(false);
}

void Composer::setReady(bool ready)
{
    m_ready = ready;
    m_editor->setEnabled(ready);
    m_sendButton->setEnabled(ready || m_generating);
}

void Composer::setGenerating(bool generating)
{
    m_generating = generating;
    m_sendButton->setEnabled(m_ready || generating);
    retranslateUi();
}

QString Composer::draft() const
{
    return m_editor->toPlainText();
}

void Composer::setDraft(const QString &text)
{
    m_editor->setPlainText(text);
    m_editor->moveCursor(QTextCursor::End);
}

bool Composer::thinkingEnabled() const
{
    return m_thinking->isChecked();
}

void Composer::setThinkingEnabled(bool enabled)
{
    m_thinking->setChecked(enabled);
}

void Composer::send()
{
    const QString text = m_editor->toPlainText().trimmed();
    if (text.isEmpty() || !m_ready || m_generating)
        return;
    Q_EMIT sendRequested(text, m_thinking->isChecked());
    m_editor->clear();
}

void Composer::fitEditorHeight()
{
    // Grow with the text (wrapped lines count) from two lines up to eight, then scroll.
    const int lines = int(std::ceil(m_editor->document()->size().height()));
    const int shown = qBound(kMinLines, lines, kMaxLines);
    const int chrome = 2 * m_editor->frameWidth() +
                       int(std::ceil(2 * m_editor->document()->documentMargin())) +
                       m_editor->contentsMargins().top() + m_editor->contentsMargins().bottom();
    m_editor->setFixedHeight(shown * m_editor->fontMetrics().lineSpacing() + chrome);
}

bool Composer::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_editor && event->type() == QEvent::KeyPress) {
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
    if (watched == m_editor &&
        (event->type() == QEvent::FontChange || event->type() == QEvent::Resize))
        fitEditorHeight();
    return QWidget::eventFilter(watched, event);
}

void Composer::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    QWidget::changeEvent(event);
}

void Composer::retranslateUi()
{
    m_editor->setPlaceholderText(tr("Message GLM… (Ctrl+Enter to send)"));
    m_editor->setAccessibleName(tr("Message"));
    m_editor->setAccessibleDescription(tr("Ctrl+Enter sends, Esc stops the answer"));
    m_thinking->setText(tr("Think before answering"));
    m_thinking->setToolTip(tr("Let GLM think before it answers (slower, often better)"));
    m_thinking->setAccessibleName(tr("Think before answering"));
    m_sendButton->setText(m_generating ? tr("Stop") : tr("Send"));
    m_sendButton->setToolTip(m_generating ? tr("Stop the answer (Esc)")
                                          : tr("Send the message (Ctrl+Enter)"));
    m_sendButton->setAccessibleName(m_generating ? tr("Stop") : tr("Send"));
}

} // namespace glmdesk::ui
