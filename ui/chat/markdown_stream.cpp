#include "ui/chat/markdown_stream.h"

namespace glmdesk::ui {

namespace {

qsizetype leadingSpaces(const QString &line)
{
    qsizetype n = 0;
    while (n < line.size() && line.at(n) == u' ')
        ++n;
    return n;
}

qsizetype runLength(const QString &line, qsizetype from, QChar c)
{
    qsizetype n = from;
    while (n < line.size() && line.at(n) == c)
        ++n;
    return n - from;
}

bool isBlank(QStringView text)
{
    for (QChar c : text) {
        if (c != u' ' && c != u'\t' && c != u'\r' && c != u'\n')
            return false;
    }
    return true;
}

struct Fence
{
    QChar fenceChar;
    qsizetype length = 0;
    qsizetype indent = 0;
    QString info;
};

// An opening fence, if the complete line is one.
bool parseOpeningFence(const QString &line, Fence *fence)
{
    const qsizetype indent = leadingSpaces(line);
    if (indent > 3 || indent >= line.size())
        return false;
    const QChar c = line.at(indent);
    if (c != u'`' && c != u'~')
        return false;
    const qsizetype length = runLength(line, indent, c);
    if (length < 3)
        return false;
    const QString info = line.mid(indent + length).trimmed();
    if (c == u'`' && info.contains(u'`'))
        return false;
    *fence = {c, length, indent, info};
    return true;
}

} // namespace

MarkdownStream::MarkdownStream()
{
    clear();
}

void MarkdownStream::clear()
{
    m_segments = {MarkdownSegment{}};
    m_pending.clear();
    m_fenceChar = QChar();
    m_fenceLength = 0;
    m_fenceIndent = 0;
}

void MarkdownStream::append(const QString &text)
{
    qsizetype start = 0;
    while (start < text.size()) {
        const qsizetype newline = text.indexOf(u'\n', start);
        if (newline < 0) {
            m_pending += QStringView(text).mid(start);
            return;
        }
        m_pending += QStringView(text).mid(start, newline + 1 - start);
        const QString line = m_pending;
        m_pending.clear();
        processLine(line);
        start = newline + 1;
    }
}

void MarkdownStream::finish()
{
    if (m_pending.isEmpty())
        return;
    const QString line = m_pending;
    m_pending.clear();
    processLine(line);
}

QString MarkdownStream::stripIndent(const QString &line) const
{
    QString out = line.mid(qMin(leadingSpaces(line), m_fenceIndent));
    out.remove(u'\r');
    return out;
}

void MarkdownStream::processLine(const QString &line)
{
    MarkdownSegment &last = m_segments.last();
    if (last.kind == MarkdownSegment::Kind::Prose) {
        Fence fence;
        if (!parseOpeningFence(line, &fence)) {
            last.text += line;
            return;
        }
        last.closed = true;
        MarkdownSegment code;
        code.kind = MarkdownSegment::Kind::Code;
        code.openFence = line;
        code.info = fence.info;
        m_fenceChar = fence.fenceChar;
        m_fenceLength = fence.length;
        m_fenceIndent = fence.indent;
        m_segments.append(code);
        return;
    }
    const qsizetype indent = leadingSpaces(line);
    const qsizetype run = indent <= 3 ? runLength(line, indent, m_fenceChar) : 0;
    if (run >= m_fenceLength && isBlank(QStringView(line).mid(indent + run))) {
        last.closeFence = line;
        last.closed = true;
        m_segments.append(MarkdownSegment{});
        return;
    }
    last.text += line;
    last.code += stripIndent(line);
}

bool MarkdownStream::pendingMayBeFence() const
{
    const QString &line = m_pending;
    const qsizetype indent = leadingSpaces(line);
    if (indent >= line.size())
        return indent <= 3; // only spaces so far
    if (indent > 3)
        return false;
    const MarkdownSegment &last = m_segments.last();
    if (last.kind == MarkdownSegment::Kind::Prose) {
        const QChar c = line.at(indent);
        if (c != u'`' && c != u'~')
            return false;
        const qsizetype run = runLength(line, indent, c);
        if (indent + run == line.size())
            return true; // the run may still grow to three
        if (run < 3)
            return false;
        return !(c == u'`' && QStringView(line).mid(indent + run).contains(u'`'));
    }
    const qsizetype run = runLength(line, indent, m_fenceChar);
    if (run == 0)
        return false;
    if (indent + run == line.size())
        return true;
    return run >= m_fenceLength && isBlank(QStringView(line).mid(indent + run));
}

QString MarkdownStream::visibleText(qsizetype index) const
{
    if (index < 0 || index >= m_segments.size())
        return {};
    const MarkdownSegment &segment = m_segments.at(index);
    const bool isLast = index == m_segments.size() - 1;
    const bool showPending = isLast && !m_pending.isEmpty() && !pendingMayBeFence();
    if (segment.kind == MarkdownSegment::Kind::Prose)
        return showPending ? segment.text + m_pending : segment.text;
    return showPending ? segment.code + stripIndent(m_pending) : segment.code;
}

QString MarkdownStream::source() const
{
    QString out;
    for (const MarkdownSegment &segment : m_segments) {
        if (segment.kind == MarkdownSegment::Kind::Prose)
            out += segment.text;
        else
            out += segment.openFence + segment.text + segment.closeFence;
    }
    return out + m_pending;
}

} // namespace glmdesk::ui
