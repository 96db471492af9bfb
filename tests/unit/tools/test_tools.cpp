// The tool dispatcher end to end on temporary project folders: declarations and the real output
// parser, read/list/search, write and edit with diffs and undo, run_command's timeout, cancel,
// output cap and environment, and the git tools.
#include "app/tools/tools.h"

#include "engine/chat/output_parser.h"
#include "engine/chat/prompt_format.h"
#include "tests/unit/tools/tools_test_util.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>

namespace glmdesk::tools {
namespace {

using test::TempDir;
namespace fs = std::filesystem;

class Tools : public ::testing::Test
{
protected:
    void SetUp() override
    {
        ASSERT_FALSE(dir.path().empty());
        options.allow_shell = true; // the process-tree tests need sh -c
        auto ws = Workspace::open(dir.path());
        ASSERT_TRUE(ws) << ws.status().message();
        workspace.emplace(std::move(*ws));
        runner.emplace(*workspace, journal, options);
    }

    ToolResult call(const std::string &name, Json arguments, const CancelToken *cancel = nullptr)
    {
        return runner->execute(name, arguments, cancel);
    }

    TempDir dir{"glmdesk-tools"};
    std::optional<Workspace> workspace;
    UndoJournal journal;
    ToolRunnerOptions options;
    std::optional<ToolRunner> runner;
};

std::set<std::string> matched_files(const std::string &text)
{
    std::set<std::string> files;
    size_t start = 0;
    while (start < text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string::npos)
            end = text.size();
        const std::string line = text.substr(start, end - start);
        const size_t colon = line.find(':');
        if (colon != std::string::npos && line.front() != '[')
            files.insert(line.substr(0, colon));
        start = end + 1;
    }
    return files;
}

// ------------------------------------------------------------------------------- declarations

TEST(ToolDefinitions, RenderIntoThePromptAndDriveTheParser)
{
    const auto with_git = tool_definitions(true);
    const auto without_git = tool_definitions(false);
    ASSERT_EQ(with_git.size(), 8u);
    ASSERT_EQ(without_git.size(), 6u);
    for (const auto &tool : with_git) {
        SCOPED_TRACE(tool.name);
        ASSERT_TRUE(tool_access(tool.name).has_value());
        EXPECT_EQ(tool.parameters["type"], "object");
        EXPECT_TRUE(tool.parameters["properties"].is_object());
        for (const auto &required : tool.parameters["required"])
            EXPECT_TRUE(tool.parameters["properties"].contains(required.get<std::string>()));
        // Round trip through the reader the app uses for tools given as JSON.
        auto back = engine::tool_definition_from_json(tool.entry);
        ASSERT_TRUE(back) << back.status().message();
        EXPECT_EQ(back->name, tool.name);
    }
    EXPECT_EQ(tool_access("read_file"), ToolAccess::ReadOnly);
    EXPECT_EQ(tool_access("git_diff"), ToolAccess::ReadOnly);
    EXPECT_EQ(tool_access("edit_file"), ToolAccess::Mutating);
    EXPECT_EQ(tool_access("run_command"), ToolAccess::Mutating);
    EXPECT_FALSE(tool_access("rm_rf").has_value());

    engine::Conversation conversation;
    conversation.tools = with_git;
    conversation.messages.push_back({engine::Role::User, "hi", std::nullopt, {}, {}});
    const std::string prompt = engine::render_text(conversation, engine::PromptOptions{});
    EXPECT_NE(prompt.find("<tools>"), std::string::npos);
    EXPECT_NE(prompt.find("\"name\": \"search_text\""), std::string::npos) << prompt;
}

TEST_F(Tools, ParsedGlmToolCallRuns)
{
    test::write_text(dir / "src/a.txt", "one\ntwo\nthree\nfour\n");
    engine::OutputParser parser(tool_definitions(false));
    std::vector<engine::OutputEvent> events;
    parser.feed("Let me look.<tool_call>read_file\n<arg_key>path</arg_key>\n<arg_value>src/a.txt"
                "</arg_value>\n<arg_key>start_line</arg_key>\n<arg_value>2</arg_value>\n"
                "<arg_key>end_line</arg_key>\n<arg_value>3</arg_value>\n</tool_call>",
                events);
    parser.finish(events);
    const engine::ToolCallEvent *tool_call = nullptr;
    for (const auto &e : events)
        if (const auto *c = std::get_if<engine::ToolCallEvent>(&e))
            tool_call = c;
    ASSERT_NE(tool_call, nullptr);
    EXPECT_TRUE(tool_call->arguments["start_line"].is_number_integer());
    const ToolResult r = runner->execute(*tool_call);
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.text, "[lines 2-3 of 4]\ntwo\nthree\n");
}

// ------------------------------------------------------------------------------ read and list

TEST_F(Tools, ReadFileRangesAndBinaries)
{
    test::write_text(dir / "a.txt", "1\n2\n3\n4\n5");
    auto whole = call("read_file", {{"path", "a.txt"}});
    ASSERT_TRUE(whole.ok) << whole.error;
    EXPECT_EQ(whole.text, "1\n2\n3\n4\n5");
    auto tail = call("read_file", {{"path", "a.txt"}, {"start_line", 4}, {"end_line", 99}});
    ASSERT_TRUE(tail.ok);
    EXPECT_EQ(tail.text, "[lines 4-5 of 5]\n4\n5");
    auto as_text = call("read_file", {{"path", "a.txt"}, {"start_line", "2"}, {"end_line", "2"}});
    ASSERT_TRUE(as_text.ok) << as_text.error;
    EXPECT_EQ(as_text.text, "[lines 2-2 of 5]\n2\n");
    auto past = call("read_file", {{"path", "a.txt"}, {"start_line", 9}});
    ASSERT_FALSE(past.ok);
    EXPECT_NE(past.error.find("which has 5 lines"), std::string::npos) << past.error;
    auto backwards = call("read_file", {{"path", "a.txt"}, {"start_line", 3}, {"end_line", 2}});
    EXPECT_FALSE(backwards.ok);

    test::write_text(dir / "image.png", std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16));
    auto binary = call("read_file", {{"path", "image.png"}});
    ASSERT_FALSE(binary.ok);
    EXPECT_NE(binary.error.find("binary file (16 bytes)"), std::string::npos) << binary.error;

    test::write_text(dir / "latin1.txt", "caf\xe9\n");
    auto latin = call("read_file", {{"path", "latin1.txt"}});
    ASSERT_TRUE(latin.ok);
    EXPECT_NE(latin.text.find("caf\xEF\xBF\xBD\n"), std::string::npos);
    EXPECT_NE(latin.text.find("not valid UTF-8"), std::string::npos);

    auto hostile = call("read_file", {{"path", "../etc/passwd"}});
    ASSERT_FALSE(hostile.ok);
    EXPECT_EQ(hostile.text.rfind("Error: '../etc/passwd': ", 0), 0u) << hostile.text;
    auto unknown = call("read_file", {{"path", "a.txt"}, {"mode", "rw"}});
    ASSERT_FALSE(unknown.ok);
    EXPECT_NE(unknown.error.find("unknown parameter 'mode'"), std::string::npos);
    auto missing = call("read_file", Json::object());
    ASSERT_FALSE(missing.ok);
    EXPECT_NE(missing.error.find("missing required parameter 'path'"), std::string::npos);
    auto no_tool = call("format_disk", Json::object());
    ASSERT_FALSE(no_tool.ok);
    EXPECT_NE(no_tool.error.find("unknown tool 'format_disk'"), std::string::npos);
}

TEST_F(Tools, ReadFileCapsItsOutput)
{
    options.max_read_output = 100;
    runner.emplace(*workspace, journal, options);
    std::string text;
    for (int i = 1; i <= 50; ++i)
        text += "line " + std::to_string(i) + "\n";
    test::write_text(dir / "long.txt", text);
    auto r = call("read_file", {{"path", "long.txt"}});
    ASSERT_TRUE(r.ok);
    // "line 1\n".."line 9\n" are 7 bytes, from "line 10\n" on 8: 9*7 + 4*8 = 95 <= 100 < 103.
    EXPECT_EQ(r.text.rfind("[lines 1-13 of 50]\n", 0), 0u) << r.text;
    EXPECT_NE(r.text.find("read on with start_line=14"), std::string::npos) << r.text;
}

TEST_F(Tools, ListDirectory)
{
    test::write_text(dir / "b.txt", "12345");
    fs::create_directories(dir / "adir");
    fs::create_symlink("b.txt", dir / "link");
    ASSERT_EQ(::mkfifo((dir / "pipe").c_str(), 0644), 0);
    test::write_text(dir / std::string("bad\xff"
                                       "name"),
                     "x");
    auto r = call("list_directory", Json::object());
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.text, "./:\nadir/\nb.txt (5 bytes)\nlink -> b.txt\npipe [FIFO]\n"
                      "[1 entries with names that are not valid UTF-8 text not shown]\n");
    auto sub = call("list_directory", {{"path", "adir"}});
    ASSERT_TRUE(sub.ok);
    EXPECT_EQ(sub.text, "adir/:\n(empty)\n");
    auto file = call("list_directory", {{"path", "b.txt"}});
    ASSERT_FALSE(file.ok);
    EXPECT_NE(file.error.find("not a directory"), std::string::npos);
}

// -------------------------------------------------------------------------------- search_text

TEST_F(Tools, SearchHonoursGitignoreAndSkipsBinaries)
{
    test::write_text(dir / ".gitignore",
                     "build/\n*.log\n!keep.log\n/anchored.txt\ndocs/**/gen_*\n");
    test::write_text(dir / "src/a.cpp", "int x;\n// needle here\n");
    test::write_text(dir / "src/b.log", "needle\n");
    test::write_text(dir / "keep.log", "a needle\n");
    test::write_text(dir / "build/x.cpp", "needle\n");
    test::write_text(dir / "anchored.txt", "needle\n");
    test::write_text(dir / "sub/anchored.txt", "needle\n");
    test::write_text(dir / "docs/a/b/gen_x.md", "needle\n");
    test::write_text(dir / "docs/gen_y.md", "needle\n");
    test::write_text(dir / "docs/a/keep.md", "NEEDLE\n");
    test::write_text(dir / "bin.dat", std::string("needle\0\1\2", 10));
    test::write_text(dir / "sub/.gitignore", "*.tmp\n");
    test::write_text(dir / "sub/t.tmp", "needle\n");
    test::write_text(dir / "t.tmp", "needle\n");
    test::write_text(dir / ".git/config", "needle\n");
    fs::create_symlink("src/a.cpp", dir / "alias.cpp");

    auto r = call("search_text", {{"pattern", "need[l]e"}});
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(matched_files(r.text),
              (std::set<std::string>{"src/a.cpp", "keep.log", "sub/anchored.txt", "t.tmp"}))
        << r.text;
    EXPECT_NE(r.text.find("src/a.cpp:2: // needle here\n"), std::string::npos) << r.text;
    EXPECT_NE(r.text.find("1 binary skipped"), std::string::npos) << r.text;

    auto caseless =
        call("search_text", {{"pattern", "needle"}, {"path", "docs"}, {"case_insensitive", true}});
    ASSERT_TRUE(caseless.ok) << caseless.error;
    EXPECT_EQ(matched_files(caseless.text), (std::set<std::string>{"docs/a/keep.md"}))
        << caseless.text;

    auto include = call("search_text", {{"pattern", "needle"}, {"include", "*.log"}});
    ASSERT_TRUE(include.ok);
    EXPECT_EQ(matched_files(include.text), (std::set<std::string>{"keep.log"}));

    auto bad = call("search_text", {{"pattern", "(unclosed"}});
    ASSERT_FALSE(bad.ok);
    EXPECT_NE(bad.error.find("invalid regular expression"), std::string::npos);
    auto outside = call("search_text", {{"pattern", "x"}, {"path", "../"}});
    EXPECT_FALSE(outside.ok);
}

TEST_F(Tools, SearchCapsResults)
{
    std::string text;
    for (int i = 0; i < 50; ++i)
        text += "match " + std::to_string(i) + "\n";
    test::write_text(dir / "many.txt", text);
    auto r = call("search_text", {{"pattern", "^match"}, {"max_results", 10}});
    ASSERT_TRUE(r.ok);
    EXPECT_NE(r.text.find("many.txt:10: match 9\n"), std::string::npos);
    EXPECT_EQ(r.text.find("many.txt:11:"), std::string::npos);
    EXPECT_NE(r.text.find("stopped early: reached max_results=10"), std::string::npos) << r.text;

    CancelToken cancelled;
    cancelled.cancel();
    auto stopped = call("search_text", {{"pattern", "match"}}, &cancelled);
    ASSERT_FALSE(stopped.ok);
    EXPECT_EQ(stopped.error, "search_text: cancelled");

    // A catastrophic pattern gives up on the line instead of hanging.
    test::write_text(dir / "evil.txt", std::string(40, 'a') + "!\n");
    const auto start = std::chrono::steady_clock::now();
    auto evil = call("search_text", {{"pattern", "^(a|a)*$"}, {"path", "evil.txt"}});
    EXPECT_TRUE(evil.ok);
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

// ------------------------------------------------------------------------ write, edit and undo

TEST_F(Tools, EditFileExactlyOnceWithADiff)
{
    test::write_text(dir / "code.py", "def f():\n    return 1\n\ndef g():\n    return 1\n");
    auto none =
        call("edit_file", {{"path", "code.py"}, {"old_text", "return 2"}, {"new_text", "x"}});
    ASSERT_FALSE(none.ok);
    EXPECT_NE(none.error.find("old_text was not found in 'code.py'"), std::string::npos);
    auto twice = call("edit_file",
                      {{"path", "code.py"}, {"old_text", "return 1"}, {"new_text", "return 3"}});
    ASSERT_FALSE(twice.ok);
    EXPECT_NE(twice.error.find("occurs 2 times in 'code.py' (lines 2, 5)"), std::string::npos)
        << twice.error;
    auto same = call("edit_file", {{"path", "code.py"}, {"old_text", "f"}, {"new_text", "f"}});
    EXPECT_FALSE(same.ok);
    auto empty = call("edit_file", {{"path", "code.py"}, {"old_text", ""}, {"new_text", "f"}});
    EXPECT_FALSE(empty.ok);
    EXPECT_EQ(test::read_text(dir / "code.py"),
              "def f():\n    return 1\n\ndef g():\n    return 1\n");

    // The approval card's preview is the diff the write then makes.
    engine::ToolCallEvent edit{"edit_file",
                               {{"path", "code.py"},
                                {"old_text", "def g():\n    return 1"},
                                {"new_text", "def g():\n    return 2"}}};
    auto preview = runner->preview_diff(edit);
    ASSERT_TRUE(preview) << preview.status().message();
    EXPECT_EQ(test::read_text(dir / "code.py"),
              "def f():\n    return 1\n\ndef g():\n    return 1\n");
    auto done = runner->execute(edit);
    ASSERT_TRUE(done.ok) << done.error;
    ASSERT_TRUE(done.diff);
    EXPECT_EQ(*done.diff, *preview);
    EXPECT_EQ(*done.diff, "--- a/code.py\n+++ b/code.py\n@@ -2,4 +2,4 @@\n     return 1\n \n"
                          " def g():\n-    return 1\n+    return 2\n");
    EXPECT_EQ(done.text, "Edited 'code.py' (1 replacement): +1 -1 lines, 45 bytes.");
    EXPECT_EQ(test::read_text(dir / "code.py"),
              "def f():\n    return 1\n\ndef g():\n    return 2\n");

    auto all = call("edit_file", {{"path", "code.py"},
                                  {"old_text", "return"},
                                  {"new_text", "yield"},
                                  {"replace_all", true}});
    ASSERT_TRUE(all.ok) << all.error;
    EXPECT_EQ(test::read_text(dir / "code.py"), "def f():\n    yield 1\n\ndef g():\n    yield 2\n");
}

TEST_F(Tools, WriteAndUndo)
{
    test::write_text(dir / "notes.txt", "first\n");
    auto created = call("write_file", {{"path", "new/dir/hello.txt"}, {"content", "hi\n"}});
    ASSERT_TRUE(created.ok) << created.error;
    ASSERT_TRUE(created.diff);
    EXPECT_EQ(*created.diff, "--- /dev/null\n+++ b/new/dir/hello.txt\n@@ -0,0 +1 @@\n+hi\n");
    auto replaced = call("write_file", {{"path", "notes.txt"}, {"content", "second\n"}});
    ASSERT_TRUE(replaced.ok);
    auto edited =
        call("edit_file", {{"path", "notes.txt"}, {"old_text", "second"}, {"new_text", "third"}});
    ASSERT_TRUE(edited.ok);
    ASSERT_EQ(journal.entries().size(), 3u);
    EXPECT_TRUE(journal.entries()[0].created);
    EXPECT_EQ(journal.entries()[2].tool, "edit_file");

    // Undoing the older write of notes.txt first would lose the edit: refused.
    auto out_of_order = journal.undo(*workspace, *replaced.undo_id);
    ASSERT_FALSE(out_of_order);
    EXPECT_NE(out_of_order.status().message().find("changed after this write"), std::string::npos);
    EXPECT_EQ(test::read_text(dir / "notes.txt"), "third\n");

    auto u1 = journal.undo_last(*workspace);
    ASSERT_TRUE(u1) << u1.status().message();
    EXPECT_EQ(*u1, "--- a/notes.txt\n+++ b/notes.txt\n@@ -1 +1 @@\n-third\n+second\n");
    EXPECT_EQ(test::read_text(dir / "notes.txt"), "second\n");
    auto u2 = journal.undo(*workspace, *replaced.undo_id);
    ASSERT_TRUE(u2) << u2.status().message();
    EXPECT_EQ(test::read_text(dir / "notes.txt"), "first\n");
    auto u3 = journal.undo(*workspace, *created.undo_id);
    ASSERT_TRUE(u3) << u3.status().message();
    EXPECT_FALSE(test::exists_no_follow(dir / "new/dir/hello.txt"));
    EXPECT_TRUE(journal.entries().empty());
    EXPECT_FALSE(journal.undo_last(*workspace));

    // A file the user changed after the tool wrote it is not clobbered by undo.
    auto w = call("write_file", {{"path", "notes.txt"}, {"content", "tool\n"}});
    ASSERT_TRUE(w.ok);
    test::write_text(dir / "notes.txt", "user edit\n");
    auto refused = journal.undo_last(*workspace);
    ASSERT_FALSE(refused);
    EXPECT_EQ(test::read_text(dir / "notes.txt"), "user edit\n");
}

TEST_F(Tools, UndoJournalStaysBounded)
{
    UndoJournal small(100);
    for (int i = 0; i < 10; ++i)
        small.record("f.txt", "write_file", std::string(20, 'a'), std::string(20, 'b'), 0644);
    const auto entries = small.entries();
    ASSERT_FALSE(entries.empty());
    EXPECT_LE(entries.size(), 3u);
    EXPECT_EQ(entries.back().id, 10u);
}

// -------------------------------------------------------------------------------- run_command

TEST_F(Tools, RunCommandTimeoutKillsTheProcessTree)
{
    const auto start = std::chrono::steady_clock::now();
    auto r = call("run_command", {{"argv",
                                   {"sh", "-c",
                                    "echo $$ > child.pid; sleep 100 & echo $! > grandchild.pid;"
                                    " wait"}},
                                  {"timeout_seconds", 1}});
    const auto took = std::chrono::steady_clock::now() - start;
    ASSERT_FALSE(r.ok);
    EXPECT_EQ(r.error, "run_command: timed out");
    EXPECT_NE(r.text.find("timed out after 1 s"), std::string::npos) << r.text;
    EXPECT_LT(took, std::chrono::seconds(10));
    const pid_t child = std::stoi(test::read_text(dir / "child.pid"));
    const pid_t grandchild = std::stoi(test::read_text(dir / "grandchild.pid"));
    EXPECT_TRUE(test::process_gone(child, std::chrono::seconds(5)));
    EXPECT_TRUE(test::process_gone(grandchild, std::chrono::seconds(5)))
        << "the grandchild sleep 100 survived the timeout";
}

TEST_F(Tools, RunCommandKillsLeftoversWhenTheCommandExits)
{
    auto r =
        call("run_command", {{"argv", {"sh", "-c", "sleep 100 >/dev/null 2>&1 & echo $! > bg.pid"}},
                             {"timeout_seconds", 30}});
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_NE(r.text.find("exit code 0"), std::string::npos);
    const pid_t bg = std::stoi(test::read_text(dir / "bg.pid"));
    EXPECT_TRUE(test::process_gone(bg, std::chrono::seconds(5)));
}

TEST_F(Tools, RunCommandCancelFromAnotherThread)
{
    CancelToken cancel;
    std::thread canceller([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        cancel.cancel();
    });
    const auto start = std::chrono::steady_clock::now();
    auto r = call("run_command", {{"argv", {"sleep", "100"}}}, &cancel);
    canceller.join();
    ASSERT_FALSE(r.ok);
    EXPECT_EQ(r.error, "run_command: cancelled");
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

TEST_F(Tools, RunCommandCapsOutput)
{
    options.max_command_output = 1000;
    runner.emplace(*workspace, journal, options);
    auto r = call("run_command", {{"argv", {"seq", "1", "20000"}}});
    ASSERT_TRUE(r.ok) << r.error;
    size_t total = 0;
    for (int i = 1; i <= 20000; ++i)
        total += std::to_string(i).size() + 1;
    EXPECT_NE(r.text.find("[stdout truncated: " + std::to_string(total - 1000) +
                          " more bytes not shown]"),
              std::string::npos)
        << r.text.substr(r.text.size() > 300 ? r.text.size() - 300 : 0);
    EXPECT_NE(r.text.find("[stdout]\n1\n2\n3\n"), std::string::npos);
}

TEST_F(Tools, RunCommandEnvironmentIsScrubbedAndCwdIsTheRoot)
{
    ::setenv("GLMDESK_TEST_SECRET", "leak", 1);
    auto r = call("run_command", {{"argv", {"env"}}});
    ::unsetenv("GLMDESK_TEST_SECRET");
    ASSERT_TRUE(r.ok) << r.error;
    const std::string out = r.text.substr(r.text.find("[stdout]\n") + 9);
    std::set<std::string> names;
    size_t start = 0;
    while (start < out.size()) {
        size_t end = out.find('\n', start);
        if (end == std::string::npos)
            end = out.size();
        const std::string line = out.substr(start, end - start);
        if (line.find('=') != std::string::npos)
            names.insert(line.substr(0, line.find('=')));
        start = end + 1;
    }
    EXPECT_EQ(names, (std::set<std::string>{"PATH", "HOME", "LANG", "TERM"})) << r.text;
    EXPECT_NE(out.find("TERM=dumb\n"), std::string::npos);

    auto pwd = call("run_command", {{"argv", {"pwd", "-P"}}});
    ASSERT_TRUE(pwd.ok);
    EXPECT_NE(pwd.text.find("[stdout]\n" + workspace->root_path() + "\n"), std::string::npos)
        << pwd.text;

    auto failing = call("run_command", {{"argv", {"sh", "-c", "echo oops >&2; exit 3"}}});
    ASSERT_TRUE(failing.ok); // it ran; the model reads the exit code
    EXPECT_NE(failing.text.find("exit code 3"), std::string::npos);
    EXPECT_NE(failing.text.find("[stderr]\noops\n"), std::string::npos);
}

TEST_F(Tools, RunCommandRefusesShellsUnlessAllowed)
{
    EXPECT_TRUE(uses_shell({"sh", "-c", "x"}));
    EXPECT_TRUE(uses_shell({"/bin/bash", "-lc", "x"}));
    EXPECT_TRUE(uses_shell({"env", "-i", "A=1", "/usr/bin/zsh"}));
    EXPECT_FALSE(uses_shell({"make", "-j4"}));
    EXPECT_FALSE(uses_shell({"env"}));
    EXPECT_FALSE(uses_shell({"shellcheck", "x.sh"}));
    options.allow_shell = false;
    runner.emplace(*workspace, journal, options);
    auto refused = call("run_command", {{"argv", {"sh", "-c", "echo hi > made.txt"}}});
    ASSERT_FALSE(refused.ok);
    EXPECT_NE(refused.error.find("'sh' starts a shell"), std::string::npos) << refused.error;
    EXPECT_FALSE(test::exists_no_follow(dir / "made.txt"));
    auto plain = call("run_command", {{"argv", {"echo", "hi"}}});
    EXPECT_TRUE(plain.ok) << plain.error;
}

TEST_F(Tools, RunCommandRefusesShellLinesAndMissingPrograms)
{
    auto line = call("run_command", {{"argv", "ls -la | grep x"}});
    ASSERT_FALSE(line.ok);
    EXPECT_NE(line.error.find("no shell is used"), std::string::npos);
    auto json_string = call("run_command", {{"argv", "[\"echo\", \"from a string\"]"}});
    ASSERT_TRUE(json_string.ok) << json_string.error;
    EXPECT_NE(json_string.text.find("from a string"), std::string::npos);
    auto missing = call("run_command", {{"argv", {"glmdesk-no-such-program"}}});
    ASSERT_FALSE(missing.ok);
    EXPECT_NE(missing.error.find("'glmdesk-no-such-program' was not found"), std::string::npos);
    auto numbers = call("run_command", {{"argv", {"echo", 5}}});
    EXPECT_FALSE(numbers.ok);
}

// ---------------------------------------------------------------------------------------- git

TEST_F(Tools, GitToolsOnARepositoryAndOutsideOne)
{
    ProcessOptions probe_options;
    probe_options.timeout = std::chrono::seconds(20);
    auto probe = run_process({"git", "--version"}, probe_options);
    if (!probe || probe->exit_code != 0)
        GTEST_SKIP() << "git is not installed";

    auto not_repo = call("git_status", Json::object());
    ASSERT_FALSE(not_repo.ok);
    EXPECT_NE(not_repo.error.find("is not inside a git repository"), std::string::npos)
        << not_repo.error;
    EXPECT_EQ(runner->definitions().size(), 6u);

    test::write_text(dir / "file.txt", "old line\n");
    probe_options.cwd_fd = workspace->root_fd();
    for (const std::vector<std::string> &argv :
         {std::vector<std::string>{"git", "init", "-q"},
          std::vector<std::string>{"git", "add", "file.txt"},
          std::vector<std::string>{"git", "-c", "user.name=t", "-c", "user.email=t@example.com",
                                   "commit", "-q", "-m", "init"}}) {
        auto r = run_process(argv, probe_options);
        ASSERT_TRUE(r && r->exit_code == 0) << (r ? r->err : r.status().message());
    }
    EXPECT_TRUE(runner->is_git_repository());
    EXPECT_EQ(runner->definitions().size(), 8u);

    auto clean = call("git_status", Json::object());
    ASSERT_TRUE(clean.ok) << clean.error;
    EXPECT_EQ(clean.text.rfind("## ", 0), 0u) << clean.text;

    test::write_text(dir / "file.txt", "new line\n");
    test::write_text(dir / "untracked.txt", "u\n");
    auto status = call("git_status", Json::object());
    ASSERT_TRUE(status.ok) << status.error;
    EXPECT_NE(status.text.find(" M file.txt\n"), std::string::npos) << status.text;
    EXPECT_NE(status.text.find("?? untracked.txt\n"), std::string::npos) << status.text;

    auto diff = call("git_diff", Json::object());
    ASSERT_TRUE(diff.ok) << diff.error;
    EXPECT_NE(diff.text.find("-old line\n+new line\n"), std::string::npos) << diff.text;
    auto staged = call("git_diff", {{"staged", true}});
    ASSERT_TRUE(staged.ok);
    EXPECT_EQ(staged.text, "No differences.");
    auto by_path = call("git_diff", {{"path", "untracked.txt"}});
    ASSERT_TRUE(by_path.ok);
    EXPECT_EQ(by_path.text, "No differences.");
    auto escape = call("git_diff", {{"path", "../x"}});
    ASSERT_FALSE(escape.ok);
    EXPECT_NE(escape.error.find("\"..\""), std::string::npos);
}

} // namespace
} // namespace glmdesk::tools
