// The sidebar, the settings dialog and their wiring in the main window, offscreen and on a
// temporary database and config: newest first, search, inline rename, delete with undo,
// keyboard shortcuts, a saved conversation reloaded into the chat page, settings that persist and
// apply at once (the language live).
#include "app/app_translator.h"
#include "app/conversation_store.h"
#include "ui/chat/chat_page.h"
#include "ui/main_window.h"
#include "ui/settings/settings_dialog.h"
#include "ui/sidebar/conversation_list.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QSplitter>
#include <QStackedWidget>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace glmdesk::app;
using namespace glmdesk::ui;

namespace {

QStringList titles(const QListWidget *list)
{
    QStringList out;
    for (int i = 0; i < list->count(); ++i)
        out.append(list->item(i)->text());
    return out;
}

} // namespace

class TestConversationSidebar : public QObject
{
    Q_OBJECT
    QTemporaryDir m_config; // QSettings reads XDG_CONFIG_HOME once per process
    std::unique_ptr<QTemporaryDir> m_data;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_config.isValid());
        qputenv("XDG_CONFIG_HOME", m_config.path().toUtf8());
    }
    void init()
    {
        // A fresh database and settings for every test function; never the user's own.
        m_data = std::make_unique<QTemporaryDir>();
        QVERIFY(m_data->isValid());
        qputenv("GLMDESK_DATA_DIR", m_data->path().toUtf8());
        QSettings().clear();
        QVERIFY(QSettings().fileName().startsWith(m_config.path()));
    }
    void listsNewestFirstAndFiltersBySearch();
    void renamesInline();
    void deleteOffersUndoThatRestores();
    void undoBannerGoesAwayAndPurgeRemovesForGood();
    void windowLoadsASavedConversationIntoTheChat();
    void shortcutsReachTheirTargets();
    void settingsPersistAndApplyAtOnce();
    void settingsSwitchLanguageLive();
};

void TestConversationSidebar::listsNewestFirstAndFiltersBySearch()
{
    ConversationStore store;
    QVERIFY(store.open());
    const auto a = store.createConversation(u"Sorting in Python"_s);
    QTest::qWait(3);
    const auto b = store.createConversation(u"MoE routing"_s);
    QTest::qWait(3);
    const auto c = store.createConversation(u"快速排序"_s);
    QVERIFY(a && b && c);
    // Timestamps are in milliseconds: the message must come a millisecond after the last creation.
    QTest::qWait(3);
    QVERIFY(store.addMessage(*a, MessageRole::User, u"what is a heap?"_s));

    ConversationList sidebar(&store);
    auto *list = sidebar.findChild<QListWidget *>(u"conversationList"_s);
    QVERIFY(list);
    // Adding a message made "Sorting in Python" the newest.
    QCOMPARE(titles(list), (QStringList{u"Sorting in Python"_s, u"快速排序"_s, u"MoE routing"_s}));
    QVERIFY(!list->accessibleName().isEmpty());

    auto *search = sidebar.findChild<QLineEdit *>(u"conversationSearch"_s);
    QVERIFY(search);
    QVERIFY(!search->accessibleName().isEmpty());
    QTest::keyClicks(search, u"heap"_s); // message text, not a title
    QCOMPARE(titles(list), QStringList{u"Sorting in Python"_s});
    search->clear();
    search->setText(u"排序"_s);
    QCOMPARE(titles(list), QStringList{u"快速排序"_s});
    search->clear();
    QCOMPARE(list->count(), 3);

    // A new conversation appears at the top by itself (the store says it changed).
    QVERIFY(store.createConversation(QString()));
    QCOMPARE(list->count(), 4);
    QCOMPARE(list->item(0)->text(), u"New conversation"_s);

    QSignalSpy selected(&sidebar, &ConversationList::conversationSelected);
    list->setCurrentRow(2);
    QCOMPARE(selected.size(), 1);
    QCOMPARE(selected.first().first().toLongLong(), *c);
    QCOMPARE(sidebar.currentConversation(), *c);
    sidebar.setCurrentConversation(*b); // programmatic: no signal
    QCOMPARE(selected.size(), 1);
    QCOMPARE(sidebar.currentConversation(), *b);
}

void TestConversationSidebar::renamesInline()
{
    ConversationStore store;
    QVERIFY(store.open());
    const auto id = store.createConversation(u"old title"_s);
    QVERIFY(id);
    ConversationList sidebar(&store);
    sidebar.show();
    QVERIFY(QTest::qWaitForWindowExposed(&sidebar));
    auto *list = sidebar.findChild<QListWidget *>(u"conversationList"_s);
    sidebar.renameConversation(*id);
    auto *editor = list->findChild<QLineEdit *>();
    QTRY_VERIFY(editor && editor->isVisible());
    editor->setText(u"新的标题"_s); // as an input method commits it
    QTest::keyClick(editor, Qt::Key_Return);
    QTRY_COMPARE(store.conversation(*id)->title, u"新的标题"_s);
    QTRY_COMPARE(list->item(0)->text(), u"新的标题"_s);

    // An empty title is refused: the old one comes back.
    sidebar.renameConversation(*id);
    QTRY_VERIFY((editor = list->findChild<QLineEdit *>()) && editor->isVisible());
    editor->selectAll();
    QTest::keyClick(editor, Qt::Key_Backspace);
    QTest::keyClick(editor, Qt::Key_Return);
    QTest::qWait(50);
    QCOMPARE(store.conversation(*id)->title, u"新的标题"_s);
    QTRY_COMPARE(list->item(0)->text(), u"新的标题"_s);
}

void TestConversationSidebar::deleteOffersUndoThatRestores()
{
    ConversationStore store;
    QVERIFY(store.open());
    const auto keep = store.createConversation(u"keep"_s);
    const auto gone = store.createConversation(u"gone"_s);
    QVERIFY(keep && gone);
    QVERIFY(store.addMessage(*gone, MessageRole::User, u"x"_s));
    ConversationList sidebar(&store);
    sidebar.show();
    QVERIFY(QTest::qWaitForWindowExposed(&sidebar));
    auto *list = sidebar.findChild<QListWidget *>(u"conversationList"_s);
    auto *banner = sidebar.findChild<QWidget *>(u"undoBanner"_s);
    QVERIFY(banner && !banner->isVisible());

    QSignalSpy deleted(&sidebar, &ConversationList::conversationDeleted);
    list->setCurrentRow(0); // "gone", the newest
    list->setFocus();
    QTest::keyClick(list, Qt::Key_Delete);
    QCOMPARE(deleted.size(), 1);
    QCOMPARE(deleted.first().first().toLongLong(), *gone);
    QCOMPARE(titles(list), QStringList{u"keep"_s});
    QVERIFY(banner->isVisible());
    QVERIFY(sidebar.findChild<QLabel *>(u"undoLabel"_s)->text().contains(u"gone"_s));

    QSignalSpy selected(&sidebar, &ConversationList::conversationSelected);
    QTest::mouseClick(sidebar.findChild<QPushButton *>(u"undoDeleteButton"_s), Qt::LeftButton);
    QVERIFY(!banner->isVisible());
    QCOMPARE(titles(list), (QStringList{u"gone"_s, u"keep"_s}));
    QCOMPARE(store.messages(*gone).size(), 1);
    QCOMPARE(selected.size(), 1); // the restored one opens again
    QCOMPARE(sidebar.currentConversation(), *gone);
}

void TestConversationSidebar::undoBannerGoesAwayAndPurgeRemovesForGood()
{
    {
        ConversationStore store;
        QVERIFY(store.open());
        QVERIFY(store.createConversation(u"doomed"_s));
        ConversationList sidebar(&store);
        sidebar.show();
        QVERIFY(QTest::qWaitForWindowExposed(&sidebar));
        auto *list = sidebar.findChild<QListWidget *>(u"conversationList"_s);
        auto *banner = sidebar.findChild<QWidget *>(u"undoBanner"_s);
        list->setCurrentRow(0);
        sidebar.deleteConversation(sidebar.currentConversation());
        QVERIFY(banner->isVisible());
        QTRY_VERIFY_WITH_TIMEOUT(!banner->isVisible(), ConversationList::kUndoMs + 2000);
        sidebar.undoDelete(); // too late: nothing happens
        QCOMPARE(list->count(), 0);
    }
    // The next start purges what is still deleted.
    AppTranslator translator;
    QVERIFY(translator.setLanguage(u"en"_s));
    MainWindow window(&translator);
    ConversationStore *store = window.conversationStore();
    QVERIFY(store->isOpen());
    QCOMPARE(store->purgeDeleted().value_or(-1), 0); // already gone
    QCOMPARE(store->conversations().size(), 0);
}

void TestConversationSidebar::windowLoadsASavedConversationIntoTheChat()
{
    {
        ConversationStore store;
        QVERIFY(store.open());
        const auto id = store.createConversation(u"saved"_s, u"air-mini"_s);
        QVERIFY(id);
        QVERIFY(store.addMessage(*id, MessageRole::User, u"第一个问题"_s));
        const auto a =
            store.addMessage(*id, MessageRole::Assistant, {}, {}, MessageState::Streaming);
        QVERIFY(a);
        MessageResult done;
        done.thinkingMs = 2500;
        QVERIFY(store.finishMessage(*a, u"first answer"_s, u"pondering"_s, done));
        QVERIFY(store.addMessage(*id, MessageRole::User, u"second question"_s));
        // Killed while streaming: reloaded as stopped, with what was saved.
        QVERIFY(store.addMessage(*id, MessageRole::Assistant, u"half an ans"_s, {},
                                 MessageState::Streaming));
        QVERIFY(store.createConversation(u"other"_s));
    }
    AppTranslator translator;
    QVERIFY(translator.setLanguage(u"en"_s));
    MainWindow window(&translator);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QVERIFY(window.findChild<QSplitter *>(u"mainSplitter"_s));
    auto *list = window.findChild<QListWidget *>(u"conversationList"_s);
    QVERIFY(list);
    QCOMPARE(titles(list), (QStringList{u"other"_s, u"saved"_s}));
    auto *pages = window.findChild<QStackedWidget *>(u"pages"_s);
    QCOMPARE(pages->currentWidget()->objectName(), u"welcomePage"_s);

    list->setCurrentRow(1);
    QCOMPARE(pages->currentWidget()->objectName(), u"chatPage"_s);
    QVERIFY(window.currentConversation() > 0);
    auto *chat = window.findChild<ChatPage *>();
    const QString transcript = chat->transcriptText();
    for (const QString &part :
         {u"第一个问题"_s, u"first answer"_s, u"second question"_s, u"half an ans"_s})
        QVERIFY2(transcript.contains(part), qPrintable(transcript));
    QVERIFY(transcript.indexOf(u"第一个问题"_s) < transcript.indexOf(u"first answer"_s));
    QVERIFY(transcript.indexOf(u"first answer"_s) < transcript.indexOf(u"second question"_s));
    // The interrupted answer was marked when the window opened the store.
    const auto messages = window.conversationStore()->messages(window.currentConversation());
    QCOMPARE(messages.last().state, MessageState::Cancelled);
    // No model: the composer says why it cannot continue.
    QVERIFY(!window.findChild<QLabel *>(u"chatStatus"_s)->text().isEmpty());

    // Another conversation replaces the transcript; New empties it.
    list->setCurrentRow(0);
    QVERIFY(!chat->transcriptText().contains(u"first answer"_s));
    list->setCurrentRow(1);
    QVERIFY(chat->transcriptText().contains(u"first answer"_s));
    window.newConversation();
    QCOMPARE(window.currentConversation(), 0);
    QVERIFY(!chat->transcriptText().contains(u"first answer"_s));
    QVERIFY(list->selectedItems().isEmpty());

    // Deleting the open conversation leaves it.
    list->setCurrentRow(1);
    const qint64 open = window.currentConversation();
    QVERIFY(open > 0);
    window.findChild<ConversationList *>()->deleteConversation(open);
    QCOMPARE(window.currentConversation(), 0);
    QVERIFY(!chat->transcriptText().contains(u"first answer"_s));
}

void TestConversationSidebar::shortcutsReachTheirTargets()
{
    AppTranslator translator;
    QVERIFY(translator.setLanguage(u"en"_s));
    MainWindow window(&translator);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.activateWindow();
    QTRY_VERIFY(window.isActiveWindow());
    auto *search = window.findChild<QLineEdit *>(u"conversationSearch"_s);
    QVERIFY(!search->hasFocus());
    QTest::keyClick(&window, Qt::Key_F, Qt::ControlModifier);
    QTRY_VERIFY(search->hasFocus());

    QTest::keyClick(&window, Qt::Key_Comma, Qt::ControlModifier);
    SettingsDialog *dialog = nullptr;
    QTRY_VERIFY((dialog = window.findChild<SettingsDialog *>()) && dialog->isVisible());
    dialog->close();

    ConversationStore *store = window.conversationStore();
    const auto id = store->createConversation(u"c"_s);
    QVERIFY(id);
    window.openConversation(*id);
    QCOMPARE(window.currentConversation(), *id);
    QTest::keyClick(&window, Qt::Key_N, Qt::ControlModifier);
    QCOMPARE(window.currentConversation(), 0);
}

void TestConversationSidebar::settingsPersistAndApplyAtOnce()
{
    {
        const AppSettings defaults = AppSettings::load();
        // GLM-4.5's published sampling (GLM45_SPEC.md section 8).
        QCOMPARE(defaults.sampling.temperature, 0.6);
        QCOMPARE(defaults.sampling.topP, 0.95);
        QCOMPARE(defaults.samplingPreset, AppSettings::SamplingPreset::Glm45Default);
        QVERIFY(defaults.systemPrompt().isEmpty());
    }
    const int platformSize = QApplication::font().pointSize();
    {
        SettingsDialog dialog(nullptr);
        QSignalSpy changed(&dialog, &SettingsDialog::settingsChanged);
        auto *preset = dialog.findChild<QComboBox *>(u"samplingPreset"_s);
        auto *temperature = dialog.findChild<QDoubleSpinBox *>(u"temperature"_s);
        QVERIFY(preset && temperature);
        QVERIFY(!preset->accessibleName().isEmpty());
        QCOMPARE(temperature->value(), 0.6);
        preset->setCurrentIndex(static_cast<int>(AppSettings::SamplingPreset::Greedy));
        QCOMPARE(temperature->value(), 0.0);
        // Editing a value makes the preset Custom.
        temperature->setValue(0.85);
        QCOMPARE(preset->currentIndex(), static_cast<int>(AppSettings::SamplingPreset::Custom));
        auto *promptPreset = dialog.findChild<QComboBox *>(u"promptPreset"_s);
        auto *prompt = dialog.findChild<QPlainTextEdit *>(u"systemPrompt"_s);
        promptPreset->setCurrentIndex(static_cast<int>(AppSettings::PromptPreset::Coder));
        QVERIFY(prompt->toPlainText().contains(u"programmer"_s));
        prompt->setPlainText(u"你是一位诗人。"_s);
        QCOMPARE(promptPreset->currentIndex(), static_cast<int>(AppSettings::PromptPreset::Custom));
        dialog.findChild<QComboBox *>(u"theme"_s)->setCurrentIndex(2);
        dialog.findChild<QSpinBox *>(u"fontSize"_s)->setValue(platformSize + 3);
        QCOMPARE(QApplication::font().pointSize(), platformSize + 3); // at once
        QVERIFY(changed.size() >= 5);
        QCOMPARE(dialog.settings().sampling.temperature, 0.85);
    }
    const AppSettings back = AppSettings::load();
    QCOMPARE(back.samplingPreset, AppSettings::SamplingPreset::Custom);
    QCOMPARE(back.sampling.temperature, 0.85);
    QCOMPARE(back.sampling.topP, 1.0); // from Greedy, kept when it became Custom
    QCOMPARE(back.systemPrompt(), u"你是一位诗人。"_s);
    QCOMPARE(back.theme, AppSettings::Theme::Dark);
    QCOMPARE(back.fontPointSize, platformSize + 3);
    // 0 = the platform's size again.
    AppSettings reset = back;
    reset.fontPointSize = 0;
    reset.applyAppearance();
    QCOMPARE(QApplication::font().pointSize(), platformSize);

    // Hostile values in the file are clamped, not trusted.
    QSettings raw;
    raw.setValue(u"sampling/preset"_s, 4);
    raw.setValue(u"sampling/temperature"_s, 99.0);
    raw.setValue(u"ui/theme"_s, 42);
    raw.sync();
    const AppSettings clamped = AppSettings::load();
    QCOMPARE(clamped.sampling.temperature, 2.0);
    QCOMPARE(clamped.theme, AppSettings::Theme::System);
}

void TestConversationSidebar::settingsSwitchLanguageLive()
{
    AppTranslator translator;
    QVERIFY(translator.setLanguage(u"en"_s));
    MainWindow window(&translator);
    window.show();
    window.openSettings();
    SettingsDialog *dialog = window.findChild<SettingsDialog *>();
    QVERIFY(dialog);
    // A string the zh_CN catalogue already has (the sidebar's are translated by the lead later).
    auto *newButton = window.findChild<QPushButton *>(u"openModelButton"_s);
    const QString english = newButton->text();
    auto *language = dialog->findChild<QComboBox *>(u"language"_s);
    language->setCurrentIndex(language->findData(u"zh_CN"_s));
    QTRY_COMPARE(translator.language(), u"zh_CN"_s);
    QTRY_VERIFY(newButton->text() != english);
    // The combo box still shows the choice after it was refilled in Chinese.
    QCOMPARE(language->currentData().toString(), u"zh_CN"_s);
    QCOMPARE(AppSettings::load().language, u"zh_CN"_s);
    language->setCurrentIndex(language->findData(u"en"_s));
    QTRY_COMPARE(newButton->text(), english);
}

QTEST_MAIN(TestConversationSidebar)
#include "tst_conversation_sidebar.moc"
