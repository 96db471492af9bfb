#include "ui/sidebar/conversation_list.h"

#include "app/conversation_store.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QLocale>
#include <QMenu>
#include <QPushButton>
#include <QTimer>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace glmdesk::ui {

namespace {
constexpr int kIdRole = Qt::UserRole;
}

ConversationList::ConversationList(app::ConversationStore *store, QWidget *parent)
    : QWidget(parent), m_store(store)
{
    setObjectName(u"conversationSidebar"_s);
    m_search = new QLineEdit(this);
    m_search->setObjectName(u"conversationSearch"_s);
    m_search->setClearButtonEnabled(true);
    m_newButton = new QPushButton(this);
    m_newButton->setObjectName(u"newConversationButton"_s);
    m_list = new QListWidget(this);
    m_list->setObjectName(u"conversationList"_s);
    m_list->setContextMenuPolicy(Qt::CustomContextMenu);
    m_list->setEditTriggers(QAbstractItemView::EditKeyPressed);
    m_list->setUniformItemSizes(true);
    m_list->installEventFilter(this);

    m_undoBanner = new QWidget(this);
    m_undoBanner->setObjectName(u"undoBanner"_s);
    m_undoLabel = new QLabel(m_undoBanner);
    m_undoLabel->setObjectName(u"undoLabel"_s);
    m_undoLabel->setWordWrap(true);
    m_undoButton = new QPushButton(m_undoBanner);
    m_undoButton->setObjectName(u"undoDeleteButton"_s);
    auto *bannerLayout = new QHBoxLayout(m_undoBanner);
    bannerLayout->setContentsMargins(4, 2, 4, 2);
    bannerLayout->addWidget(m_undoLabel, 1);
    bannerLayout->addWidget(m_undoButton);
    m_undoBanner->hide();
    m_undoTimer = new QTimer(this);
    m_undoTimer->setSingleShot(true);
    m_undoTimer->setInterval(kUndoMs);
    connect(m_undoTimer, &QTimer::timeout, this, [this] {
        m_undoBanner->hide();
        m_deletedId = 0;
    });

    auto *top = new QHBoxLayout;
    top->addWidget(m_search, 1);
    top->addWidget(m_newButton);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 0, 6);
    layout->addLayout(top);
    layout->addWidget(m_list, 1);
    layout->addWidget(m_undoBanner);

    connect(m_search, &QLineEdit::textChanged, this, &ConversationList::refresh);
    connect(m_newButton, &QPushButton::clicked, this, &ConversationList::newConversationRequested);
    connect(m_undoButton, &QPushButton::clicked, this, &ConversationList::undoDelete);
    connect(m_list, &QListWidget::currentItemChanged, this, [this](QListWidgetItem *item) {
        if (!m_refreshing && item)
            Q_EMIT conversationSelected(item->data(kIdRole).toLongLong());
    });
    connect(m_list, &QListWidget::itemChanged, this, &ConversationList::itemEdited);
    connect(m_list, &QListWidget::customContextMenuRequested, this,
            &ConversationList::showContextMenu);
    if (m_store)
        connect(m_store, &app::ConversationStore::conversationsChanged, this,
                &ConversationList::refresh);

    retranslateUi();
    refresh();
}

qint64 ConversationList::currentConversation() const
{
    const QListWidgetItem *item = m_list->currentItem();
    return item && item->isSelected() ? item->data(kIdRole).toLongLong() : 0;
}

void ConversationList::setCurrentConversation(qint64 id)
{
    m_refreshing = true;
    if (QListWidgetItem *item = itemFor(id))
        m_list->setCurrentItem(item);
    else
        m_list->setCurrentItem(nullptr);
    if (!id)
        m_list->clearSelection();
    m_refreshing = false;
}

void ConversationList::focusSearch()
{
    m_search->setFocus(Qt::ShortcutFocusReason);
    m_search->selectAll();
}

QString ConversationList::searchText() const
{
    return m_search->text();
}

QListWidgetItem *ConversationList::itemFor(qint64 id) const
{
    for (int i = 0; i < m_list->count(); ++i)
        if (m_list->item(i)->data(kIdRole).toLongLong() == id)
            return m_list->item(i);
    return nullptr;
}

void ConversationList::refresh()
{
    if (!m_store || !m_store->isOpen())
        return;
    const qint64 current = currentConversation();
    const QList<app::ConversationInfo> list = m_store->search(m_search->text());
    m_refreshing = true;
    m_list->clear();
    const QLocale locale;
    for (const app::ConversationInfo &c : list) {
        auto *item = new QListWidgetItem(m_list);
        item->setText(c.title.isEmpty() ? tr("New conversation") : c.title);
        item->setData(kIdRole, c.id);
        item->setData(
            Qt::ToolTipRole,
            tr("%1\nLast message: %2")
                .arg(item->text(), locale.toString(c.updated.toLocalTime(), QLocale::ShortFormat)));
        item->setFlags(item->flags() | Qt::ItemIsEditable);
        if (c.id == current) {
            m_list->setCurrentItem(item);
        }
    }
    m_refreshing = false;
}

void ConversationList::itemEdited(QListWidgetItem *item)
{
    if (m_refreshing || !m_store)
        return;
    const qint64 id = item->data(kIdRole).toLongLong();
    const QString title = item->text().simplified();
    // Later, not inside the view's commit of the editor: the rename refreshes (rebuilds) the list.
    QMetaObject::invokeMethod(
        this,
        [this, id, title] {
            if (title.isEmpty() || !m_store->renameConversation(id, title))
                refresh(); // an empty title is not a title: put the old one back
        },
        Qt::QueuedConnection);
}

void ConversationList::renameConversation(qint64 id)
{
    if (QListWidgetItem *item = itemFor(id)) {
        m_list->setCurrentItem(item);
        m_list->editItem(item);
    }
}

void ConversationList::deleteConversation(qint64 id)
{
    if (!m_store || !id)
        return;
    const QListWidgetItem *item = itemFor(id);
    const QString title = item ? item->text() : QString();
    if (!m_store->deleteConversation(id))
        return;
    m_deletedId = id;
    m_deletedTitle = title;
    retranslateUi();
    m_undoBanner->show();
    m_undoTimer->start();
    Q_EMIT conversationDeleted(id);
}

void ConversationList::undoDelete()
{
    if (!m_deletedId || !m_store)
        return;
    const qint64 id = m_deletedId;
    m_deletedId = 0;
    m_undoTimer->stop();
    m_undoBanner->hide();
    if (m_store->restoreConversation(id)) {
        setCurrentConversation(id);
        Q_EMIT conversationSelected(id);
    }
}

void ConversationList::showContextMenu(const QPoint &pos)
{
    QListWidgetItem *item = m_list->itemAt(pos);
    if (!item)
        return;
    const qint64 id = item->data(kIdRole).toLongLong();
    QMenu menu(this);
    menu.addAction(tr("Rename"), this, [this, id] { renameConversation(id); });
    menu.addAction(tr("Delete"), this, [this, id] { deleteConversation(id); });
    menu.exec(m_list->viewport()->mapToGlobal(pos));
}

bool ConversationList::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_list && event->type() == QEvent::KeyPress) {
        const auto *key = static_cast<QKeyEvent *>(event);
        if (key->key() == Qt::Key_Delete) { // the inline editor takes its own keys
            deleteConversation(currentConversation());
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

void ConversationList::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange) {
        retranslateUi();
        refresh(); // "New conversation" for untitled ones
    }
    QWidget::changeEvent(event);
}

void ConversationList::retranslateUi()
{
    m_search->setPlaceholderText(tr("Search conversations (Ctrl+F)"));
    m_search->setAccessibleName(tr("Search conversations"));
    m_newButton->setText(tr("New"));
    m_newButton->setToolTip(tr("New conversation (Ctrl+N)"));
    m_newButton->setAccessibleName(tr("New conversation"));
    m_list->setAccessibleName(tr("Conversations"));
    m_list->setAccessibleDescription(tr("Newest first. F2 renames, Delete deletes (with undo)."));
    m_undoLabel->setText(tr("Deleted “%1”.").arg(m_deletedTitle));
    m_undoButton->setText(tr("Undo"));
    m_undoButton->setAccessibleName(tr("Undo delete"));
}

} // namespace glmdesk::ui
