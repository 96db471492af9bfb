#include "ui/chat/markdown_view.h"

#include <QAbstractTextDocumentLayout>
#include <QDesktopServices>
#include <QScrollBar>
#include <QTextCursor>
#include <QTextDocument>
#include <QWheelEvent>

#include <cmath>

using namespace Qt::StringLiterals;

namespace glmdesk::ui {

MarkdownView::MarkdownView(Width width, QWidget *parent) : QTextBrowser(parent), m_width(width)
{
    setFrameShape(QFrame::NoFrame);
    setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setWordWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
    setOpenLinks(false);
    setTextInteractionFlags(Qt::TextBrowserInteraction);
    // Only web links leave the app; anything else a model writes stays inert text.
    connect(this, &QTextBrowser::anchorClicked, this, [](const QUrl &url) {
        if (url.scheme() == u"https"_s || url.scheme() == u"http"_s)
            QDesktopServices::openUrl(url);
    });
    QSizePolicy policy(m_width == Width::Fill ? QSizePolicy::Expanding : QSizePolicy::Preferred,
                       QSizePolicy::Preferred);
    policy.setHeightForWidth(true);
    setSizePolicy(policy);
    document()->setDocumentMargin(2);
    makeTransparent();
    connect(document(), &QTextDocument::contentsChanged, this, &MarkdownView::contentChanged);
}

void MarkdownView::makeTransparent()
{
    // The message's background shows through; text and link colours follow the palette.
    m_styling = true;
    QPalette colours = palette();
    colours.setBrush(QPalette::Base, Qt::transparent);
    setPalette(colours);
    viewport()->setAutoFillBackground(false);
    m_styling = false;
}

void MarkdownView::setMarkdownText(const QString &markdown)
{
    setMarkdown(markdown);
}

void MarkdownView::setPlain(const QString &text)
{
    setPlainText(text);
}

void MarkdownView::appendPlain(const QString &text)
{
    QTextCursor cursor(document());
    cursor.movePosition(QTextCursor::End);
    cursor.insertText(text);
}

void MarkdownView::contentChanged()
{
    ++m_revision;
    m_idealWidth = -1;
    updateGeometry();
}

int MarkdownView::horizontalChrome() const
{
    const QMargins margins = contentsMargins();
    return 2 * frameWidth() + margins.left() + margins.right();
}

int MarkdownView::heightForWidth(int width) const
{
    if (m_cachedRevision != m_revision) {
        m_cache.fill({-1, 0});
        m_cachedRevision = m_revision;
    }
    for (const auto &[cachedWidth, cachedHeight] : m_cache) {
        if (cachedWidth == width)
            return cachedHeight;
    }
    // Lay the document out at the asked width, read its height, and put it back at the width
    // it is shown at: a layout pass may ask about widths the view never gets.
    QTextDocument *doc = document();
    const qreal wanted = qMax(1, width - horizontalChrome());
    if (doc->textWidth() != wanted)
        doc->setTextWidth(wanted);
    const QMargins margins = contentsMargins();
    const int height =
        int(std::ceil(doc->size().height())) + 2 * frameWidth() + margins.top() + margins.bottom();
    const qreal shown = viewport()->width();
    if (testAttribute(Qt::WA_Resized) && shown > 0 && shown != wanted)
        doc->setTextWidth(shown);
    // Before the view is shown its document may not be laid out with its final font and
    // options yet: answer, but do not remember.
    if (isVisible()) {
        m_cache[m_nextSlot] = {width, height};
        m_nextSlot = (m_nextSlot + 1) % int(m_cache.size());
    }
    return height;
}

QSize MarkdownView::sizeHint() const
{
    if (m_width == Width::Fill) {
        const int width = qMax(this->width(), fontMetrics().averageCharWidth() * 40);
        return {width, heightForWidth(width)};
    }
    if (m_idealWidth < 0) {
        // The widest line without wrapping, so that a short message gets a narrow bubble.
        // (FitText views hold plain text, so the font's advances are the layout's widths.)
        const QFontMetricsF metrics(document()->defaultFont());
        qreal widest = 0;
        const QStringList lines = document()->toPlainText().split(u'\n');
        for (const QString &line : lines)
            widest = qMax(widest, metrics.horizontalAdvance(line));
        m_idealWidth =
            int(std::ceil(widest + 2 * document()->documentMargin())) + horizontalChrome() + 2;
    }
    return {m_idealWidth, heightForWidth(m_idealWidth)};
}

QSize MarkdownView::minimumSizeHint() const
{
    return {fontMetrics().averageCharWidth() * 6, fontMetrics().height()};
}

void MarkdownView::wheelEvent(QWheelEvent *event)
{
    // Nothing to scroll in here: the transcript takes the turn.
    event->ignore();
}

void MarkdownView::changeEvent(QEvent *event)
{
    QTextBrowser::changeEvent(event);
    if (m_styling)
        return;
    if (event->type() == QEvent::FontChange || event->type() == QEvent::StyleChange) {
        ++m_revision;
        m_idealWidth = -1;
        updateGeometry();
    }
}

} // namespace glmdesk::ui
