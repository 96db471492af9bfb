#include "ui/chat/message_widget.h"

#include "ui/chat/markdown_view.h"
#include "ui/chat/thinking_panel.h"
#include "ui/code/code_block.h"

#include <QApplication>
#include <QClipboard>
#include <QElapsedTimer>
#include <QEvent>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QPainter>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace glmdesk::ui {

namespace {

bool isBlank(const QString &text)
{
    return std::all_of(text.begin(), text.end(), [](QChar c) { return c.isSpace(); });
}

QColor mixed(const QColor &a, const QColor &b, qreal t)
{
    return QColor::fromRgbF(float(a.redF() * (1 - t) + b.redF() * t),
                            float(a.greenF() * (1 - t) + b.greenF() * t),
                            float(a.blueF() * (1 - t) + b.blueF() * t));
}

} // namespace

// ------------------------------------------------------------------------------------
// MessageWidget

MessageWidget::MessageWidget(Role role, QWidget *parent) : QWidget(parent), m_role(role)
{
    m_actions = new QWidget(this);
    m_actions->setObjectName(u"messageActions"_s);
    m_actionLayout = new QHBoxLayout(m_actions);
    m_actionLayout->setContentsMargins(0, 0, 0, 0);
    m_actionLayout->setSpacing(2);
    m_copy = addAction(u"copyMessageButton"_s);
    connect(m_copy, &QToolButton::clicked, this, &MessageWidget::copyToClipboard);
}

QToolButton *MessageWidget::addAction(const QString &objectName)
{
    auto *button = new QToolButton(m_actions);
    button->setObjectName(objectName);
    button->setAutoRaise(true);
    button->setToolButtonStyle(Qt::ToolButtonTextOnly);
    button->setFocusPolicy(Qt::TabFocus);
    m_actionLayout->addWidget(button);
    return button;
}

void MessageWidget::copyToClipboard()
{
    QApplication::clipboard()->setText(copyText());
    Q_EMIT copied();
}

void MessageWidget::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    QWidget::changeEvent(event);
}

void MessageWidget::retranslateUi()
{
    m_copy->setText(tr("Copy"));
    m_copy->setToolTip(tr("Copy this message"));
    m_copy->setAccessibleName(tr("Copy message"));
}

// --------------------------------------------------------------------------------
// UserMessageWidget

// The user's words in a rounded bubble tinted with the palette's highlight colour, so it reads well
// on light and dark palettes alike.
class UserMessageWidget::Bubble : public QFrame
{
public:
    explicit Bubble(QWidget *parent) : QFrame(parent) {}

protected:
    void paintEvent(QPaintEvent *) override
    {
        QPainter painter(this);
        painter.setRenderHint(QPainter::Antialiasing);
        painter.setPen(Qt::NoPen);
        painter.setBrush(
            mixed(palette().color(QPalette::Base), palette().color(QPalette::Highlight), 0.16));
        painter.drawRoundedRect(QRectF(rect()).adjusted(0.5, 0.5, -0.5, -0.5), 12, 12);
    }
};

UserMessageWidget::UserMessageWidget(const QString &text, QWidget *parent)
    : MessageWidget(Role::User, parent), m_text(text)
{
    setObjectName(u"userMessage"_s);
    m_bubble = new Bubble(this);
    m_bubble->setObjectName(u"userBubble"_s);
    QSizePolicy bubblePolicy(QSizePolicy::Preferred, QSizePolicy::Preferred);
    bubblePolicy.setHeightForWidth(true);
    m_bubble->setSizePolicy(bubblePolicy);
    m_view = new MarkdownView(MarkdownView::Width::FitText, m_bubble);
    m_view->setObjectName(u"userText"_s);
    // What the user typed is shown as typed: no Markdown surprises in their own words.
    m_view->setPlain(text);
    auto *bubbleLayout = new QVBoxLayout(m_bubble);
    bubbleLayout->setContentsMargins(12, 8, 12, 8);
    bubbleLayout->addWidget(m_view);

    m_bubbleRow = new QWidget(this);
    auto *row = new QHBoxLayout(m_bubbleRow);
    row->setContentsMargins(0, 0, 0, 0);
    row->addSpacerItem(new QSpacerItem(64, 0, QSizePolicy::Expanding, QSizePolicy::Minimum));
    row->addWidget(m_bubble);

    m_editPane = new QWidget(this);
    m_editPane->setObjectName(u"editPane"_s);
    m_editor = new QPlainTextEdit(m_editPane);
    m_editor->setObjectName(u"editEditor"_s);
    m_editor->installEventFilter(this);
    m_editSend = new QPushButton(m_editPane);
    m_editSend->setObjectName(u"editSendButton"_s);
    m_editSend->setDefault(true);
    m_editCancel = new QPushButton(m_editPane);
    m_editCancel->setObjectName(u"editCancelButton"_s);
    auto *editButtons = new QHBoxLayout;
    editButtons->addStretch();
    editButtons->addWidget(m_editCancel);
    editButtons->addWidget(m_editSend);
    auto *editLayout = new QVBoxLayout(m_editPane);
    editLayout->setContentsMargins(0, 0, 0, 0);
    editLayout->addWidget(m_editor);
    editLayout->addLayout(editButtons);
    m_editPane->hide();
    connect(m_editSend, &QPushButton::clicked, this, &UserMessageWidget::submitEdit);
    connect(m_editCancel, &QPushButton::clicked, this, &UserMessageWidget::cancelEdit);

    m_actionLayout->insertStretch(0);
    m_edit = addAction(u"editMessageButton"_s);
    m_edit->hide();
    connect(m_edit, &QToolButton::clicked, this, &UserMessageWidget::beginEdit);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(m_bubbleRow);
    layout->addWidget(m_editPane);
    layout->addWidget(m_actions);
    retranslateUi();
}

QString UserMessageWidget::transcriptText() const
{
    return tr("You") + u'\n' + m_text;
}

void UserMessageWidget::setEditable(bool editable)
{
    m_editable = editable;
    m_edit->setVisible(editable);
    m_editSend->setEnabled(editable);
    if (!editable && isEditing())
        cancelEdit();
}

bool UserMessageWidget::isEditing() const
{
    return !m_editPane->isHidden();
}

void UserMessageWidget::beginEdit()
{
    if (!m_editable)
        return;
    m_editor->setPlainText(m_text);
    const int lines = qBound(3, int(m_text.count(u'\n')) + 2, 12);
    m_editor->setFixedHeight(lines * m_editor->fontMetrics().lineSpacing() +
                             2 * (m_editor->frameWidth() + 6));
    m_bubbleRow->hide();
    m_actions->hide();
    m_editPane->show();
    m_editor->setFocus();
    m_editor->moveCursor(QTextCursor::End);
}

void UserMessageWidget::cancelEdit()
{
    m_editPane->hide();
    m_bubbleRow->show();
    m_actions->show();
}

void UserMessageWidget::submitEdit()
{
    const QString text = m_editor->toPlainText().trimmed();
    if (text.isEmpty() || !m_editable)
        return;
    cancelEdit();
    Q_EMIT editSubmitted(text);
}

bool UserMessageWidget::eventFilter(QObject *watched, QEvent *event)
{
    // In the editor, as in the composer: Ctrl+Enter sends, Esc puts the message back.
    if (watched == m_editor && event->type() == QEvent::KeyPress) {
        auto *key = static_cast<QKeyEvent *>(event);
        if ((key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter) &&
            (key->modifiers() & Qt::ControlModifier)) {
            submitEdit();
            return true;
        }
        if (key->key() == Qt::Key_Escape) {
            cancelEdit();
            return true;
        }
    }
    return MessageWidget::eventFilter(watched, event);
}

void UserMessageWidget::retranslateUi()
{
    MessageWidget::retranslateUi();
    m_view->setAccessibleName(tr("Your message"));
    m_edit->setText(tr("Edit"));
    m_edit->setToolTip(tr("Edit this message and send it again"));
    m_edit->setAccessibleName(tr("Edit and resend"));
    m_editor->setAccessibleName(tr("Edited message"));
    m_editSend->setText(tr("Send"));
    m_editSend->setToolTip(tr("Send the edited message (Ctrl+Enter); the answers after it are "
                              "replaced"));
    m_editSend->setAccessibleName(tr("Send the edited message"));
    m_editCancel->setText(tr("Cancel"));
    m_editCancel->setAccessibleName(tr("Cancel editing"));
}

// ---------------------------------------------------------------------------
// AssistantMessageWidget

AssistantMessageWidget::AssistantMessageWidget(QWidget *parent)
    : MessageWidget(Role::Assistant, parent)
{
    setObjectName(u"assistantMessage"_s);
    m_roleLabel = new QLabel(this);
    m_roleLabel->setObjectName(u"assistantRole"_s);
    QFont bold = m_roleLabel->font();
    bold.setBold(true);
    m_roleLabel->setFont(bold);

    m_answerLayout = new QVBoxLayout;
    m_answerLayout->setContentsMargins(0, 0, 0, 0);
    m_answerLayout->setSpacing(6);

    m_noteLabel = new QLabel(this);
    m_noteLabel->setObjectName(u"answerNote"_s);
    m_noteLabel->setForegroundRole(QPalette::PlaceholderText);
    m_noteLabel->setWordWrap(true);
    QFont italic = m_noteLabel->font();
    italic.setItalic(true);
    m_noteLabel->setFont(italic);
    m_noteLabel->hide();

    m_regenerate = addAction(u"regenerateButton"_s);
    m_regenerate->hide();
    m_actionLayout->addStretch();
    m_actions->hide();
    connect(m_regenerate, &QToolButton::clicked, this,
            &AssistantMessageWidget::regenerateRequested);

    m_body = new QVBoxLayout(this);
    m_body->setContentsMargins(0, 0, 0, 0);
    m_body->setSpacing(4);
    m_body->addWidget(m_roleLabel);
    m_body->addLayout(m_answerLayout);
    m_body->addWidget(m_noteLabel);
    m_body->addWidget(m_actions);

    m_flushTimer = new QTimer(this);
    m_flushTimer->setSingleShot(true);
    m_flushTimer->setInterval(kFlushIntervalMs);
    connect(m_flushTimer, &QTimer::timeout, this, &AssistantMessageWidget::flush);
    retranslateUi();
}

void AssistantMessageWidget::ensureThinking()
{
    if (m_thinking)
        return;
    m_thinking = new ThinkingPanel(this);
    m_body->insertWidget(1, m_thinking);
}

void AssistantMessageWidget::appendThinking(const QString &text)
{
    if (text.isEmpty())
        return;
    ensureThinking();
    m_thinking->append(text);
    scheduleFlush();
}

void AssistantMessageWidget::appendAnswer(const QString &text)
{
    if (text.isEmpty())
        return;
    if (m_thinking && m_thinking->isLive())
        m_thinking->finish();
    m_stream.append(text);
    scheduleFlush();
}

void AssistantMessageWidget::finish(const QString &note)
{
    m_stream.finish();
    if (m_thinking && m_thinking->isLive())
        m_thinking->finish();
    m_note = note;
    m_noteLabel->setText(note);
    m_noteLabel->setVisible(!note.isEmpty());
    m_streaming = false;
    m_flushTimer->stop();
    flush();
    m_actions->show();
    m_regenerate->setVisible(m_regenerateVisible);
}

void AssistantMessageWidget::setThinkingDuration(qint64 milliseconds)
{
    if (m_thinking)
        m_thinking->setDuration(milliseconds);
}

void AssistantMessageWidget::scheduleFlush()
{
    if (!m_flushTimer->isActive())
        m_flushTimer->start();
}

void AssistantMessageWidget::flush()
{
    QElapsedTimer cost;
    cost.start();
    if (m_thinking)
        m_thinking->flush();
    syncParts();
    // Re-rendering a long prose segment costs more as it grows: keep the UI thread's share of
    // the time at about a fifth by stretching the interval to four times the last render.
    const qint64 spent = cost.elapsed();
    m_flushTimer->setInterval(int(qBound(qint64(kFlushIntervalMs), 4 * spent, qint64(1000))));
}

void AssistantMessageWidget::syncParts()
{
    const QList<MarkdownSegment> &segments = m_stream.segments();
    // Every segment but the last is final and was rendered in full when it was completed.
    const qsizetype first = qMax<qsizetype>(0, m_parts.size() - 1);
    for (qsizetype i = first; i < segments.size(); ++i) {
        const MarkdownSegment &segment = segments.at(i);
        if (i == m_parts.size()) {
            Part part;
            if (segment.kind == MarkdownSegment::Kind::Code) {
                part.code = new CodeBlock(segment.info, this);
                m_answerLayout->addWidget(part.code);
            } else {
                part.prose = new MarkdownView(MarkdownView::Width::Fill, this);
                part.prose->setObjectName(u"answerText"_s);
                part.prose->setAccessibleName(tr("Answer"));
                part.prose->hide();
                m_answerLayout->addWidget(part.prose);
            }
            m_parts.append(part);
        }
        Part &part = m_parts[i];
        const QString visible = m_stream.visibleText(i);
        if (part.prose) {
            if (visible.size() != part.shown) {
                part.prose->document()->setMarkdown(
                    visible, QTextDocument::MarkdownFeatures(QTextDocument::MarkdownDialectGitHub |
                                                             QTextDocument::MarkdownNoHTML));
                part.shown = visible.size();
                part.prose->setVisible(!isBlank(visible));
            }
        } else if (visible.size() > part.shown) {
            // Code only grows (MarkdownStream holds back lines that could still be a fence).
            part.code->appendCode(visible.mid(part.shown));
            part.shown = visible.size();
        }
    }
}

QString AssistantMessageWidget::thinkingText() const
{
    return m_thinking ? m_thinking->text() : QString();
}

QList<CodeBlock *> AssistantMessageWidget::codeBlocks() const
{
    QList<CodeBlock *> blocks;
    for (const Part &part : m_parts) {
        if (part.code)
            blocks.append(part.code);
    }
    return blocks;
}

QStringList AssistantMessageWidget::renderedSegments() const
{
    QStringList out;
    for (qsizetype i = 0; i < m_parts.size(); ++i) {
        const Part &part = m_parts.at(i);
        out.append(part.code ? part.code->code() : m_stream.visibleText(i).left(part.shown));
    }
    return out;
}

QString AssistantMessageWidget::renderedSource() const
{
    // Rebuild the source from what the widgets hold: prose as rendered, code from the code view
    // (its lines, re-indented and newline-terminated as they arrived), fences from the stream.
    const QList<MarkdownSegment> &segments = m_stream.segments();
    QString out;
    for (qsizetype i = 0; i < m_parts.size() && i < segments.size(); ++i) {
        const MarkdownSegment &segment = segments.at(i);
        const Part &part = m_parts.at(i);
        if (part.prose) {
            out += m_stream.visibleText(i).left(part.shown);
            continue;
        }
        out += segment.openFence;
        const QString shown = part.code->code();
        // The view holds back a trailing newline; anything else that differs shows as itself.
        const bool same = segment.code == shown || segment.code == shown + u'\n';
        out += same ? segment.text : shown;
        out += segment.closeFence;
    }
    return out;
}

QString AssistantMessageWidget::copyText() const
{
    return answerText().trimmed();
}

QString AssistantMessageWidget::transcriptText() const
{
    QString out = tr("GLM") + u'\n';
    const QString thinking = thinkingText().trimmed();
    if (!thinking.isEmpty())
        out += thinking + u"\n\n"_s;
    out += answerText().trimmed();
    if (!m_note.isEmpty())
        out += u"\n["_s + m_note + u']';
    return out;
}

void AssistantMessageWidget::setRegenerateVisible(bool visible)
{
    m_regenerateVisible = visible;
    m_regenerate->setVisible(visible && !m_streaming);
}

void AssistantMessageWidget::retranslateUi()
{
    MessageWidget::retranslateUi();
    m_copy->setToolTip(tr("Copy this answer as Markdown"));
    m_roleLabel->setText(tr("GLM"));
    m_regenerate->setText(tr("Regenerate"));
    m_regenerate->setToolTip(tr("Answer this message again"));
    m_regenerate->setAccessibleName(tr("Regenerate the answer"));
    for (const Part &part : std::as_const(m_parts)) {
        if (part.prose)
            part.prose->setAccessibleName(tr("Answer"));
    }
}

} // namespace glmdesk::ui
