#include "ui/code/code_view.h"

#include "ui/code/highlighting.h"

#include <KSyntaxHighlighting/SyntaxHighlighter>
#include <KSyntaxHighlighting/Theme>

#include <QApplication>
#include <QFontDatabase>
#include <QPainter>
#include <QScrollBar>
#include <QTextBlock>
#include <QWheelEvent>

#include <cmath>

using namespace Qt::StringLiterals;

namespace glmdesk::ui {

class CodeView::Gutter : public QWidget
{
public:
    explicit Gutter(CodeView *view) : QWidget(view), m_view(view) {}
    QSize sizeHint() const override { return {m_view->gutterWidth(), 0}; }

protected:
    void paintEvent(QPaintEvent *event) override { m_view->paintGutter(event); }

private:
    CodeView *m_view;
};

CodeView::CodeView(Sizing sizing, QWidget *parent) : QPlainTextEdit(parent), m_sizing(sizing)
{
    setObjectName(u"codeView"_s);
    setReadOnly(true);
    setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    setLineWrapMode(QPlainTextEdit::NoWrap);
    setFrameShape(QFrame::NoFrame);
    m_gutter = new Gutter(this);
    m_highlighter = new KSyntaxHighlighting::SyntaxHighlighter(document());

    if (m_sizing == Sizing::FitContents) {
        setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
        setHorizontalScrollBarPolicy(Qt::ScrollBarAsNeeded);
        setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
        // The block's height depends on its line count and on whether a sideways bar is needed.
        connect(this, &QPlainTextEdit::blockCountChanged, this, [this] { updateGeometry(); });
        connect(horizontalScrollBar(), &QScrollBar::rangeChanged, this,
                [this] { updateGeometry(); });
    }
    connect(this, &QPlainTextEdit::blockCountChanged, this, [this] { updateGutterWidth(); });
    connect(this, &QPlainTextEdit::updateRequest, this, &CodeView::updateGutter);

    applyFont();
    applyTheme();
    updateGutterWidth();
}

CodeView::~CodeView() = default;

void CodeView::setDefinition(const KSyntaxHighlighting::Definition &definition)
{
    m_highlighter->setDefinition(definition);
}

KSyntaxHighlighting::Definition CodeView::definition() const
{
    return m_highlighter->definition();
}

QString CodeView::themeName() const
{
    return m_themeName;
}

void CodeView::setCode(const QString &code)
{
    m_newlineHeld = false;
    setPlainText(QString());
    appendCode(code);
}

void CodeView::appendCode(const QString &text)
{
    if (text.isEmpty())
        return;
    QString chunk = text;
    if (m_newlineHeld)
        chunk.prepend(u'\n');
    m_newlineHeld = chunk.endsWith(u'\n');
    if (m_newlineHeld)
        chunk.chop(1);
    if (chunk.isEmpty())
        return;
    // Insert at the end without moving the user's selection or the view.
    QTextCursor cursor(document());
    cursor.movePosition(QTextCursor::End);
    cursor.insertText(chunk);
}

QString CodeView::code() const
{
    return toPlainText();
}

int CodeView::gutterWidth() const
{
    int digits = 2;
    for (int max = qMax(1, blockCount()); max >= 100; max /= 10)
        ++digits;
    const int padding = fontMetrics().horizontalAdvance(u' ') * 2;
    return padding + fontMetrics().horizontalAdvance(u'9') * digits;
}

int CodeView::contentHeight() const
{
    // NoWrap: one line per block, every line as tall as the font's line spacing.
    const qreal lines = qMax(1, blockCount());
    const qreal text = lines * QFontMetricsF(font()).lineSpacing();
    const int margins = int(std::ceil(2 * document()->documentMargin())) + 2 * frameWidth() +
                        contentsMargins().top() + contentsMargins().bottom();
    const QScrollBar *bar = horizontalScrollBar();
    const int sideways = bar->maximum() > bar->minimum() ? bar->sizeHint().height() : 0;
    return int(std::ceil(text)) + margins + sideways + 2;
}

QSize CodeView::sizeHint() const
{
    if (m_sizing == Sizing::Scroll)
        return {fontMetrics().horizontalAdvance(u'M') * 90, fontMetrics().lineSpacing() * 30};
    return {QPlainTextEdit::sizeHint().width(), contentHeight()};
}

QSize CodeView::minimumSizeHint() const
{
    if (m_sizing == Sizing::Scroll)
        return QPlainTextEdit::minimumSizeHint();
    return {gutterWidth() + fontMetrics().horizontalAdvance(u'M') * 8, contentHeight()};
}

void CodeView::updateGutterWidth()
{
    setViewportMargins(gutterWidth(), 0, 0, 0);
    const QRect area = contentsRect();
    m_gutter->setGeometry(area.left(), area.top(), gutterWidth(), area.height());
}

void CodeView::updateGutter(const QRect &rect, int dy)
{
    if (dy != 0)
        m_gutter->scroll(0, dy);
    else
        m_gutter->update(0, rect.y(), m_gutter->width(), rect.height());
}

void CodeView::resizeEvent(QResizeEvent *event)
{
    QPlainTextEdit::resizeEvent(event);
    updateGutterWidth();
}

void CodeView::paintGutter(QPaintEvent *event)
{
    const auto theme = themeForPalette(QGuiApplication::palette());
    QPainter painter(m_gutter);
    painter.fillRect(event->rect(),
                     QColor::fromRgba(theme.editorColor(KSyntaxHighlighting::Theme::IconBorder)));
    painter.setPen(QColor::fromRgba(theme.editorColor(KSyntaxHighlighting::Theme::LineNumbers)));
    painter.setFont(font());
    const int right = m_gutter->width() - fontMetrics().horizontalAdvance(u' ');
    QTextBlock block = firstVisibleBlock();
    qreal top = blockBoundingGeometry(block).translated(contentOffset()).top();
    while (block.isValid() && top <= event->rect().bottom()) {
        const qreal height = blockBoundingRect(block).height();
        if (block.isVisible() && top + height >= event->rect().top()) {
            painter.drawText(QRectF(0, top, right, fontMetrics().lineSpacing()),
                             Qt::AlignRight | Qt::AlignVCenter,
                             QString::number(block.blockNumber() + 1));
        }
        top += height;
        block = block.next();
    }
}

void CodeView::applyFont()
{
    // The system's fixed-pitch font at the application's text size (which the user may change).
    QFont fixed = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    const QFont base = QApplication::font();
    if (base.pointSizeF() > 0)
        fixed.setPointSizeF(base.pointSizeF());
    m_applyingStyle = true;
    setFont(fixed);
    m_applyingStyle = false;
    updateGutterWidth();
    updateGeometry();
}

void CodeView::applyTheme()
{
    // The application palette says light or dark; the editor's own colours come from the theme.
    const auto theme = themeForPalette(QGuiApplication::palette());
    if (theme.name() == m_themeName)
        return;
    m_themeName = theme.name();
    m_applyingStyle = true;
    QPalette colours = palette();
    using Role = KSyntaxHighlighting::Theme::EditorColorRole;
    colours.setColor(QPalette::Base, QColor::fromRgba(theme.editorColor(Role::BackgroundColor)));
    colours.setColor(QPalette::Text,
                     QColor::fromRgba(theme.textColor(KSyntaxHighlighting::Theme::Normal)));
    colours.setColor(QPalette::Highlight, QColor::fromRgba(theme.editorColor(Role::TextSelection)));
    colours.setColor(QPalette::HighlightedText,
                     QColor::fromRgba(theme.textColor(KSyntaxHighlighting::Theme::Normal)));
    setPalette(colours);
    m_applyingStyle = false;
    m_highlighter->setTheme(theme);
    m_highlighter->rehighlight();
    m_gutter->update();
}

void CodeView::changeEvent(QEvent *event)
{
    QPlainTextEdit::changeEvent(event);
    if (m_applyingStyle)
        return;
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::ApplicationPaletteChange)
        applyTheme();
    else if (event->type() == QEvent::ApplicationFontChange)
        applyFont();
}

void CodeView::wheelEvent(QWheelEvent *event)
{
    // Inside a message the transcript scrolls: let vertical turns travel up to it.
    if (m_sizing == Sizing::FitContents &&
        qAbs(event->angleDelta().y()) >= qAbs(event->angleDelta().x())) {
        event->ignore();
        return;
    }
    QPlainTextEdit::wheelEvent(event);
}

} // namespace glmdesk::ui
