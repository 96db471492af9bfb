// The model's thinking for one answer: a header button that folds the text away, and the text,
// streamed live. While the model thinks the panel is open and the header counts the seconds; when
// the answer starts it reads "Thought for N s" and folds itself, unless the reader opened or
// closed it by hand in the meantime, in which case their choice stands.
#pragma once

#include <QElapsedTimer>
#include <QWidget>

class QTimer;
class QToolButton;

namespace glmdesk::ui {

class MarkdownView;

class ThinkingPanel : public QWidget
{
    Q_OBJECT
public:
    explicit ThinkingPanel(QWidget *parent = nullptr);

    // Text is kept at once and shown at the next flush(), which the message calls on its timer.
    void append(const QString &text);
    void flush();
    // The answer started (or the request ended): stop the clock and show the duration.
    void finish();
    // A duration known from elsewhere (a conversation reloaded from the store).
    void setDuration(qint64 milliseconds);

    QString text() const { return m_text; }
    bool isLive() const { return m_live; }
    qint64 durationMs() const { return m_durationMs; }
    bool isExpanded() const;
    void setExpanded(bool expanded);
    QString headerText() const;
    QToolButton *headerButton() const { return m_header; }

Q_SIGNALS:
    void expandedChanged(bool expanded);

protected:
    void changeEvent(QEvent *event) override;

private:
    void retranslateUi();
    void applyQuietColour();

    QToolButton *m_header = nullptr;
    MarkdownView *m_body = nullptr;
    QTimer *m_ticker = nullptr;
    QElapsedTimer m_clock;
    QString m_text;
    qsizetype m_shown = 0;
    qint64 m_durationMs = -1;
    bool m_live = true;
    bool m_userToggled = false;
    bool m_settingExpanded = false;
};

} // namespace glmdesk::ui
