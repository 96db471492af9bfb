#include "ui/welcome_page.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace glmdesk::ui {

WelcomePage::WelcomePage(QWidget *parent) : QWidget(parent)
{
    setObjectName(u"welcomePage"_s);
    m_title = new QLabel(this);
    m_title->setObjectName(u"welcomeTitle"_s);
    QFont titleFont = m_title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 2.0);
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_title->setAlignment(Qt::AlignCenter);

    m_intro = new QLabel(this);
    m_intro->setWordWrap(true);
    m_intro->setAlignment(Qt::AlignCenter);

    m_demoButton = new QPushButton(this);
    m_demoButton->setObjectName(u"demoModelButton"_s);
    m_openButton = new QPushButton(this);
    m_openButton->setObjectName(u"openModelButton"_s);
    m_openButton->setDefault(true);
    for (QPushButton *b : {m_demoButton, m_openButton})
        b->setMinimumSize(200, 44);

    m_hint = new QLabel(this);
    m_hint->setWordWrap(true);
    m_hint->setAlignment(Qt::AlignCenter);
    m_hint->setEnabled(false); // drawn in the palette's placeholder colour

    auto *buttons = new QHBoxLayout;
    buttons->addStretch();
    buttons->addWidget(m_demoButton);
    buttons->addSpacing(16);
    buttons->addWidget(m_openButton);
    buttons->addStretch();

    // Wrapped labels get their height from the column's width only when the layout, not an
    // alignment flag, decides their width: so the text lives in a fixed-width centred column.
    auto *column = new QWidget(this);
    column->setFixedWidth(600);
    auto *columnLayout = new QVBoxLayout(column);
    columnLayout->setContentsMargins(0, 0, 0, 0);
    columnLayout->addWidget(m_title);
    columnLayout->addSpacing(12);
    columnLayout->addWidget(m_intro);
    columnLayout->addSpacing(28);
    columnLayout->addLayout(buttons);
    columnLayout->addSpacing(20);
    columnLayout->addWidget(m_hint);

    auto *row = new QHBoxLayout;
    row->addStretch();
    row->addWidget(column);
    row->addStretch();
    auto *layout = new QVBoxLayout(this);
    layout->addStretch(2);
    layout->addLayout(row);
    layout->addStretch(3);

    connect(m_demoButton, &QPushButton::clicked, this, &WelcomePage::demoModelRequested);
    connect(m_openButton, &QPushButton::clicked, this, &WelcomePage::openModelRequested);
    retranslateUi();
}

void WelcomePage::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    QWidget::changeEvent(event);
}

void WelcomePage::retranslateUi()
{
    m_title->setText(tr("Welcome to GLM Desk"));
    m_intro->setText(tr("Chat with GLM-4.5-Air on your own computer, offline and private. "
                        "Your conversations never leave this machine."));
    m_demoButton->setText(tr("Try the built-in demo model"));
    m_demoButton->setToolTip(tr("A tiny model with GLM-4.5-Air's architecture: it thinks and "
                                "answers instantly, always the same scripted answer. Good for a "
                                "first look."));
    m_openButton->setText(tr("Open model…"));
    m_openButton->setToolTip(tr("Open a GLM-4.5 GGUF file or a Hugging Face model folder"));
    m_hint->setText(tr("GLM-4.5-Air needs about 60 GB of memory at 4 bits per weight. "
                       "Files in GGUF format (for example Q4_K_M) work best."));
}

} // namespace glmdesk::ui
