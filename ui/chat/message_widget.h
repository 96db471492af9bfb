// One message of the transcript. A user message is a bubble on the right with Copy and Edit; Edit
// turns it into an editor whose Send asks for the conversation to be resent from there. An
// assistant message is full width: an optional thinking panel, the answer as Markdown with each
// fenced code block in its own highlighted CodeBlock, and Copy / Regenerate below.
//
// An answer streams in as deltas. The text is stored at once (answerText() is always exact) but
// the widgets are brought up to date at most every 50 ms (longer when a render itself is slow,
// so rendering never takes more than about a fifth of the UI thread), so a fast token stream
// costs one re-render per interval rather than one per token. Only the segment still growing is
// re-rendered (see MarkdownStream); finished prose and code blocks are never touched again.
#pragma once

#include "ui/chat/markdown_stream.h"

#include <QWidget>

class QFrame;
class QHBoxLayout;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTimer;
class QToolButton;
class QVBoxLayout;

namespace glmdesk::ui {

class CodeBlock;
class MarkdownView;
class ThinkingPanel;

class MessageWidget : public QWidget
{
    Q_OBJECT
public:
    enum class Role { User, Assistant };

    Role role() const { return m_role; }
    // What Copy puts on the clipboard: the message as written (Markdown for answers).
    virtual QString copyText() const = 0;
    // The message in a plain-text transcript: a heading line, then the text.
    virtual QString transcriptText() const = 0;
    void copyToClipboard();
    QToolButton *copyButton() const { return m_copy; }

Q_SIGNALS:
    void copied();

protected:
    MessageWidget(Role role, QWidget *parent);
    void changeEvent(QEvent *event) override;
    virtual void retranslateUi();
    QToolButton *addAction(const QString &objectName);

    QWidget *m_actions = nullptr;
    QHBoxLayout *m_actionLayout = nullptr;
    QToolButton *m_copy = nullptr;

private:
    Role m_role;
};

class UserMessageWidget : public MessageWidget
{
    Q_OBJECT
public:
    explicit UserMessageWidget(const QString &text, QWidget *parent = nullptr);

    QString text() const { return m_text; }
    QString copyText() const override { return m_text; }
    QString transcriptText() const override;

    void setEditable(bool editable);
    bool isEditable() const { return m_editable; }
    void beginEdit();
    void cancelEdit();
    void submitEdit();
    bool isEditing() const;
    QPlainTextEdit *editor() const { return m_editor; }
    QToolButton *editButton() const { return m_edit; }

Q_SIGNALS:
    // The reader edited this message and asked for it to be sent again (text is trimmed).
    void editSubmitted(const QString &text);

protected:
    void retranslateUi() override;
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    class Bubble;
    QString m_text;
    Bubble *m_bubble = nullptr;
    MarkdownView *m_view = nullptr;
    QWidget *m_bubbleRow = nullptr;
    QWidget *m_editPane = nullptr;
    QPlainTextEdit *m_editor = nullptr;
    QPushButton *m_editSend = nullptr;
    QPushButton *m_editCancel = nullptr;
    QToolButton *m_edit = nullptr;
    bool m_editable = false;
};

class AssistantMessageWidget : public MessageWidget
{
    Q_OBJECT
public:
    explicit AssistantMessageWidget(QWidget *parent = nullptr);

    void appendThinking(const QString &text);
    void appendAnswer(const QString &text);
    // The request ended; note says why when it is worth saying ("stopped").
    void finish(const QString &note = {});
    // Renders what is pending now instead of at the next tick.
    void flush();
    void setThinkingDuration(qint64 milliseconds);

    bool isStreaming() const { return m_streaming; }
    QString answerText() const { return m_stream.source(); }
    QString thinkingText() const;
    QString note() const { return m_note; }
    ThinkingPanel *thinkingPanel() const { return m_thinking; }
    QList<CodeBlock *> codeBlocks() const;
    // The text each segment shows now, in order: prose as Markdown source, code as code.
    QStringList renderedSegments() const;
    // The Markdown source reassembled from the segments: equals answerText() once flushed.
    QString renderedSource() const;

    QString copyText() const override;
    QString transcriptText() const override;

    void setRegenerateVisible(bool visible);
    QToolButton *regenerateButton() const { return m_regenerate; }

    static constexpr int kFlushIntervalMs = 50;

Q_SIGNALS:
    void regenerateRequested();

protected:
    void retranslateUi() override;

private:
    struct Part
    {
        MarkdownView *prose = nullptr;
        CodeBlock *code = nullptr;
        qsizetype shown = 0;
    };
    void ensureThinking();
    void scheduleFlush();
    void syncParts();

    QLabel *m_roleLabel = nullptr;
    ThinkingPanel *m_thinking = nullptr;
    QVBoxLayout *m_body = nullptr;
    QVBoxLayout *m_answerLayout = nullptr;
    QLabel *m_noteLabel = nullptr;
    QToolButton *m_regenerate = nullptr;
    QTimer *m_flushTimer = nullptr;
    MarkdownStream m_stream;
    QList<Part> m_parts;
    QString m_note;
    bool m_streaming = true;
    bool m_regenerateVisible = false;
};

} // namespace glmdesk::ui
