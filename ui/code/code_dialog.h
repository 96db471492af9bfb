// The larger view of a code block: a resizable window with a scrolling CodeView (line numbers,
// the same highlighting), Copy and Save as… Read-only: it shows what the model wrote.
#pragma once

#include <KSyntaxHighlighting/Definition>

#include <QDialog>

class QDialogButtonBox;
class QPushButton;

namespace glmdesk::ui {

class CodeView;

class CodeDialog : public QDialog
{
    Q_OBJECT
public:
    CodeDialog(const QString &code, const KSyntaxHighlighting::Definition &definition,
               QWidget *parent = nullptr);

    CodeView *view() const { return m_view; }

protected:
    void changeEvent(QEvent *event) override;

private:
    void retranslateUi();

    CodeView *m_view = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
    QPushButton *m_copy = nullptr;
    QPushButton *m_save = nullptr;
};

} // namespace glmdesk::ui
