// A piece of message text that is exactly as tall as its content: a QTextBrowser with no
// scrollbars whose height follows its width (heightForWidth). The transcript scrolls, never the
// text inside it, so selection, links and Ctrl+C work as in any text view while wheel turns pass
// through to the transcript.
//
// The height for a width is cached per content revision: when one message grows, the layout asks
// every message for its height again, and the unchanged ones answer from the cache instead of
// laying out their documents again.
#pragma once

#include <QTextBrowser>

#include <array>
#include <utility>

namespace glmdesk::ui {

class MarkdownView : public QTextBrowser
{
    Q_OBJECT
public:
    enum class Width { Fill, FitText };
    explicit MarkdownView(Width width, QWidget *parent = nullptr);

    void setMarkdownText(const QString &markdown);
    void setPlain(const QString &text);
    void appendPlain(const QString &text);

    bool hasHeightForWidth() const override { return true; }
    int heightForWidth(int width) const override;
    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void wheelEvent(QWheelEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void contentChanged();
    void makeTransparent();
    int horizontalChrome() const;

    Width m_width;
    quint64 m_revision = 0;
    // Heights for the last few widths asked about, valid for m_cachedRevision.
    mutable std::array<std::pair<int, int>, 3> m_cache{{{-1, 0}, {-1, 0}, {-1, 0}}};
    mutable int m_nextSlot = 0;
    mutable quint64 m_cachedRevision = ~quint64(0);
    mutable int m_idealWidth = -1;
    bool m_styling = false;
};

} // namespace glmdesk::ui
