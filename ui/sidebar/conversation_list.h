// The sidebar: saved conversations, newest first, with a search box, New, inline rename and
// delete with a few seconds to undo. It reads and writes the ConversationStore directly and
// tells the window which conversation the user picked; the window does the loading.
#pragma once

#include <QWidget>

class QLabel;
class QLineEdit;
class QListWidget;
class QListWidgetItem;
class QPushButton;
class QTimer;

namespace glmdesk::app {
class ConversationStore;
}

namespace glmdesk::ui {

class ConversationList : public QWidget
{
    Q_OBJECT
public:
    static constexpr int kUndoMs = 8000;

    explicit ConversationList(app::ConversationStore *store, QWidget *parent = nullptr);

    qint64 currentConversation() const; // 0: none
    // Selects `id` in the list without emitting conversationSelected (0 clears the selection).
    void setCurrentConversation(qint64 id);
    void focusSearch();
    QString searchText() const;
    // Starts the inline editor on the conversation's title.
    void renameConversation(qint64 id);
    // Soft-deletes and offers Undo for kUndoMs.
    void deleteConversation(qint64 id);
    void undoDelete();
    // Reloads from the store (the current filter applies); keeps the selection.
    void refresh();

Q_SIGNALS:
    void conversationSelected(qint64 id);
    void newConversationRequested();
    // The conversation that was deleted (so the window can leave it if it was open).
    void conversationDeleted(qint64 id);

protected:
    void changeEvent(QEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void retranslateUi();
    void showContextMenu(const QPoint &pos);
    void itemEdited(QListWidgetItem *item);
    QListWidgetItem *itemFor(qint64 id) const;

    app::ConversationStore *m_store;
    QLineEdit *m_search = nullptr;
    QPushButton *m_newButton = nullptr;
    QListWidget *m_list = nullptr;
    QWidget *m_undoBanner = nullptr;
    QLabel *m_undoLabel = nullptr;
    QPushButton *m_undoButton = nullptr;
    QTimer *m_undoTimer = nullptr;
    qint64 m_deletedId = 0;
    QString m_deletedTitle;
    bool m_refreshing = false;
};

} // namespace glmdesk::ui
