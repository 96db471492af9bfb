// Splits a streaming Markdown answer into prose and fenced code segments as its text arrives, so
// the view can give each code fence its own highlighted code widget and re-render only the segment
// that is still growing.
//
// Decisions are made per line, and a line that could still become a fence is held back until its
// newline arrives: "```cp" is neither shown as prose nor opened as a block until the line is
// complete, and inside a block a line that could be the closing fence stays hidden until it is
// known. What is visible of a segment therefore only ever grows; nothing flickers between prose
// and code. An unterminated fence is a code segment that is still open.
//
// Fences follow CommonMark: up to three spaces, then at least three backticks or tildes (no
// backtick in a backtick fence's info string); the closing fence uses the same character, is at
// least as long and carries nothing but whitespace. Code lines lose the opening fence's
// indentation. The source is kept verbatim: source() is exactly what was appended.
#pragma once

#include <QList>
#include <QString>

namespace glmdesk::ui {

struct MarkdownSegment
{
    enum class Kind { Prose, Code };
    Kind kind = Kind::Prose;
    QString text;       // complete lines as received (prose: Markdown; code: between the fences)
    QString code;       // code only: complete lines without the fence's indentation or '\r'
    QString openFence;  // code only: the opening fence line, newline included
    QString closeFence; // code only: the closing fence line; empty while the block is open
    QString info;       // code only: the info string ("cpp", "python title=x")
    bool closed = false;
};

class MarkdownStream
{
public:
    MarkdownStream();

    void append(const QString &text);
    // The end of the text: a last line without a newline counts as complete.
    void finish();
    void clear();

    const QList<MarkdownSegment> &segments() const { return m_segments; }
    // What may be shown of segment i now: prose as Markdown source, code as plain code.
    QString visibleText(qsizetype index) const;
    // Everything appended so far, byte for byte.
    QString source() const;

private:
    void processLine(const QString &line);
    bool pendingMayBeFence() const;
    QString stripIndent(const QString &line) const;

    QList<MarkdownSegment> m_segments;
    QString m_pending; // the current line, not yet ended by '\n'
    QChar m_fenceChar;
    qsizetype m_fenceLength = 0;
    qsizetype m_fenceIndent = 0;
};

} // namespace glmdesk::ui
