// First page a new user sees: what GLM Desk is, and the two ways to get a model.
#pragma once

#include <QWidget>

class QLabel;
class QPushButton;

namespace glmdesk::ui {

class WelcomePage : public QWidget
{
    Q_OBJECT
public:
    explicit WelcomePage(QWidget *parent = nullptr);

Q_SIGNALS:
    void demoModelRequested();
    void openModelRequested();

protected:
    void changeEvent(QEvent *event) override;

private:
    void retranslateUi();

    QLabel *m_title = nullptr;
    QLabel *m_intro = nullptr;
    QPushButton *m_demoButton = nullptr;
    QPushButton *m_openButton = nullptr;
    QLabel *m_hint = nullptr;
};

} // namespace glmdesk::ui
