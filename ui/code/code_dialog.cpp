#include "ui/code/code_dialog.h"

#include "ui/code/code_block.h"
#include "ui/code/code_view.h"

#include <QApplication>
#include <QClipboard>
#include <QDialogButtonBox>
#include <QEvent>
#include <QPushButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace glmdesk::ui {

CodeDialog::CodeDialog(const QString &code, const KSyntaxHighlighting::Definition &definition,
                       QWidget *parent)
    : QDialog(parent)
{
    setObjectName(u"codeDialog"_s);
    setSizeGripEnabled(true);
    m_view = new CodeView(CodeView::Sizing::Scroll, this);
    m_view->setDefinition(definition);
    m_view->setCode(code);

    m_buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    m_copy = m_buttons->addButton(QString(), QDialogButtonBox::ActionRole);
    m_copy->setObjectName(u"copyCodeButton"_s);
    m_save = m_buttons->addButton(QString(), QDialogButtonBox::ActionRole);
    m_save->setObjectName(u"saveCodeButton"_s);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_copy, &QPushButton::clicked, this,
            [this] { QApplication::clipboard()->setText(m_view->code()); });
    connect(m_save, &QPushButton::clicked, this,
            [this] { saveCodeWithDialog(this, m_view->code(), m_view->definition()); });

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_view, 1);
    layout->addWidget(m_buttons);
    retranslateUi();
    resize(sizeHint());
}

void CodeDialog::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    QDialog::changeEvent(event);
}

void CodeDialog::retranslateUi()
{
    const auto definition = m_view->definition();
    setWindowTitle(definition.isValid() ? tr("Code — %1").arg(definition.name()) : tr("Code"));
    m_view->setAccessibleName(tr("Code"));
    m_copy->setText(tr("Copy"));
    m_copy->setAccessibleName(tr("Copy code"));
    m_save->setText(tr("Save as…"));
    m_save->setAccessibleName(tr("Save code as"));
}

} // namespace glmdesk::ui
