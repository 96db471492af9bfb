#include "ui/code/code_block.h"

#include "ui/code/code_dialog.h"
#include "ui/code/code_view.h"
#include "ui/code/highlighting.h"

#include <QApplication>
#include <QClipboard>
#include <QDir>
#include <QEvent>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QPainter>
#include <QSaveFile>
#include <QToolButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace glmdesk::ui {

CodeBlock::CodeBlock(const QString &infoString, QWidget *parent) : QFrame(parent)
{
    setObjectName(u"codeBlock"_s);
    setFrameShape(QFrame::NoFrame);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);

    m_view = new CodeView(CodeView::Sizing::FitContents, this);
    m_view->setDefinition(definitionForFence(infoString));

    m_language = new QLabel(this);
    m_language->setObjectName(u"codeLanguage"_s);
    m_language->setForegroundRole(QPalette::PlaceholderText);
    m_copy = new QToolButton(this);
    m_copy->setObjectName(u"copyCodeButton"_s);
    m_save = new QToolButton(this);
    m_save->setObjectName(u"saveCodeButton"_s);
    m_expand = new QToolButton(this);
    m_expand->setObjectName(u"expandCodeButton"_s);
    for (QToolButton *button : {m_copy, m_save, m_expand}) {
        button->setAutoRaise(true);
        button->setToolButtonStyle(Qt::ToolButtonTextOnly);
    }

    auto *header = new QHBoxLayout;
    header->setContentsMargins(8, 2, 4, 2);
    header->addWidget(m_language);
    header->addStretch();
    header->addWidget(m_copy);
    header->addWidget(m_save);
    header->addWidget(m_expand);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(1, 1, 1, 4);
    layout->setSpacing(0);
    layout->addLayout(header);
    layout->addWidget(m_view);

    connect(m_copy, &QToolButton::clicked, this, [this] {
        QApplication::clipboard()->setText(code());
        Q_EMIT copied();
    });
    connect(m_save, &QToolButton::clicked, this, &CodeBlock::saveAs);
    connect(m_expand, &QToolButton::clicked, this, &CodeBlock::openLargerView);
    retranslateUi();
}

void CodeBlock::paintEvent(QPaintEvent *)
{
    // One card in the code theme's background, header included, with a quiet palette border.
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(palette().color(QPalette::Mid));
    painter.setBrush(m_view->palette().color(QPalette::Base));
    painter.drawRoundedRect(QRectF(rect()).adjusted(0.5, 0.5, -0.5, -0.5), 6, 6);
}

void CodeBlock::appendCode(const QString &text)
{
    m_view->appendCode(text);
}

QString CodeBlock::code() const
{
    return m_view->code();
}

QString CodeBlock::languageName() const
{
    const auto definition = m_view->definition();
    return definition.isValid() ? definition.name() : QString();
}

QWidget *CodeBlock::openLargerView()
{
    auto *dialog = new CodeDialog(code(), m_view->definition(), window());
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->show();
    return dialog;
}

void CodeBlock::saveAs()
{
    saveCodeWithDialog(this, code(), m_view->definition());
}

void CodeBlock::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    QFrame::changeEvent(event);
}

void CodeBlock::retranslateUi()
{
    const QString language = languageName();
    m_language->setText(language.isEmpty() ? tr("Plain text") : language);
    m_copy->setText(tr("Copy"));
    m_copy->setToolTip(tr("Copy the code to the clipboard"));
    m_copy->setAccessibleName(tr("Copy code"));
    m_save->setText(tr("Save as…"));
    m_save->setToolTip(tr("Save the code to a file"));
    m_save->setAccessibleName(tr("Save code as"));
    m_expand->setText(tr("Open"));
    m_expand->setToolTip(tr("Open the code in a larger view"));
    m_expand->setAccessibleName(tr("Open code in a larger view"));
    m_view->setAccessibleName(language.isEmpty() ? tr("Code") : tr("%1 code").arg(language));
}

bool saveCodeToFile(const QString &path, const QString &code, QString *error)
{
    QSaveFile file(path);
    QByteArray bytes = code.toUtf8();
    if (!bytes.endsWith('\n'))
        bytes.append('\n');
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit()) {
        if (error) {
            *error = QCoreApplication::translate("glmdesk::ui::CodeBlock", "Could not save %1: %2")
                         .arg(QDir::toNativeSeparators(path), file.errorString());
        }
        return false;
    }
    return true;
}

void saveCodeWithDialog(QWidget *parent, const QString &code,
                        const KSyntaxHighlighting::Definition &definition)
{
    const QString suffix = suggestedSuffix(definition);
    const QString path = QFileDialog::getSaveFileName(
        parent, QCoreApplication::translate("glmdesk::ui::CodeBlock", "Save code as"),
        QDir::home().filePath(u"code."_s + suffix));
    if (path.isEmpty())
        return;
    QString error;
    if (!saveCodeToFile(path, code, &error)) {
        QMessageBox::warning(
            parent, QCoreApplication::translate("glmdesk::ui::CodeBlock", "Save code as"), error);
    }
}

} // namespace glmdesk::ui
