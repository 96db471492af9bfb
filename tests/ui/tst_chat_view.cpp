// The chat pane offscreen: streaming many small deltas (Chinese, a fenced code block) ends with
// exactly the text that was sent and the widgets show it; the splitter never flickers between
// prose and code; the thinking panel folds, unfolds and tells how long it thought; a ```cpp fence
// becomes a highlighted C++ code view with line numbers, a larger view and Save as; the view
// follows the bottom until the reader scrolls up; Regenerate and Edit-and-resend say which
// message; a language change relabels what is on screen.
#include "ui/chat/chat_page.h"
#include "ui/chat/chat_view.h"
#include "ui/chat/composer.h"
#include "ui/chat/markdown_stream.h"
#include "ui/chat/message_widget.h"
#include "ui/chat/thinking_panel.h"
#include "ui/code/code_block.h"
#include "ui/code/code_dialog.h"
#include "ui/code/code_view.h"
#include "ui/code/highlighting.h"

#include <KSyntaxHighlighting/SyntaxHighlighter>

#include <QAbstractButton>
#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QElapsedTimer>
#include <QFile>
#include <QInputMethodEvent>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRandomGenerator>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBlock>
#include <QTextLayout>
#include <QToolButton>
#include <QTranslator>

using namespace Qt::StringLiterals;
using namespace glmdesk::ui;

namespace {

// A translator that marks every string, so a test can see which labels were retranslated.
class MarkingTranslator : public QTranslator
{
public:
    bool isEmpty() const override { return false; }
    QString translate(const char *, const char *sourceText, const char * = nullptr,
                      int = -1) const override
    {
        return u"«"_s + QString::fromUtf8(sourceText) + u"»"_s;
    }
};

// An answer the way GLM writes one: Chinese and English prose, a list, a fenced C++ block with
// Chinese in a comment, an emoji, a ~~~ fence, a ``` fence without a language, and inline code.
QString sampleAnswer()
{
    QString text = u"好的，下面是一个用 C++ 写的快速排序示例。它使用 **Lomuto** 分区方案：\n\n"_s
                   u"1. 选择最后一个元素作为基准（pivot）；\n"_s
                   u"2. 把小于基准的元素移到左边；\n"_s
                   u"3. 递归处理两边。\n\n"_s
                   u"```cpp\n"_s
                   u"#include <vector>\n"_s
                   u"// 快速排序：原地、不稳定 😀\n"_s
                   u"void quick_sort(std::vector<int> &v, int lo, int hi) {\n"_s
                   u"    if (lo >= hi) return;\n"_s
                   u"    int p = v[hi], i = lo;\n"_s
                   u"    for (int j = lo; j < hi; ++j)\n"_s
                   u"        if (v[j] < p) std::swap(v[i++], v[j]);\n"_s
                   u"    std::swap(v[i], v[hi]);\n"_s
                   u"    quick_sort(v, lo, i - 1);\n"_s
                   u"    quick_sort(v, i + 1, hi);\n"_s
                   u"}\n"_s
                   u"```\n\n"_s
                   u"复杂度：平均 `O(n log n)`，最坏 `O(n²)`。用 Python 也一样简单：\n\n"_s
                   u"~~~python\n"_s
                   u"def qs(a):\n"_s
                   u"    return a if len(a) < 2 else qs([x for x in a[1:] if x < a[0]]) + [a[0]]"_s
                   u" + qs([x for x in a[1:] if x >= a[0]])\n"_s
                   u"~~~\n\n"_s
                   u"```\nplain text block with ``` inside\n```\n"_s
                   u"希望这对你有帮助！Hope this helps."_s;
    // Long enough for 2,000 deltas of one or more characters each.
    while (text.size() < 2600)
        text += u"\n\n更多说明 more notes: 路由器为每个 token 选择 8 个专家。"_s;
    return text;
}

// Cuts text into exactly `count` non-empty pieces at seeded random places, never inside a
// surrogate pair (the engine's detokenizer never splits a code point either).
QStringList cutInto(const QString &text, int count, quint32 seed)
{
    QRandomGenerator rng(seed);
    QList<qsizetype> cuts;
    QSet<qsizetype> used;
    while (cuts.size() < count - 1) {
        const qsizetype at = 1 + qsizetype(rng.bounded(quint32(text.size() - 1)));
        if (used.contains(at) || text.at(at).isLowSurrogate())
            continue;
        used.insert(at);
        cuts.append(at);
    }
    std::sort(cuts.begin(), cuts.end());
    QStringList pieces;
    qsizetype from = 0;
    for (qsizetype at : cuts) {
        pieces.append(text.mid(from, at - from));
        from = at;
    }
    pieces.append(text.mid(from));
    return pieces;
}

QToolButton *button(QWidget *parent, const QString &name)
{
    return parent->findChild<QToolButton *>(name);
}

bool sameSegments(const QList<MarkdownSegment> &a, const QList<MarkdownSegment> &b)
{
    if (a.size() != b.size())
        return false;
    for (qsizetype i = 0; i < a.size(); ++i) {
        const MarkdownSegment &x = a.at(i);
        const MarkdownSegment &y = b.at(i);
        if (x.kind != y.kind || x.text != y.text || x.code != y.code || x.info != y.info ||
            x.openFence != y.openFence || x.closeFence != y.closeFence)
            return false;
    }
    return true;
}

} // namespace

class TestChatView : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void markdownStreamIsIndependentOfHowTheTextIsCut_data();
    void markdownStreamIsIndependentOfHowTheTextIsCut();
    void streamingTwoThousandDeltasEndsWithTheExactText();
    void renderingIsThrottled();
    void unterminatedFenceShowsAsCodeWithoutFlicker();
    void thinkingPanelCollapsesExpandsAndShowsTheDuration();
    void thinkingPanelKeepsTheReadersChoice();
    void fenceLanguageChoosesTheDefinition_data();
    void fenceLanguageChoosesTheDefinition();
    void cppFenceMakesAHighlightedCodeView();
    void codeCanBeCopiedSavedAndOpenedLarger();
    void codeThemeFollowsThePalette();
    void autoScrollStopsWhenScrolledUpAndResumesAtTheBottom();
    void regenerateAndEditResendSayWhichMessage();
    void messageActionsHideWithoutAListenerAndWhileStreaming();
    void copyPutsTheMessageOnTheClipboard();
    void escapeStopsAndEveryControlHasAnAccessibleName();
    void languageChangeRelabelsVisibleWidgets();
};

void TestChatView::markdownStreamIsIndependentOfHowTheTextIsCut_data()
{
    QTest::addColumn<QString>("text");
    QTest::newRow("sample") << sampleAnswer().left(900);
    QTest::newRow("unterminated") << u"Intro\n```rust\nfn main() {}\n"_s;
    QTest::newRow("indented fence") << u"1. Step:\n   ```sh\n   make -j\n   ```\n2. Next"_s;
    QTest::newRow("long fence keeps short one") << u"````md\n```cpp\nx\n```\n````\nafter"_s;
    QTest::newRow("not a fence") << u"a ``` b\n``not``\n```a`b\nend"_s;
    QTest::newRow("crlf") << u"x\r\n```c\r\nint a;\r\n```\r\ny"_s;
    QTest::newRow("fence at the very end") << u"text\n```"_s;
}

// Cut the text at every place (and char by char): the segments come out the same, the source is
// the text, and what is visible of each segment only ever grows.
void TestChatView::markdownStreamIsIndependentOfHowTheTextIsCut()
{
    QFETCH(QString, text);
    MarkdownStream whole;
    whole.append(text);
    whole.finish();
    QCOMPARE(whole.source(), text);

    for (qsizetype cut = 1; cut < text.size(); ++cut) {
        MarkdownStream split;
        split.append(text.left(cut));
        split.append(text.mid(cut));
        split.finish();
        QVERIFY2(sameSegments(split.segments(), whole.segments()),
                 qPrintable(QString::number(cut)));
    }

    MarkdownStream bytewise;
    QStringList shown;
    for (qsizetype i = 0; i < text.size(); ++i) {
        bytewise.append(text.mid(i, 1));
        QCOMPARE(bytewise.source(), text.left(i + 1));
        for (qsizetype s = 0; s < bytewise.segments().size(); ++s) {
            const QString visible = bytewise.visibleText(s);
            if (s < shown.size()) {
                QVERIFY2(visible.startsWith(shown.at(s)),
                         qPrintable(u"segment %1 shrank at %2: '%3' -> '%4'"_s.arg(s).arg(i).arg(
                             shown.at(s), visible)));
                shown[s] = visible;
            } else {
                shown.append(visible);
            }
        }
    }
    bytewise.finish();
    QVERIFY(sameSegments(bytewise.segments(), whole.segments()));
}

void TestChatView::streamingTwoThousandDeltasEndsWithTheExactText()
{
    ChatPage page;
    page.resize(900, 700);
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    page.setReady(true);
    page.addUserMessage(u"请用 C++ 写一个快速排序。"_s);
    page.beginAnswer();
    page.setGenerating(true);

    const QString thinking = u"用户想要快速排序。我先解释思路，再给出代码。"_s.repeated(10);
    const QString answer = sampleAnswer();
    const QStringList thoughts = cutInto(thinking, 100, 7);
    const QStringList deltas = cutInto(answer, 2000, 42);
    QCOMPARE(deltas.size(), 2000);
    QCOMPARE(deltas.join(QString()), answer);

    QElapsedTimer clock;
    clock.start();
    for (const QString &t : thoughts)
        page.appendThinking(t);
    for (qsizetype i = 0; i < deltas.size(); ++i) {
        page.appendAnswer(deltas.at(i));
        // The engine's events arrive in bursts: let the event loop run between bursts so the
        // throttled renders happen mid-stream, with unterminated fences and half lines.
        if (i % 25 == 0)
            QTest::qWait(i % 200 == 0 ? 60 : 1);
    }
    page.setGenerating(false);
    page.endAnswer();
    QCoreApplication::processEvents();
    const qint64 elapsed = clock.elapsed();
    qInfo("2,000 deltas (%lld chars) streamed and rendered in %lld ms", qlonglong(answer.size()),
          qlonglong(elapsed));

    auto *message = page.chatView()->lastAnswer();
    QVERIFY(message);
    QCOMPARE(message->answerText(), answer);
    QCOMPARE(message->thinkingText(), thinking);
    QCOMPARE(message->renderedSource(), answer);
    const QList<CodeBlock *> blocks = message->codeBlocks();
    QCOMPARE(blocks.size(), 3);
    QCOMPARE(blocks.at(0)->languageName(), u"C++"_s);
    QVERIFY(
        blocks.at(0)->code().startsWith(u"#include <vector>\n// 快速排序：原地、不稳定 😀\n"_s));
    QVERIFY(blocks.at(0)->code().endsWith(u"    quick_sort(v, i + 1, hi);\n}"_s));
    QCOMPARE(blocks.at(1)->languageName(), u"Python"_s);
    QCOMPARE(blocks.at(2)->code(), u"plain text block with ``` inside"_s);
    QVERIFY(blocks.at(2)->languageName().isEmpty());
    QVERIFY(page.transcriptText().contains(answer.trimmed()));
    QVERIFY(page.transcriptText().contains(u"请用 C++ 写一个快速排序。"_s));
    // Rendering did not lose or mangle the Chinese: the prose views show it.
    const QStringList segments = message->renderedSegments();
    QVERIFY(segments.first().startsWith(u"好的，下面是一个用 C++ 写的快速排序示例。"_s));
    QVERIFY(segments.last().endsWith(u"选择 8 个专家。"_s));
}

void TestChatView::renderingIsThrottled()
{
    ChatPage page;
    page.show();
    page.beginAnswer();
    auto *message = page.chatView()->currentAnswer();
    for (int i = 0; i < 500; ++i)
        page.appendAnswer(u"词 "_s);
    // Nothing is rendered per delta: the text is stored, the widgets wait for the next tick.
    QCOMPARE(message->answerText().size(), 1000);
    QVERIFY(message->renderedSegments().isEmpty() || message->renderedSegments().first().isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(message->renderedSegments().value(0).size(), 1000,
                              10 * AssistantMessageWidget::kFlushIntervalMs);
}

void TestChatView::unterminatedFenceShowsAsCodeWithoutFlicker()
{
    ChatPage page;
    page.show();
    page.beginAnswer();
    auto *message = page.chatView()->currentAnswer();
    auto step = [&](const QString &delta) {
        page.appendAnswer(delta);
        message->flush();
    };
    step(u"Intro\n```cp"_s);
    // The half-written fence line is shown as neither prose nor code yet.
    QCOMPARE(message->codeBlocks().size(), 0);
    QCOMPARE(message->renderedSegments(), QStringList{u"Intro\n"_s});
    step(u"p\nint x = 1;\nint y"_s);
    QCOMPARE(message->codeBlocks().size(), 1);
    CodeBlock *block = message->codeBlocks().first();
    QCOMPARE(block->languageName(), u"C++"_s);
    QCOMPARE(block->code(), u"int x = 1;\nint y"_s);
    step(u" = 2;\n``"_s);
    // "``" could be the closing fence: it waits instead of flashing into the code.
    QCOMPARE(block->code(), u"int x = 1;\nint y = 2;"_s);
    step(u"`\nDone"_s);
    QCOMPARE(message->codeBlocks().size(), 1);
    QCOMPARE(block->code(), u"int x = 1;\nint y = 2;"_s);
    QCOMPARE(message->renderedSegments().last(), u"\nDone"_s.mid(1));
    // An answer that ends inside a fence keeps its code as code.
    page.appendAnswer(u"\n```python\nprint('unfinished')"_s);
    page.endAnswer(u"stopped"_s);
    QCOMPARE(message->codeBlocks().size(), 2);
    QCOMPARE(message->codeBlocks().last()->code(), u"print('unfinished')"_s);
    QCOMPARE(message->note(), u"stopped"_s);
    QVERIFY(page.transcriptText().endsWith(u"[stopped]"_s));
}

void TestChatView::thinkingPanelCollapsesExpandsAndShowsTheDuration()
{
    ChatPage page;
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    page.beginAnswer();
    auto *message = page.chatView()->currentAnswer();
    QVERIFY(!message->thinkingPanel());
    page.appendThinking(u"先想一想…"_s);
    ThinkingPanel *panel = message->thinkingPanel();
    QVERIFY(panel);
    QTRY_VERIFY(panel->findChild<QWidget *>(u"thinkingText"_s)->isVisible());
    QVERIFY(panel->isLive());
    QVERIFY(panel->isExpanded());
    QCOMPARE(panel->headerText(), u"Thinking…"_s);
    // The header counts the seconds while the model thinks.
    QTRY_VERIFY_WITH_TIMEOUT(panel->headerText().startsWith(u"Thinking… "_s) &&
                                 panel->headerText().endsWith(u" s"_s),
                             5000);
    // Over a second of thinking in all, so the duration below is a whole second at least.
    QTest::qWait(1100);
    page.appendThinking(u" 好了。"_s);
    page.appendAnswer(u"答案"_s);
    // The answer started: the clock stops, the header says how long, the panel folds away.
    QVERIFY(!panel->isLive());
    QVERIFY(panel->durationMs() >= 1000);
    const int seconds = int((panel->durationMs() + 500) / 1000);
    QCOMPARE(panel->headerText(), u"Thought for %1 s"_s.arg(seconds));
    QVERIFY(!panel->isExpanded());
    auto *body = panel->findChild<QWidget *>(u"thinkingText"_s);
    QVERIFY(!body->isVisible());
    QCOMPARE(panel->text(), u"先想一想… 好了。"_s);

    QTest::mouseClick(panel->headerButton(), Qt::LeftButton);
    QVERIFY(panel->isExpanded());
    QVERIFY(body->isVisible());
    QCOMPARE(body->property("plainText").toString(), u"先想一想… 好了。"_s);
    QTest::mouseClick(panel->headerButton(), Qt::LeftButton);
    QVERIFY(!panel->isExpanded());
    QVERIFY(!body->isVisible());

    // Durations known from the store; plural-aware and short ones said plainly.
    page.endAnswer();
    page.setThinkingDuration(5400);
    QCOMPARE(panel->headerText(), u"Thought for 5 s"_s);
    page.setThinkingDuration(300);
    QCOMPARE(panel->headerText(), u"Thought for less than a second"_s);
    QVERIFY(page.transcriptText().contains(u"先想一想… 好了。\n\n答案"_s));
}

void TestChatView::thinkingPanelKeepsTheReadersChoice()
{
    ChatPage page;
    page.show();
    page.beginAnswer();
    page.appendThinking(u"hmm"_s);
    ThinkingPanel *panel = page.chatView()->currentAnswer()->thinkingPanel();
    QTest::mouseClick(panel->headerButton(), Qt::LeftButton); // closed by hand
    QTest::mouseClick(panel->headerButton(), Qt::LeftButton); // and opened again
    page.appendAnswer(u"ok"_s);
    QVERIFY(panel->isExpanded()); // the reader wanted it open: it stays open
}

void TestChatView::fenceLanguageChoosesTheDefinition_data()
{
    QTest::addColumn<QString>("info");
    QTest::addColumn<QString>("definition");
    QTest::newRow("cpp") << u"cpp"_s << u"C++"_s;
    QTest::newRow("c++") << u"c++"_s << u"C++"_s;
    QTest::newRow("python") << u"python"_s << u"Python"_s;
    QTest::newRow("py + attrs") << u"py title=\"x.py\""_s << u"Python"_s;
    QTest::newRow("rust") << u"rust"_s << u"Rust"_s;
    QTest::newRow("bash") << u"bash"_s << u"Bash"_s;
    QTest::newRow("sh") << u"sh"_s << u"Bash"_s;
    QTest::newRow("json") << u"JSON"_s << u"JSON"_s;
    QTest::newRow("js") << u"js"_s << u"JavaScript"_s;
    QTest::newRow("cmake") << u"cmake"_s << u"CMake"_s;
    QTest::newRow("none") << QString() << QString();
    QTest::newRow("text") << u"text"_s << QString();
    QTest::newRow("unknown") << u"no-such-language"_s << QString();
}

void TestChatView::fenceLanguageChoosesTheDefinition()
{
    QFETCH(QString, info);
    QFETCH(QString, definition);
    const auto found = definitionForFence(info);
    QCOMPARE(found.isValid() ? found.name() : QString(), definition);
}

void TestChatView::cppFenceMakesAHighlightedCodeView()
{
    ChatPage page;
    page.resize(800, 600);
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    page.beginAnswer();
    page.appendAnswer(u"```cpp\nint main() {\n    return 0; // done\n}\n```\n"_s);
    page.endAnswer();
    auto *message = page.chatView()->lastAnswer();
    QCOMPARE(message->codeBlocks().size(), 1);
    CodeView *view = message->codeBlocks().first()->view();
    QVERIFY(view->highlighter());
    QCOMPARE(view->highlighter()->definition().name(), u"C++"_s);
    QCOMPARE(view->code(), u"int main() {\n    return 0; // done\n}"_s);
    // The highlighter ran: the keyword line carries formats.
    QTRY_VERIFY(!view->document()->firstBlock().layout()->formats().isEmpty());
    // Line numbers: a gutter left of the text, wide enough for at least two digits.
    QVERIFY(view->gutterWidth() >= 2 * view->fontMetrics().horizontalAdvance(u'9'));
    QVERIFY(view->viewport()->geometry().left() >= view->gutterWidth());
    // The code block is as tall as its three lines: no inner vertical scrolling.
    QTRY_VERIFY2(view->height() >= 3 * view->fontMetrics().lineSpacing(),
                 qPrintable(u"%1 px for 3 lines of %2"_s.arg(view->height())
                                .arg(view->fontMetrics().lineSpacing())));
    QCOMPARE(view->verticalScrollBar()->maximum(), 0);
    QVERIFY(view->isReadOnly());
}

void TestChatView::codeCanBeCopiedSavedAndOpenedLarger()
{
    CodeBlock block(u"python"_s);
    block.appendCode(u"print('你好')\n"_s);
    block.appendCode(u"x = 1\n"_s);
    QCOMPARE(block.code(), u"print('你好')\nx = 1"_s);

    QTest::mouseClick(button(&block, u"copyCodeButton"_s), Qt::LeftButton);
    QCOMPARE(QApplication::clipboard()->text(), block.code());

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(u"out.py"_s);
    QString error;
    QVERIFY(saveCodeToFile(path, block.code(), &error));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(QString::fromUtf8(file.readAll()), block.code() + u'\n');
    QVERIFY(!saveCodeToFile(dir.filePath(u"no/such/dir/out.py"_s), block.code(), &error));
    QVERIFY(error.contains(u"out.py"_s));
    QCOMPARE(suggestedSuffix(block.view()->definition()), u"py"_s);

    QWidget *opened = block.openLargerView();
    auto *dialog = qobject_cast<CodeDialog *>(opened);
    QVERIFY(dialog);
    QVERIFY(dialog->isVisible());
    QCOMPARE(dialog->view()->code(), block.code());
    QCOMPARE(dialog->view()->highlighter()->definition().name(), u"Python"_s);
    QVERIFY(dialog->view()->gutterWidth() > 0);
    QVERIFY(dialog->windowTitle().contains(u"Python"_s));
    QPointer<QWidget> guard(dialog);
    dialog->close();
    QTRY_VERIFY(guard.isNull()); // deletes itself
}

void TestChatView::codeThemeFollowsThePalette()
{
    const QPalette original = QApplication::palette();
    CodeBlock block(u"cpp"_s);
    block.appendCode(u"int x;"_s);
    auto lightness = [&] { return block.view()->palette().color(QPalette::Base).lightness(); };

    QPalette light(QColor(0x30, 0x30, 0x30), QColor(0xf4, 0xf4, 0xf4));
    light.setColor(QPalette::Base, Qt::white);
    light.setColor(QPalette::Text, Qt::black);
    QApplication::setPalette(light);
    QCoreApplication::processEvents();
    const QString lightTheme = block.view()->themeName();
    QVERIFY2(lightness() > 128, qPrintable(lightTheme));

    QPalette dark(QColor(0xe0, 0xe0, 0xe0), QColor(0x20, 0x20, 0x20));
    dark.setColor(QPalette::Base, QColor(0x18, 0x18, 0x18));
    dark.setColor(QPalette::Text, QColor(0xee, 0xee, 0xee));
    dark.setColor(QPalette::WindowText, QColor(0xee, 0xee, 0xee));
    QApplication::setPalette(dark);
    QCoreApplication::processEvents();
    QVERIFY2(block.view()->themeName() != lightTheme, qPrintable(block.view()->themeName()));
    QVERIFY2(lightness() < 128, qPrintable(block.view()->themeName()));

    QApplication::setPalette(original);
    QCoreApplication::processEvents();
}

void TestChatView::autoScrollStopsWhenScrolledUpAndResumesAtTheBottom()
{
    ChatPage page;
    page.resize(700, 420);
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    QScrollBar *bar = page.chatView()->verticalScrollBar();
    page.addUserMessage(u"Write a lot."_s);
    page.beginAnswer();
    auto stream = [&](int lines) {
        for (int i = 0; i < lines; ++i)
            page.appendAnswer(u"第 %1 行：a line of streamed text.\n\n"_s.arg(i));
        page.chatView()->currentAnswer()->flush();
        QTest::qWait(30);
    };
    stream(60);
    QTRY_VERIFY(bar->maximum() > 0);
    QTRY_COMPARE(bar->value(), bar->maximum());
    QVERIFY(page.chatView()->isFollowingBottom());

    // The reader scrolls up to read: new text no longer pulls the view down.
    bar->setValue(bar->maximum() / 3);
    const int readingAt = bar->value();
    QVERIFY(!page.chatView()->isFollowingBottom());
    const int maximumBefore = bar->maximum();
    stream(40);
    QTRY_VERIFY(bar->maximum() > maximumBefore);
    QCOMPARE(bar->value(), readingAt);

    // Back at the bottom: following resumes.
    bar->setValue(bar->maximum());
    QVERIFY(page.chatView()->isFollowingBottom());
    const int maximumThen = bar->maximum();
    stream(40);
    QTRY_VERIFY(bar->maximum() > maximumThen);
    QTRY_COMPARE(bar->value(), bar->maximum());
}

void TestChatView::regenerateAndEditResendSayWhichMessage()
{
    ChatPage page;
    page.resize(800, 600);
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    page.setReady(true);
    QSignalSpy regenerate(&page, &ChatPage::regenerateRequested);
    QSignalSpy edit(&page, &ChatPage::editResendRequested);
    page.addUserMessage(u"first"_s);
    page.beginAnswer();
    page.appendAnswer(u"answer one"_s);
    page.endAnswer();
    page.addUserMessage(u"second"_s);
    page.beginAnswer();
    page.appendAnswer(u"answer two"_s);
    page.endAnswer();
    QCoreApplication::processEvents();

    const QList<MessageWidget *> messages = page.chatView()->messages();
    QCOMPARE(messages.size(), 4);
    auto *answerOne = static_cast<AssistantMessageWidget *>(messages.at(1));
    auto *answerTwo = static_cast<AssistantMessageWidget *>(messages.at(3));
    QVERIFY(!answerOne->regenerateButton()->isVisible()); // only the last answer
    QVERIFY(answerTwo->regenerateButton()->isVisible());
    QTest::mouseClick(answerTwo->regenerateButton(), Qt::LeftButton);
    QCOMPARE(regenerate.size(), 1);
    QCOMPARE(edit.size(), 0);

    auto *second = static_cast<UserMessageWidget *>(messages.at(2));
    QVERIFY(second->editButton()->isVisible());
    QTest::mouseClick(second->editButton(), Qt::LeftButton);
    QVERIFY(second->isEditing());
    QCOMPARE(second->editor()->toPlainText(), u"second"_s);
    // An input method commits Chinese into the editor; Ctrl+Enter resends.
    second->editor()->selectAll();
    QInputMethodEvent commit;
    commit.setCommitString(u"第二条，改过了"_s);
    QCoreApplication::sendEvent(second->editor(), &commit);
    QTest::keyClick(second->editor(), Qt::Key_Return, Qt::ControlModifier);
    QCOMPARE(edit.size(), 1);
    QCOMPARE(edit.first().at(0).toInt(), 1);
    QCOMPARE(edit.first().at(1).toString(), u"第二条，改过了"_s);
    QVERIFY(!second->isEditing());

    auto *first = static_cast<UserMessageWidget *>(messages.at(0));
    QTest::mouseClick(first->editButton(), Qt::LeftButton);
    first->editor()->setPlainText(u"  first, edited \n"_s);
    QTest::mouseClick(first->findChild<QPushButton *>(u"editSendButton"_s), Qt::LeftButton);
    QCOMPARE(edit.size(), 2);
    QCOMPARE(edit.last().at(0).toInt(), 0);
    QCOMPARE(edit.last().at(1).toString(), u"first, edited"_s);

    // Esc in the editor puts the message back untouched.
    QTest::mouseClick(first->editButton(), Qt::LeftButton);
    QTest::keyClick(first->editor(), Qt::Key_Escape);
    QVERIFY(!first->isEditing());
    QCOMPARE(edit.size(), 2);

    // What the owner then does: drop the tail and stream again.
    page.truncateFromUserMessage(1);
    QCOMPARE(page.chatView()->messages().size(), 2);
    QCOMPARE(page.userMessageCount(), 1);
    QVERIFY(page.removeLastAnswer());
    QCOMPARE(page.chatView()->messages().size(), 1);
    QVERIFY(!page.removeLastAnswer()); // the last message is the user's now
    QCOMPARE(page.transcriptText(), u"You\nfirst"_s);
}

void TestChatView::messageActionsHideWithoutAListenerAndWhileStreaming()
{
    ChatPage page;
    page.show();
    page.setReady(true);
    page.addUserMessage(u"hi"_s);
    page.beginAnswer();
    page.appendAnswer(u"hello"_s);
    page.endAnswer();
    QCoreApplication::processEvents();
    auto *user = static_cast<UserMessageWidget *>(page.chatView()->messages().at(0));
    auto *answer = page.chatView()->lastAnswer();
    // Nobody listens: a button that would do nothing is not shown.
    QVERIFY(!user->editButton()->isVisible());
    QVERIFY(!answer->regenerateButton()->isVisible());
    QVERIFY(answer->copyButton()->isVisible());

    QSignalSpy regenerate(&page, &ChatPage::regenerateRequested);
    QSignalSpy edit(&page, &ChatPage::editResendRequested);
    QCoreApplication::processEvents();
    QVERIFY(user->editButton()->isVisible());
    QVERIFY(answer->regenerateButton()->isVisible());

    page.setGenerating(true);
    QVERIFY(!user->editButton()->isVisible());
    QVERIFY(!answer->regenerateButton()->isVisible());
    answer->regenerateButton()->click(); // even if reached somehow: nothing while streaming
    QCOMPARE(regenerate.size(), 0);
    page.setGenerating(false);
    page.setReady(false, u"loading"_s);
    QVERIFY(!answer->regenerateButton()->isVisible());
}

void TestChatView::copyPutsTheMessageOnTheClipboard()
{
    ChatPage page;
    page.show();
    page.addUserMessage(u"用户的问题"_s);
    page.beginAnswer();
    page.appendThinking(u"thinking is not copied"_s);
    page.appendAnswer(u"\n**答案**：`x`\n"_s);
    page.endAnswer();
    const QList<MessageWidget *> messages = page.chatView()->messages();
    QTest::mouseClick(messages.at(0)->copyButton(), Qt::LeftButton);
    QCOMPARE(QApplication::clipboard()->text(), u"用户的问题"_s);
    QSignalSpy copied(messages.at(1), &MessageWidget::copied);
    QTest::mouseClick(messages.at(1)->copyButton(), Qt::LeftButton);
    QCOMPARE(copied.size(), 1);
    QCOMPARE(QApplication::clipboard()->text(), u"**答案**：`x`"_s);
}

void TestChatView::escapeStopsAndEveryControlHasAnAccessibleName()
{
    ChatPage page;
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    page.setReady(true);
    QSignalSpy regenerate(&page, &ChatPage::regenerateRequested);
    QSignalSpy edit(&page, &ChatPage::editResendRequested);
    QSignalSpy stop(&page, &ChatPage::stopRequested);
    page.addUserMessage(u"q"_s);
    page.beginAnswer();
    page.setGenerating(true);
    page.appendThinking(u"t"_s);
    page.appendAnswer(u"a\n```cpp\nint x;\n```\n"_s);
    auto *composer = page.findChild<QPlainTextEdit *>(u"composer"_s);
    composer->setFocus();
    QTest::keyClick(composer, Qt::Key_Escape);
    QCOMPARE(stop.size(), 1);
    page.setGenerating(false);
    page.endAnswer();
    QTest::keyClick(composer, Qt::Key_Escape);
    QCOMPARE(stop.size(), 1); // nothing to stop

    for (QAbstractButton *control : page.findChildren<QAbstractButton *>())
        QVERIFY2(!control->accessibleName().isEmpty(), qPrintable(control->objectName()));
    for (QAbstractScrollArea *control : page.findChildren<QAbstractScrollArea *>())
        QVERIFY2(!control->accessibleName().isEmpty(), qPrintable(control->objectName()));
}

void TestChatView::languageChangeRelabelsVisibleWidgets()
{
    ChatPage page;
    page.resize(800, 600);
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    page.setReady(true);
    QSignalSpy regenerate(&page, &ChatPage::regenerateRequested);
    QSignalSpy edit(&page, &ChatPage::editResendRequested);
    page.addUserMessage(u"q"_s);
    page.beginAnswer();
    page.appendThinking(u"t"_s);
    page.appendAnswer(u"```\nplain\n```\n"_s);
    page.endAnswer();
    page.setThinkingDuration(3000);
    QCoreApplication::processEvents();

    auto *answer = page.chatView()->lastAnswer();
    auto *user = static_cast<UserMessageWidget *>(page.chatView()->messages().first());
    CodeBlock *block = answer->codeBlocks().first();
    auto labels = [&] {
        return QStringList{
            page.findChild<QPushButton *>(u"sendButton"_s)->text(),
            page.findChild<QCheckBox *>(u"thinkingToggle"_s)->text(),
            page.findChild<QPlainTextEdit *>(u"composer"_s)->placeholderText(),
            answer->copyButton()->text(),
            answer->regenerateButton()->text(),
            answer->findChild<QLabel *>(u"assistantRole"_s)->text(),
            user->editButton()->text(),
            answer->thinkingPanel()->headerText(),
            button(block, u"copyCodeButton"_s)->text(),
            button(block, u"saveCodeButton"_s)->text(),
            button(block, u"expandCodeButton"_s)->text(),
            block->findChild<QLabel *>(u"codeLanguage"_s)->text(),
            page.chatView()->accessibleName(),
        };
    };
    const QStringList english = labels();
    QCOMPARE(english.at(0), u"Send"_s);
    QCOMPARE(english.at(7), u"Thought for 3 s"_s);
    QCOMPARE(english.at(11), u"Plain text"_s);

    MarkingTranslator marking;
    QVERIFY(QCoreApplication::installTranslator(&marking));
    QCoreApplication::processEvents();
    const QStringList marked = labels();
    for (qsizetype i = 0; i < english.size(); ++i) {
        QVERIFY2(marked.at(i).startsWith(u"«"_s) && marked.at(i).contains(english.at(i)),
                 qPrintable(u"%1 -> %2"_s.arg(english.at(i), marked.at(i))));
    }
    QVERIFY(QCoreApplication::removeTranslator(&marking));
    QCoreApplication::processEvents();
    QCOMPARE(labels(), english);
}

QTEST_MAIN(TestChatView)
#include "tst_chat_view.moc"
