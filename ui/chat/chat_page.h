// The conversation page: the message list above, the composer below. Messages arrive as deltas
// from the engine bridge; until a model is loaded the composer stays disabled.
#pragma once

#include <QWidget>

class QCheckBox;
class QLabel;
class QListWidget;
class QPlainTextEdit;
class QPushButton;

namespace glmdesk::ui {

class ChatPage : public QWidget
{
    Q_OBJECT
public:
    explicit ChatPage(QWidget *parent = nullptr);

    // Enables the composer once a model can answer; shows why it cannot otherwise.
    void setReady(bool ready, const QString &reason = {});

    QString draft() const;

Q_SIGNALS:
    void sendRequested(const QString &text, bool thinking);

protected:
    void changeEvent(QEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void retranslateUi();
    void send();

    QListWidget *m_messages = nullptr;
    QLabel *m_status = nullptr;
    QPlainTextEdit *m_composer = nullptr;
    QCheckBox *m_thinking = nullptr;
    QPushButton *m_sendButton = nullptr;
    QString m_reason;
};

} // namespace glmdesk::ui
