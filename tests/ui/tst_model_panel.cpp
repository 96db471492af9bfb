// The Models dialog offscreen: what it says about a real model file before loading, how its
// memory estimate follows the controls, what it says about a file that is not a model, the
// recent list and per-model options, and a load through the main window with the chosen options.
#include "app/app_translator.h"
#include "app/chat_engine.h"
#include "ui/main_window.h"
#include "ui/model/model_panel.h"

#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QRandomGenerator>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using glmdesk::app::LoadOptions;
using glmdesk::ui::ModelPanel;

class TestModelPanel : public QObject
{
    Q_OBJECT
    QTemporaryDir m_home;
    QString demoModel() const { return QStringLiteral(GLMDESK_DEMO_MODEL_PATH); }
    std::unique_ptr<QSettings> freshSettings(const QString &name)
    {
        return std::make_unique<QSettings>(m_home.filePath(name + u".ini"_s), QSettings::IniFormat);
    }
    static bool waitForInfo(ModelPanel &panel)
    {
        QSignalSpy updated(&panel, &ModelPanel::infoUpdated);
        return panel.infoReady() || !panel.infoError().isEmpty() || updated.wait(20000);
    }
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        QVERIFY2(QFile::exists(demoModel()), "the glmdesk_demo_model target writes it");
        qputenv("GLMDESK_DATA_DIR", m_home.filePath(u"data"_s).toUtf8());
        qputenv("XDG_CONFIG_HOME", m_home.filePath(u"config"_s).toUtf8());
    }
    void describesTheDemoModelBeforeLoading();
    void estimateFollowsContextAndKvType();
    void aFileThatIsNotAModelGetsAPlainError();
    void recentModelsNewestFirstAndPersisted();
    void optionsAreRememberedPerModel();
    void loadsThroughTheWindowWithTheChosenContext();
    void cancellingALoadLeavesNothingHalfDone();
};

void TestModelPanel::describesTheDemoModelBeforeLoading()
{
    auto settings = freshSettings(u"describe"_s);
    ModelPanel panel(settings.get());
    panel.setDemoModelPath(demoModel());
    panel.showModel(demoModel());
    QVERIFY(waitForInfo(panel));
    QVERIFY2(panel.infoReady(), qPrintable(panel.infoError()));
    const QString info = panel.infoText();
    QVERIFY2(info.contains(u"glm4moe"_s), qPrintable(info));
    QVERIFY(info.contains(u"MTP"_s));
    QVERIFY(info.contains(u"demo"_s));
    const auto estimate = panel.estimate();
    QVERIFY(estimate);
    QVERIFY(estimate->fits);
    QVERIFY(estimate->kvBytes > 0);
    QVERIFY(estimate->hostBytes > estimate->kvBytes);
    auto *load = panel.findChild<QPushButton *>(u"loadButton"_s);
    QVERIFY(load && load->isEnabled());
    // The estimate is said in words, with the machine's RAM.
    const auto *text = panel.findChild<QLabel *>(u"memoryEstimate"_s);
    QVERIFY(text && text->text().contains(u"It fits."_s));
    // A picture for CI's artifacts and for reviewers.
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    const QImage shot = panel.grab().toImage();
    QVERIFY(!shot.isNull());
    QVERIFY(QDir().mkpath(QStringLiteral(GLMDESK_SCREENSHOT_DIR)));
    QVERIFY(shot.save(QStringLiteral(GLMDESK_SCREENSHOT_DIR) + u"/glmdesk-model-panel-en.png"_s));
}

void TestModelPanel::estimateFollowsContextAndKvType()
{
    auto settings = freshSettings(u"estimate"_s);
    ModelPanel panel(settings.get());
    panel.showModel(demoModel());
    QVERIFY(waitForInfo(panel));
    auto *context = panel.findChild<QSpinBox *>(u"contextSize"_s);
    auto *kv = panel.findChild<QComboBox *>(u"kvType"_s);
    QVERIFY(context && kv);
    auto kvBytesAt = [&](int tokens, LoadOptions::KvType type) {
        context->setValue(tokens);
        kv->setCurrentIndex(kv->findData(static_cast<int>(type)));
        return panel.estimate()->kvBytes;
    };
    const quint64 f16 = kvBytesAt(1024, LoadOptions::KvType::F16);
    QCOMPARE(kvBytesAt(2048, LoadOptions::KvType::F16), 2 * f16);
    QCOMPARE(kvBytesAt(1024, LoadOptions::KvType::F32), 2 * f16);
    const quint64 q8 = kvBytesAt(1024, LoadOptions::KvType::Q8_0);
    QVERIFY(q8 < f16);
    QVERIFY(q8 > f16 / 2); // 8 bits plus a scale per block
    // The KV bytes show in the words too.
    const auto *text = panel.findChild<QLabel *>(u"memoryEstimate"_s);
    QVERIFY(text->text().contains(glmdesk::app::formatBytes(q8)));
    QCOMPARE(panel.loadOptions().kvType, LoadOptions::KvType::Q8_0);
    QCOMPARE(panel.loadOptions().contextLength, 1024);
}

void TestModelPanel::aFileThatIsNotAModelGetsAPlainError()
{
    const QString bad = m_home.filePath(u"broken.gguf"_s);
    {
        QFile f(bad);
        QVERIFY(f.open(QIODevice::WriteOnly));
        QByteArray junk(4096, Qt::Uninitialized);
        QRandomGenerator rng(5);
        for (char &c : junk)
            c = static_cast<char>(rng.bounded(256));
        junk.replace(0, 4, "GGUF"); // looks like one at first sight
        f.write(junk);
    }
    auto settings = freshSettings(u"bad"_s);
    ModelPanel panel(settings.get());
    panel.showModel(bad);
    QVERIFY(waitForInfo(panel));
    QVERIFY(!panel.infoReady());
    QVERIFY(!panel.infoError().isEmpty());
    QVERIFY(panel.infoText().contains(u"not a model"_s));
    QVERIFY(!panel.estimate());
    QVERIFY(!panel.findChild<QPushButton *>(u"loadButton"_s)->isEnabled());
}

void TestModelPanel::recentModelsNewestFirstAndPersisted()
{
    auto settings = freshSettings(u"recent"_s);
    const QString a = demoModel(), b = m_home.filePath(u"b.gguf"_s),
                  c = m_home.filePath(u"gone.gguf"_s);
    {
        QFile f(b);
        QVERIFY(f.open(QIODevice::WriteOnly));
    }
    {
        ModelPanel panel(settings.get());
        panel.addRecent(a);
        panel.addRecent(b);
        panel.addRecent(c);
        panel.addRecent(a); // again: moves to the front, not twice in the list
        QCOMPARE(panel.recentModels(), (QStringList{a, c, b}));
        for (int i = 0; i < ModelPanel::kMaxRecent + 3; ++i)
            panel.addRecent(m_home.filePath(u"m%1.gguf"_s.arg(i)));
        QCOMPARE(panel.recentModels().size(), ModelPanel::kMaxRecent);
        panel.removeRecent(m_home.filePath(u"m0.gguf"_s));
        panel.addRecent(c);
    }
    ModelPanel reopened(settings.get());
    const QStringList list = reopened.recentModels();
    QCOMPARE(list.first(), c);
    QVERIFY(!list.contains(m_home.filePath(u"m0.gguf"_s)));
    auto *view = reopened.findChild<QListWidget *>(u"recentModels"_s);
    QVERIFY(view);
    QCOMPARE(view->count(), list.size());
    QVERIFY2(view->item(0)->text().contains(u"missing"_s), qPrintable(view->item(0)->text()));
}

void TestModelPanel::optionsAreRememberedPerModel()
{
    auto settings = freshSettings(u"options"_s);
    LoadOptions chosen;
    {
        ModelPanel panel(settings.get());
        panel.showModel(demoModel());
        QVERIFY(waitForInfo(panel));
        panel.findChild<QSpinBox *>(u"contextSize"_s)->setValue(3072);
        auto *kv = panel.findChild<QComboBox *>(u"kvType"_s);
        kv->setCurrentIndex(kv->findData(static_cast<int>(LoadOptions::KvType::Q8_0)));
        panel.findChild<QSpinBox *>(u"threads"_s)->setValue(2);
        panel.findChild<QSpinBox *>(u"mtpDrafts"_s)->setValue(0);
        QSignalSpy requested(&panel, &ModelPanel::loadRequested);
        QTest::mouseClick(panel.findChild<QPushButton *>(u"loadButton"_s), Qt::LeftButton);
        QCOMPARE(requested.size(), 1);
        QCOMPARE(requested.first().at(0).toString(), demoModel());
        chosen = requested.first().at(1).value<LoadOptions>();
        QCOMPARE(chosen.contextLength, 3072);
        QCOMPARE(chosen.kvType, LoadOptions::KvType::Q8_0);
        QCOMPARE(chosen.threads, 2);
        QCOMPARE(chosen.draftTokens, 0);
        QCOMPARE(panel.recentModels().first(), demoModel());
    }
    ModelPanel again(settings.get());
    const LoadOptions saved = again.savedOptions(demoModel());
    QCOMPARE(saved.contextLength, 3072);
    QCOMPARE(saved.kvType, LoadOptions::KvType::Q8_0);
    QCOMPARE(saved.threads, 2);
    QCOMPARE(saved.draftTokens, 0);
    again.showModel(demoModel());
    QCOMPARE(again.loadOptions().contextLength, 3072);
    // Another model starts from the defaults.
    QCOMPARE(again.savedOptions(m_home.filePath(u"other.gguf"_s)).contextLength,
             LoadOptions{}.contextLength);
}

void TestModelPanel::loadsThroughTheWindowWithTheChosenContext()
{
    glmdesk::app::AppTranslator translator;
    QVERIFY(translator.setLanguage(u"en"_s));
    glmdesk::ui::MainWindow window(&translator);
    ModelPanel *panel = window.modelPanel();
    panel->showModel(demoModel());
    QVERIFY(waitForInfo(*panel));
    panel->findChild<QSpinBox *>(u"contextSize"_s)->setValue(1536);
    panel->show();
    QSignalSpy loaded(window.chatEngine(), &glmdesk::app::ChatEngine::modelLoaded);
    QTest::mouseClick(panel->findChild<QPushButton *>(u"loadButton"_s), Qt::LeftButton);
    QVERIFY(loaded.wait(60000));
    QCOMPARE(loaded.first().at(3).toInt(), 1536);
    QTRY_VERIFY(!panel->isVisible()); // a successful load closes the dialog
}

void TestModelPanel::cancellingALoadLeavesNothingHalfDone()
{
    glmdesk::app::AppTranslator translator;
    QVERIFY(translator.setLanguage(u"en"_s));
    glmdesk::ui::MainWindow window(&translator);
    ModelPanel *panel = window.modelPanel();
    panel->showModel(demoModel());
    QVERIFY(waitForInfo(*panel));
    panel->show();
    QSignalSpy loaded(window.chatEngine(), &glmdesk::app::ChatEngine::modelLoaded);
    QSignalSpy finished(window.chatEngine(), &glmdesk::app::ChatEngine::finished);
    QTest::mouseClick(panel->findChild<QPushButton *>(u"loadButton"_s), Qt::LeftButton);
    auto *cancel = panel->findChild<QPushButton *>(u"cancelLoadButton"_s);
    QVERIFY(cancel->isVisible());
    QTest::mouseClick(cancel, Qt::LeftButton);
    // The demo model loads in milliseconds, so the cancel may come too late: either way the
    // load ends in one clear state, and the panel is not left loading.
    QTRY_VERIFY_WITH_TIMEOUT(!loaded.isEmpty() || !finished.isEmpty(), 60000);
    QTRY_VERIFY(!cancel->isVisible());
    if (loaded.isEmpty()) {
        QCOMPARE(finished.first().at(1).toString(), u"cancelled"_s);
        QVERIFY(panel->isVisible());
        QVERIFY(panel->findChild<QLabel *>(u"loadStatus"_s)->text().contains(u"cancelled"_s));
        QVERIFY(panel->findChild<QPushButton *>(u"loadButton"_s)->isEnabled());
    } else {
        QTRY_VERIFY(!panel->isVisible());
    }
}

QTEST_MAIN(TestModelPanel)
#include "tst_model_panel.moc"
