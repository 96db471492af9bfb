#include "ui/chat/thinking_panel.h"

#include "ui/chat/markdown_view.h"

#include <QEvent>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace glmdesk::ui {

ThinkingPanel::ThinkingPanel(QWidget *parent) : QWidget(parent)
{
    setObjectName(u"thinkingPanel"_s);
    m_header = new QToolButton(this);
    m_header->setObjectName(u"thinkingHeader"_s);
    m_header->setCheckable(true);
    m_header->setChecked(true);
    m_header->setAutoRaise(true);
    m_header->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_header->setArrowType(Qt::DownArrow);

    m_body = new MarkdownView(MarkdownView::Width::Fill, this);
    m_body->setObjectName(u"thinkingText"_s);
    applyQuietColour();

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(m_header, 0, Qt::AlignLeft);
    auto *bodyRow = new QVBoxLayout;
    bodyRow->setContentsMargins(m_header->iconSize().width() / 2 + 6, 0, 0, 0);
    bodyRow->addWidget(m_body);
    layout->addLayout(bodyRow);

    m_ticker = new QTimer(this);
    m_ticker->setInterval(1000);
    connect(m_ticker, &QTimer::timeout, this, &ThinkingPanel::retranslateUi);
    connect(m_header, &QToolButton::toggled, this, [this](bool on) {
        if (!m_settingExpanded)
            m_userToggled = true;
        m_body->setVisible(on);
        m_header->setArrowType(on ? Qt::DownArrow : Qt::RightArrow);
        retranslateUi();
        Q_EMIT expandedChanged(on);
    });
    m_clock.start();
    m_ticker->start();
    retranslateUi();
}

void ThinkingPanel::append(const QString &text)
{
    m_text += text;
}

void ThinkingPanel::flush()
{
    if (m_shown == m_text.size())
        return;
    // Leading blank lines carry nothing; the first visible text starts at the top.
    QString chunk = m_text.mid(m_shown);
    if (m_shown == 0) {
        while (chunk.startsWith(u'\n'))
            chunk.remove(0, 1);
    }
    m_body->appendPlain(chunk);
    m_shown = m_text.size();
}

void ThinkingPanel::finish()
{
    if (!m_live)
        return;
    flush();
    m_live = false;
    m_ticker->stop();
    m_durationMs = m_clock.elapsed();
    if (!m_userToggled)
        setExpanded(false);
    retranslateUi();
}

void ThinkingPanel::setDuration(qint64 milliseconds)
{
    if (m_live)
        finish();
    m_durationMs = milliseconds;
    retranslateUi();
}

bool ThinkingPanel::isExpanded() const
{
    return m_header->isChecked();
}

void ThinkingPanel::setExpanded(bool expanded)
{
    m_settingExpanded = true;
    m_header->setChecked(expanded);
    m_settingExpanded = false;
}

QString ThinkingPanel::headerText() const
{
    return m_header->text();
}

void ThinkingPanel::applyQuietColour()
{
    // Thinking is quieter than the answer: it takes the placeholder colour of the current palette.
    QPalette quiet = m_body->palette();
    quiet.setColor(QPalette::Text, palette().color(QPalette::PlaceholderText));
    m_body->setPalette(quiet);
}

void ThinkingPanel::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    else if (event->type() == QEvent::PaletteChange)
        applyQuietColour();
    QWidget::changeEvent(event);
}

void ThinkingPanel::retranslateUi()
{
    QString header;
    if (m_live) {
        // The ticker fires on whole seconds, give or take a millisecond: round, do not truncate.
        const int seconds = int((m_clock.elapsed() + 500) / 1000);
        header = seconds < 1 ? tr("Thinking…") : tr("Thinking… %n s", nullptr, seconds);
    } else {
        const int seconds = int((m_durationMs + 500) / 1000);
        header = seconds < 1 ? tr("Thought for less than a second")
                             : tr("Thought for %n s", nullptr, seconds);
    }
    m_header->setText(header);
    m_header->setAccessibleName(header);
    m_header->setToolTip(isExpanded() ? tr("Hide the thinking") : tr("Show the thinking"));
    m_body->setAccessibleName(tr("Thinking"));
}

} // namespace glmdesk::ui
