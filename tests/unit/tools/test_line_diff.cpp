// The unified diff: exact output on small cases against GNU diff (run at test time, the oracle),
// and on random edits the diff must apply with `patch` and give back the new text exactly.
#include "app/tools/line_diff.h"
#include "app/tools/process.h"

#include "tests/unit/tools/tools_test_util.h"

#include <gtest/gtest.h>

#include <random>

namespace glmdesk::tools {
namespace {

using test::TempDir;

bool have_program(const std::string &name)
{
    ProcessOptions options;
    options.timeout = std::chrono::seconds(10);
    auto r = run_process({"sh", "-c", "command -v " + name}, options);
    return r && r->exit_code == 0;
}

// GNU diff -u with our labels; its hunks are the oracle.
std::string gnu_diff(const TempDir &dir, const std::string &old_text, const std::string &new_text)
{
    test::write_text(dir / "old", old_text);
    test::write_text(dir / "new", new_text);
    ProcessOptions options;
    options.timeout = std::chrono::seconds(10);
    auto r = run_process(
        {"diff", "-u", "--label", "a/f.txt", "--label", "b/f.txt", dir / "old", dir / "new"},
        options);
    return r ? r->out : std::string("diff failed");
}

TEST(LineDiff, EqualTextsGiveNoDiff)
{
    EXPECT_EQ(unified_diff("a\nb\n", "a\nb\n", "f.txt"), "");
}

TEST(LineDiff, KnownSmallCasesMatchGnuDiff)
{
    if (!have_program("diff"))
        GTEST_SKIP() << "GNU diff is not installed: no oracle";
    TempDir dir("glmdesk-diff");
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"a\nb\nc\n", "a\nB\nc\n"},
        {"", "one\ntwo\n"},
        {"one\ntwo\n", ""},
        {"a\nb\nc\n", "a\nb\nc"},    // newline at the end removed
        {"a\nb\nc", "a\nb\nc\nd\n"}, // appended after a last line without newline
        {"1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\n16\n",
         "1\nX\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\nY\n16\n"}, // two hunks
        {"1\n2\n3\n4\n5\n6\n7\n8\n", "1\n2\nA\n4\n5\n6\nB\n8\n"},   // merged: gap <= 6
        {"x\n", "new first\nx\n"},
        {"keep\nremove me\n", "keep\n"},
    };
    for (const auto &[old_text, new_text] : cases) {
        SCOPED_TRACE(old_text + " -> " + new_text);
        EXPECT_EQ(unified_diff(old_text, new_text, "f.txt"), gnu_diff(dir, old_text, new_text));
    }
}

TEST(LineDiff, CreationAndRemovalHeaders)
{
    UnifiedDiffOptions created;
    created.old_missing = true;
    EXPECT_EQ(unified_diff("", "a\nb\n", "n.txt", created),
              "--- /dev/null\n+++ b/n.txt\n@@ -0,0 +1,2 @@\n+a\n+b\n");
    UnifiedDiffOptions removed;
    removed.new_missing = true;
    EXPECT_EQ(unified_diff("a\n", "", "n.txt", removed),
              "--- a/n.txt\n+++ /dev/null\n@@ -1 +0,0 @@\n-a\n");
}

TEST(LineDiff, MinimalScriptOnAClassicExample)
{
    // Myers' paper example ABCABBA -> CBABAC: the shortest script has 5 edits.
    const std::string a = "A\nB\nC\nA\nB\nB\nA\n";
    const std::string b = "C\nB\nA\nB\nA\nC\n";
    const auto la = split_lines(a);
    const auto lb = split_lines(b);
    const auto script = diff_lines(la, lb);
    size_t edits = 0;
    std::vector<std::string_view> rebuilt;
    for (const auto &e : script) {
        if (e.op != EditOp::Equal)
            ++edits;
        if (e.op != EditOp::Delete)
            rebuilt.push_back(e.op == EditOp::Insert ? lb[e.new_index] : la[e.old_index]);
    }
    EXPECT_EQ(edits, 5u);
    EXPECT_EQ(rebuilt, lb);
}

std::string random_text(std::mt19937 &rng, size_t lines)
{
    std::string text;
    std::uniform_int_distribution<int> word(0, 5);
    for (size_t i = 0; i < lines; ++i)
        text += "line " + std::to_string(word(rng)) + "\n";
    return text;
}

std::string mutate(std::mt19937 &rng, const std::string &text)
{
    auto lines = split_lines(text);
    std::vector<std::string> out(lines.begin(), lines.end());
    std::uniform_int_distribution<int> op(0, 2);
    std::uniform_int_distribution<int> count(1, 6);
    const int edits = count(rng);
    for (int e = 0; e < edits; ++e) {
        std::uniform_int_distribution<size_t> at(0, out.size());
        const size_t i = at(rng);
        switch (op(rng)) {
        case 0:
            out.insert(out.begin() + static_cast<std::ptrdiff_t>(i),
                       "inserted " + std::to_string(e) + "\n");
            break;
        case 1:
            if (i < out.size())
                out.erase(out.begin() + static_cast<std::ptrdiff_t>(i));
            break;
        default:
            if (i < out.size())
                out[i] = "changed " + std::to_string(e) + "\n";
            break;
        }
    }
    std::string joined;
    for (const auto &l : out)
        joined += l;
    if (!joined.empty() && rng() % 4 == 0)
        joined.pop_back(); // sometimes no final newline
    return joined;
}

TEST(LineDiff, RandomEditsApplyWithPatch)
{
    if (!have_program("patch"))
        GTEST_SKIP() << "patch is not installed: no oracle";
    TempDir dir("glmdesk-patch");
    std::mt19937 rng(20251123);
    for (int round = 0; round < 40; ++round) {
        SCOPED_TRACE(round);
        const std::string old_text = random_text(rng, 1 + rng() % 60);
        const std::string new_text = mutate(rng, old_text);
        const std::string diff = unified_diff(old_text, new_text, "f.txt");
        if (old_text == new_text) {
            EXPECT_EQ(diff, "");
            continue;
        }
        test::write_text(dir / "f.txt", old_text);
        test::write_text(dir / "change.diff", diff);
        ProcessOptions options;
        options.timeout = std::chrono::seconds(20);
        auto r = run_process({"patch", "-s", "-p1", "-d", dir.path(), "-i", dir / "change.diff"},
                             options);
        ASSERT_TRUE(r);
        ASSERT_EQ(r->exit_code, 0) << r->out << r->err << "\n" << diff;
        EXPECT_EQ(test::read_text(dir / "f.txt"), new_text) << diff;
    }
}

TEST(LineDiff, FarApartTextsFallBackToAReplacementThatStillApplies)
{
    std::string a;
    std::string b;
    for (int i = 0; i < 300; ++i) {
        a += "a" + std::to_string(i) + "\n";
        b += "b" + std::to_string(i) + "\n";
    }
    UnifiedDiffOptions options;
    options.max_edit_distance = 10; // far below the 600 edits needed
    const std::string diff = unified_diff(a, b, "f.txt", options);
    EXPECT_EQ(diff.rfind("--- a/f.txt\n+++ b/f.txt\n@@ -1,300 +1,300 @@\n", 0), 0u);
    const auto lines = split_lines(diff);
    size_t minus = 0;
    size_t plus = 0;
    for (auto l : lines) {
        minus += l.front() == '-' && l.rfind("---", 0) != 0;
        plus += l.front() == '+' && l.rfind("+++", 0) != 0;
    }
    EXPECT_EQ(minus, 300u);
    EXPECT_EQ(plus, 300u);
}

} // namespace
} // namespace glmdesk::tools
