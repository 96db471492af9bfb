// .gitignore matching. The oracle is git itself: for a tree of paths and a set of .gitignore files,
// `git check-ignore --no-index` decides, and IgnoreStack (with the walker's rule that a path in an
// ignored directory is ignored) must agree on every path.
#include "app/tools/gitignore.h"
#include "app/tools/process.h"

#include "tests/unit/tools/tools_test_util.h"

#include <gtest/gtest.h>

#include <fcntl.h>

#include <chrono>
#include <map>
#include <set>

namespace glmdesk::tools {
namespace {

using test::TempDir;

TEST(Glob, Basics)
{
    struct Case
    {
        const char *pattern;
        const char *text;
        bool match;
    };
    // Shell-glob semantics that do not depend on git's directory rules.
    const Case cases[] = {
        {"*.cpp", "a.cpp", true},    {"*.cpp", "dir/a.cpp", false},
        {"a?c", "abc", true},        {"a?c", "a/c", false},
        {"[a-c]x", "bx", true},      {"[!a-c]x", "dx", true},
        {"[!a-c]x", "ax", false},    {"[^a-c]x", "ax", false},
        {"\\*x", "*x", true},        {"\\*x", "ax", false},
        {"a/**/b", "a/b", true},     {"a/**/b", "a/x/y/b", true},
        {"a/**/b", "a/xb", false},   {"**/foo", "foo", true},
        {"**/foo", "x/y/foo", true}, {"abc/**", "abc/x/y", true},
        {"abc/**", "abc", false},    {"a**b", "a/b", false},
        {"[[:alpha:]]", "a", false}, {"[a", "[a", true},
        {"foo\\", "foo\\", false},
    };
    for (const auto &c : cases)
        EXPECT_EQ(Glob(c.pattern).matches(c.text), c.match) << c.pattern << " vs " << c.text;
}

TEST(Glob, PathologicalPatternIsFast)
{
    const std::string text(4000, 'a');
    const auto start = std::chrono::steady_clock::now();
    EXPECT_FALSE(Glob("*a*a*a*a*a*a*a*a*a*a*a*a*b").matches(text));
    EXPECT_FALSE(Glob("**/**/**/**/**/**/**/x").matches(text + "/" + text));
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

struct Tree
{
    std::map<std::string, std::string> ignore_files; // dir ("" = root) -> .gitignore text
    std::vector<std::string> paths;                  // files; directories end with "/"
};

TEST(IgnoreStack, AgreesWithGitCheckIgnore)
{
    ProcessOptions options;
    options.timeout = std::chrono::seconds(20);
    auto probe = run_process({"git", "--version"}, options);
    if (!probe || probe->exit_code != 0)
        GTEST_SKIP() << "git is not installed: no oracle";

    Tree tree;
    tree.ignore_files[""] = "# comment\n"
                            "build/\n"
                            "*.log\n"
                            "!keep.log\n"
                            "/anchored.txt\n"
                            "docs/**/gen_*\n"
                            "\\#hash\n"
                            "trailing  \n"
                            "*.o\n"
                            "!important.o\n"
                            "out/**\n"
                            "cache\n"
                            "[Tt]emp*\n"
                            "!/sub/keep/\n"
                            "a/*/c.txt\n";
    tree.ignore_files["sub"] = "*.tmp\n"
                               "!precious.tmp\n"
                               "/local.txt\n"
                               "nested/\n";
    tree.paths = {"src/main.cpp",       "src/x.log",
                  "keep.log",           "deep/keep.log",
                  "build/out.o",        "src/build/x.c",
                  "anchored.txt",       "sub/anchored.txt",
                  "docs/gen_a.md",      "docs/x/y/gen_b.md",
                  "docs/x/keep.md",     "#hash",
                  "trailing",           "a.o",
                  "important.o",        "lib/important.o",
                  "out/a/b.txt",        "cache",
                  "src/cache/x.txt",    "Temp1.txt",
                  "temp2/x.txt",        "sub/a.tmp",
                  "sub/precious.tmp",   "sub/local.txt",
                  "sub/x/local.txt",    "sub/nested/f.txt",
                  "sub/x/nested/g.txt", "a.tmp",
                  "a/b/c.txt",          "a/b/d/c.txt",
                  "sub/keep/x.log"};

    TempDir dir("glmdesk-ignore");
    for (const auto &[d, text] : tree.ignore_files)
        test::write_text(dir / (d.empty() ? ".gitignore" : d + "/.gitignore"), text);
    std::string stdin_paths;
    for (const auto &p : tree.paths) {
        test::write_text(dir / p, "x\n");
        stdin_paths += p + "\n";
    }
    test::write_text(dir / "paths.txt", stdin_paths);
    auto init = run_process({"git", "-C", dir.path(), "init", "-q"}, options);
    ASSERT_TRUE(init && init->exit_code == 0);
    // check-ignore reads paths from stdin; run_process gives /dev/null, so go through sh.
    auto check = run_process(
        {"sh", "-c", "cd \"$0\" && git check-ignore --no-index --stdin < paths.txt", dir.path()},
        options);
    ASSERT_TRUE(check);
    ASSERT_LE(check->exit_code, 1) << check->err;
    std::set<std::string> git_ignored;
    size_t start = 0;
    while (start < check->out.size()) {
        size_t end = check->out.find('\n', start);
        if (end == std::string::npos)
            end = check->out.size();
        if (end > start)
            git_ignored.insert(check->out.substr(start, end - start));
        start = end + 1;
    }

    // The walker pushes the rules of every directory on the way; emulate that per path.
    for (const auto &path : tree.paths) {
        SCOPED_TRACE(path);
        bool ignored = false;
        IgnoreStack s;
        std::string prefix;
        if (tree.ignore_files.count(""))
            s.push("", IgnoreRules::parse(tree.ignore_files.at("")));
        size_t pos = 0;
        while (!ignored) {
            const size_t slash = path.find('/', pos);
            const std::string part = path.substr(0, slash);
            const bool is_dir = slash != std::string::npos;
            ignored = s.ignored(part, is_dir);
            if (!is_dir)
                break;
            if (tree.ignore_files.count(part))
                s.push(part, IgnoreRules::parse(tree.ignore_files.at(part)));
            pos = slash + 1;
        }
        EXPECT_EQ(ignored, git_ignored.count(path) == 1)
            << "git says " << (git_ignored.count(path) ? "ignored" : "not ignored");
    }
    EXPECT_GE(git_ignored.size(), 10u); // the tree exercises the rules
}

} // namespace
} // namespace glmdesk::tools
