// The bridge: events made on the engine thread arrive on the UI thread, in order. Without a
// model, a burst of requests ends in a burst of errors, each exactly once and in submission
// order. With the air-mini fixture, a streamed answer arrives as deltas that concatenate to
// exactly the text the Engine produces when called directly (so coalescing neither drops, reorders
// nor duplicates anything), loading reports progress before Loaded, and every request's last
// signal is its one terminal signal.
#include "app/engine_bridge.h"

#include "engine/engine.h"

#include <QFileInfo>
#include <QSignalSpy>
#include <QTest>
#include <QThread>

#include <condition_variable>
#include <mutex>

using namespace Qt::StringLiterals;
using glmdesk::app::ChatTurn;
using glmdesk::app::EngineBridge;

namespace {

// Every bridge signal, as it arrived: (request, kind, text), and the thread it arrived on.
struct Arrival
{
    quint64 request = 0;
    QString kind;
    QString text;
    bool onUiThread = false;
};

class Recorder : public QObject
{
public:
    explicit Recorder(EngineBridge *bridge)
    {
        const auto add = [this](quint64 id, const QString &kind, const QString &text) {
            arrivals.append({id, kind, text, QThread::currentThread() == qApp->thread()});
        };
        connect(bridge, &EngineBridge::loadProgress, this,
                [add](quint64 id, double f) { add(id, u"progress"_s, QString::number(f)); });
        connect(bridge, &EngineBridge::modelLoaded, this,
                [add](quint64 id, const QString &path) { add(id, u"loaded"_s, path); });
        connect(bridge, &EngineBridge::thinkingDelta, this,
                [add](quint64 id, const QString &t) { add(id, u"thinking"_s, t); });
        connect(bridge, &EngineBridge::answerDelta, this,
                [add](quint64 id, const QString &t) { add(id, u"answer"_s, t); });
        connect(bridge, &EngineBridge::statsUpdated, this,
                [add](quint64 id) { add(id, u"stats"_s, {}); });
        connect(bridge, &EngineBridge::finished, this,
                [add](quint64 id, const QString &reason) { add(id, u"finished"_s, reason); });
        connect(bridge, &EngineBridge::failed, this,
                [add](quint64 id, const QString &message) { add(id, u"failed"_s, message); });
    }
    QList<Arrival> of(quint64 id) const
    {
        QList<Arrival> out;
        for (const Arrival &a : arrivals)
            if (a.request == id)
                out.append(a);
        return out;
    }
    bool ended(quint64 id) const
    {
        const QList<Arrival> list = of(id);
        return !list.isEmpty() &&
               (list.last().kind == u"finished"_s || list.last().kind == u"failed"_s);
    }
    QList<Arrival> arrivals;
};

// The terminal signals of a request: exactly one, and it is the last.
void expectOneTerminalLast(const QList<Arrival> &list)
{
    int terminals = 0;
    for (const Arrival &a : list)
        terminals += a.kind == u"finished"_s || a.kind == u"failed"_s;
    QCOMPARE(terminals, 1);
    QVERIFY(list.last().kind == u"finished"_s || list.last().kind == u"failed"_s);
}

QString fixtureModel()
{
    QString fixtures = qEnvironmentVariable("GLMDESK_FIXTURES");
    if (fixtures.isEmpty())
        fixtures = QStringLiteral(GLMDESK_SOURCE_DIR) + u"/../shared/fixtures"_s;
    return fixtures + u"/air-mini/gguf/air-mini-bf16.gguf"_s;
}

// The Engine called directly, greedy: the text the bridge must reproduce.
std::pair<std::string, std::string> directAnswer(const std::string &model, const std::string &q,
                                                 int maxTokens)
{
    namespace e = glmdesk::engine;
    std::mutex mutex;
    std::condition_variable cv;
    std::string thinking, answer;
    int terminals = 0;
    e::Engine engine([&](e::Event &&ev) {
        std::lock_guard lock(mutex);
        if (auto *t = std::get_if<e::events::TextDelta>(&ev.payload))
            answer += t->text;
        else if (auto *th = std::get_if<e::events::ThinkingDelta>(&ev.payload))
            thinking += th->text;
        else if (std::holds_alternative<e::events::Done>(ev.payload) ||
                 std::holds_alternative<e::events::Error>(ev.payload))
            ++terminals;
        cv.notify_all();
    });
    e::LoadRequest load;
    load.path = model;
    engine.submit(load);
    e::GenerateRequest gen;
    e::Message user;
    user.role = e::Role::User;
    user.content = q;
    gen.conversation.messages = {user};
    gen.sampling = e::SamplingParams::greedy_params();
    gen.max_tokens = maxTokens;
    gen.context_policy = e::ContextPolicy::DropOldest;
    engine.submit(gen);
    std::unique_lock lock(mutex);
    cv.wait_for(lock, std::chrono::seconds(120), [&] { return terminals >= 2; });
    return {thinking, answer};
}

} // namespace

class TestEngineBridge : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void aBurstOfRequestsEndsInOrderOnTheUiThread();
    void streamedDeltasConcatenateToTheDirectEnginesText();
};

void TestEngineBridge::aBurstOfRequestsEndsInOrderOnTheUiThread()
{
    EngineBridge bridge;
    Recorder rec(&bridge);
    QList<quint64> ids;
    for (int i = 0; i < 200; ++i)
        ids.append(bridge.generate({{ChatTurn::Role::User, u"hi %1"_s.arg(i)}}, i % 2 == 0));
    QTRY_VERIFY_WITH_TIMEOUT(rec.ended(ids.last()), 30000);
    for (quint64 id : ids) {
        QVERIFY(id != 0);
        QVERIFY(rec.ended(id));
        expectOneTerminalLast(rec.of(id));
    }
    // Requests end in the order they were made, and everything arrives on the UI thread.
    QList<quint64> order;
    for (const Arrival &a : rec.arrivals) {
        QVERIFY(a.onUiThread);
        if (a.kind == u"failed"_s || a.kind == u"finished"_s)
            order.append(a.request);
    }
    QCOMPARE(order, ids);
    // Nothing arrives after the end.
    const qsizetype count = rec.arrivals.size();
    QTest::qWait(100);
    QCOMPARE(rec.arrivals.size(), count);
}

void TestEngineBridge::streamedDeltasConcatenateToTheDirectEnginesText()
{
    const QString model = fixtureModel();
    if (!QFileInfo::exists(model))
        QSKIP("../shared/fixtures is absent (set GLMDESK_FIXTURES to run it)");
    const QString question = u"请用 Python 写一个快速排序。"_s;
    constexpr int kMaxTokens = 48;
    const auto [thinking, answer] =
        directAnswer(model.toStdString(), question.toStdString(), kMaxTokens);

    EngineBridge bridge;
    Recorder rec(&bridge);
    const quint64 load = bridge.loadModel(model);
    glmdesk::app::SamplingSettings greedy;
    greedy.temperature = 0.0;
    greedy.topP = 1.0;
    const quint64 gen =
        bridge.generate({{ChatTurn::Role::User, question}}, true, kMaxTokens, greedy);
    QTRY_VERIFY_WITH_TIMEOUT(rec.ended(gen), 120000);
    QTRY_VERIFY(rec.ended(load));

    const QList<Arrival> loading = rec.of(load);
    expectOneTerminalLast(loading);
    qsizetype loadedAt = -1;
    double lastProgress = -1.0;
    for (qsizetype i = 0; i < loading.size(); ++i) {
        if (loading[i].kind == u"progress"_s) {
            QVERIFY(loadedAt < 0); // progress comes before Loaded
            const double f = loading[i].text.toDouble();
            QVERIFY(f >= lastProgress && f <= 1.0);
            lastProgress = f;
        } else if (loading[i].kind == u"loaded"_s) {
            loadedAt = i;
        }
    }
    QVERIFY(loadedAt >= 0);

    const QList<Arrival> streamed = rec.of(gen);
    expectOneTerminalLast(streamed);
    QString gotThinking, gotAnswer;
    for (const Arrival &a : streamed) {
        QVERIFY(a.onUiThread);
        if (a.kind == u"thinking"_s)
            gotThinking += a.text;
        else if (a.kind == u"answer"_s)
            gotAnswer += a.text;
    }
    QCOMPARE(gotThinking, QString::fromStdString(thinking));
    QCOMPARE(gotAnswer, QString::fromStdString(answer));
    QVERIFY(!gotThinking.isEmpty() || !gotAnswer.isEmpty());
    // The engine runs requests in order: the load's events all came before the answer's first.
    qsizetype lastOfLoad = -1, firstOfGen = -1;
    for (qsizetype i = 0; i < rec.arrivals.size(); ++i) {
        if (rec.arrivals[i].request == load)
            lastOfLoad = i;
        else if (rec.arrivals[i].request == gen && firstOfGen < 0)
            firstOfGen = i;
    }
    QVERIFY(lastOfLoad >= 0 && firstOfGen > lastOfLoad);
}

QTEST_MAIN(TestEngineBridge)
#include "tst_engine_bridge.moc"
