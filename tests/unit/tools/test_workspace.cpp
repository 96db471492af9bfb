// Workspace confinement: a table of hostile paths that must all be refused with a message naming
// the path and the reason, the positive controls next to them, a directory swapped for a symlink
// in the middle of a walk, and atomic writes under injected failures.
#include "app/tools/workspace.h"

#include "tests/unit/tools/tools_test_util.h"

#include <gtest/gtest.h>

#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <cstring>
#include <filesystem>

namespace glmdesk::tools {
namespace {

using test::TempDir;
namespace fs = std::filesystem;

enum class Op { Read, Write, List };

struct HostileCase
{
    const char *label;
    std::string path;
    Op op;
    std::string reason; // a substring the message must contain
};

class HostilePaths : public ::testing::Test
{
protected:
    void SetUp() override
    {
        ASSERT_FALSE(root.path().empty());
        ASSERT_FALSE(outside.path().empty());
        const std::string r = root.path();
        test::write_text(outside / "secret.txt", "SECRET\n");
        test::write_text(r + "/file.txt", "hello\n");
        test::write_text(r + "/dir/inner.txt", "inner\n");
        fs::create_directories(r + "/sub/deeper");
        fs::create_symlink("/", r + "/link_root");
        fs::create_symlink(r + "/file.txt", r + "/link_abs_inside");
        fs::create_symlink("chain2", r + "/chain1");
        fs::create_symlink("../" + fs::path(outside.path()).filename().string() + "/secret.txt",
                           r + "/chain2");
        fs::create_symlink("loop", r + "/loop");
        fs::create_symlink("pong", r + "/ping");
        fs::create_symlink("ping", r + "/pong");
        have_hard_link = ::link((outside / "secret.txt").c_str(), (r + "/hard").c_str()) == 0;
        ASSERT_EQ(::mkfifo((r + "/fifo").c_str(), 0644), 0) << std::strerror(errno);
        fs::create_symlink("/dev/null", r + "/devnull");
        have_chardev = ::mknod((r + "/chardev").c_str(), S_IFCHR | 0644, makedev(1, 3)) == 0;
        {
            const int s = ::socket(AF_UNIX, SOCK_STREAM, 0);
            sockaddr_un addr{};
            addr.sun_family = AF_UNIX;
            const std::string sock = r + "/sock";
            have_socket = s >= 0 && sock.size() < sizeof addr.sun_path;
            if (have_socket) {
                std::memcpy(addr.sun_path, sock.c_str(), sock.size() + 1);
                have_socket = ::bind(s, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0;
            }
            if (s >= 0)
                ::close(s);
        }
        fs::create_symlink("/proc/self/root", r + "/proc_link");
        fs::create_symlink("../..", r + "/sub/up");
        fs::create_symlink("..", r + "/up1");
        fs::create_symlink("dir", r + "/dirlink_inside");
        fs::create_symlink("file.txt", r + "/inside_link");
        test::write_text(r + "/.git/config", "[core]\n");
        fs::create_symlink(".git", r + "/gitlink");
        // A chain longer than the hop limit, all inside.
        for (int i = 0; i < 20; ++i)
            fs::create_symlink(i == 19 ? "file.txt" : "s" + std::to_string(i + 1),
                               r + "/s" + std::to_string(i));
        auto ws = Workspace::open(r);
        ASSERT_TRUE(ws) << ws.status().message();
        workspace.emplace(std::move(*ws));
    }

    Status run(const HostileCase &c) const
    {
        switch (c.op) {
        case Op::Read: {
            auto r = workspace->read_file(c.path);
            return r ? Status::success() : r.status();
        }
        case Op::Write: {
            auto r = workspace->write_file(c.path, "overwritten\n", false);
            return r ? Status::success() : r.status();
        }
        case Op::List: {
            auto r = workspace->resolve_directory(c.path);
            return r ? Status::success() : r.status();
        }
        }
        return Status::success();
    }

    TempDir root{"glmdesk-ws"};
    TempDir outside{"glmdesk-outside"};
    std::optional<Workspace> workspace;
    bool have_hard_link = false;
    bool have_chardev = false;
    bool have_socket = false;
};

TEST_F(HostilePaths, AllRefusedWithAClearReason)
{
    std::vector<HostileCase> cases = {
        {"parent", "../x", Op::Read, "\"..\" components are not allowed"},
        {"absolute", "/etc/passwd", Op::Read, "absolute paths are not allowed"},
        {"dotdot escape", "a/../../x", Op::Read, "\"..\""},
        {"dot then dotdot", "./../file.txt", Op::Read, "\"..\""},
        {"dotdot at end", "dir/..", Op::Read, "\"..\""},
        {"doubled slashes", "dir//..//x", Op::Read, "\"..\""},
        {"empty", "", Op::Read, "empty path"},
        {"NUL byte", std::string("a\0b", 3), Op::Read, "NUL byte"},
        {"invalid UTF-8", "\xff\xfe", Op::Read, "not valid UTF-8"},
        {"overlong UTF-8 slash",
         "\xc0\xaf"
         "etc",
         Op::Read, "not valid UTF-8"},
        {"UTF-16 surrogate", "dir/\xed\xa0\x80", Op::Read, "not valid UTF-8"},
        {"control character", "a\nb", Op::Read, "control character"},
        {"5000-byte name", std::string(5000, 'n'), Op::Read, "5000 bytes long"},
        {"300-byte component", "dir/" + std::string(300, 'c'), Op::Read, "component is 300 bytes"},
        {"symlink to /", "link_root/etc/passwd", Op::Read, "absolute path '/'"},
        {"symlink to / itself", "link_root", Op::List, "absolute path '/'"},
        {"absolute symlink into the root", "link_abs_inside", Op::Read, "absolute path"},
        {"symlink chain leaving the root", "chain1", Op::Read, "outside the project root"},
        {"symlink loop", "loop", Op::Read, "symlink loop"},
        {"two-link loop", "ping", Op::Read, "symlink loop"},
        {"too many hops", "s0", Op::Read, "more than 16 symlinks"},
        {"FIFO read", "fifo", Op::Read, "FIFO"},
        {"FIFO write", "fifo", Op::Write, "FIFO"},
        {"/dev/null via symlink", "devnull", Op::Read, "absolute path '/dev/null'"},
        {"/proc magic link", "proc_link/etc/passwd", Op::Read, "absolute path '/proc/self/root'"},
        {"/proc path", "/proc/self/root/etc/passwd", Op::Read, "absolute paths"},
        {"relative symlink up from a subdir", "sub/up/file.txt", Op::Read,
         "outside the project root"},
        {"symlink to the root's parent", "up1/x", Op::List, "outside the project root"},
        {"through a file", "file.txt/x", Op::Read, "not a directory"},
        {"write through a symlink", "inside_link", Op::Write, "is a symlink"},
        {"write a directory", "dir", Op::Write, "is a directory"},
        {"write the root", ".", Op::Write, "project root"},
        {"write above the root", "../evil.txt", Op::Write, "\"..\""},
        {"write via escaping dir symlink", "up1/evil.txt", Op::Write, "outside the project root"},
        {"list a file", "file.txt", Op::List, "not a directory"},
        {"write a git hook", ".git/hooks/pre-commit", Op::Write, "inside .git"},
        {"write .git via a symlink", "gitlink/config", Op::Write, "inside .git"},
    };
    if (have_hard_link) {
        cases.push_back({"hard link to an outside file (read)", "hard", Op::Read, "hard links"});
        cases.push_back({"hard link to an outside file (write)", "hard", Op::Write, "hard links"});
    }
    if (have_chardev)
        cases.push_back({"character device", "chardev", Op::Read, "character device"});
    if (have_socket)
        cases.push_back({"socket", "sock", Op::Read, "socket"});
    ASSERT_GE(cases.size(), 25u);

    for (const auto &c : cases) {
        SCOPED_TRACE(c.label);
        const Status s = run(c);
        ASSERT_FALSE(s.ok()) << "accepted: " << c.label;
        const std::string prefix = "'" + printable(c.path) + "'";
        EXPECT_EQ(s.message().rfind(prefix, 0), 0u)
            << "the message must start with the path: " << s.message();
        EXPECT_NE(s.message().find(c.reason), std::string::npos)
            << "expected '" << c.reason << "' in: " << s.message();
    }
    // Nothing outside changed, nothing was written through a refused path.
    EXPECT_EQ(test::read_text(outside / "secret.txt"), "SECRET\n");
    EXPECT_FALSE(test::exists_no_follow(fs::path(root.path()).parent_path() / "evil.txt"));
    EXPECT_EQ(test::read_text(root / "file.txt"), "hello\n");
}

TEST_F(HostilePaths, PositiveControlsResolve)
{
    auto a = workspace->read_file("inside_link");
    ASSERT_TRUE(a) << a.status().message();
    EXPECT_EQ(*a, "hello\n");
    auto b = workspace->read_file("dirlink_inside/inner.txt");
    ASSERT_TRUE(b) << b.status().message();
    EXPECT_EQ(*b, "inner\n");
    auto c = workspace->read_file("./dir//./inner.txt");
    ASSERT_TRUE(c) << c.status().message();
    EXPECT_EQ(*c, "inner\n");
    auto d = workspace->resolve_directory(".");
    ASSERT_TRUE(d);
    EXPECT_EQ(d->relative, ".");
    auto e = workspace->resolve("dirlink_inside/inner.txt");
    ASSERT_TRUE(e);
    EXPECT_EQ(e->relative, "dir/inner.txt"); // the physical path, not the link
    auto f = workspace->resolve_directory("sub/deeper");
    ASSERT_TRUE(f);
    auto missing = workspace->read_file("nope/x.txt");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.status().code(), StatusCode::NotFound);
    EXPECT_NE(missing.status().message().find("no 'nope' in '.'"), std::string::npos)
        << missing.status().message();
}

// A directory on the walked path is replaced by a symlink to the outside right after the walk
// opened it. The walk holds the directory's fd, so it reads the original, never the outside.
TEST_F(HostilePaths, DirectorySwappedForSymlinkDuringTheWalk)
{
    const std::string r = root.path();
    test::write_text(r + "/a/b.txt", "inside\n");
    test::write_text(outside / "b.txt", "OUTSIDE\n");
    int swaps = 0;
    workspace->hooks().after_component = [&](const std::string &walked) {
        if (walked != "a" || swaps > 0)
            return;
        ++swaps;
        fs::rename(r + "/a", r + "/a_old");
        fs::create_symlink(outside.path(), r + "/a");
    };
    auto read = workspace->read_file("a/b.txt");
    ASSERT_EQ(swaps, 1);
    ASSERT_TRUE(read) << read.status().message();
    EXPECT_EQ(*read, "inside\n");

    // A write through the swapped path lands in the directory that was opened, not outside.
    swaps = 0;
    fs::remove(r + "/a");
    fs::rename(r + "/a_old", r + "/a");
    auto written = workspace->write_file("a/b.txt", "changed\n", false);
    ASSERT_EQ(swaps, 1);
    ASSERT_TRUE(written) << written.status().message();
    EXPECT_EQ(test::read_text(outside / "b.txt"), "OUTSIDE\n");
    EXPECT_EQ(test::read_text(r + "/a_old/b.txt"), "changed\n");
    workspace->hooks().after_component = nullptr;

    // Afterwards the symlink itself is refused like any other absolute link.
    auto again = workspace->read_file("a/b.txt");
    ASSERT_FALSE(again);
    EXPECT_NE(again.status().message().find("absolute path"), std::string::npos);
}

std::vector<std::string> names_in(const std::string &dir)
{
    std::vector<std::string> names;
    for (const auto &entry : fs::directory_iterator(dir))
        names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

TEST(AtomicWrite, InjectedFailureBeforeRenameLeavesTheOldFileAndNoTemporary)
{
    TempDir dir("glmdesk-atomic");
    test::write_text(dir / "file.txt", "old content\n");
    auto ws = Workspace::open(dir.path());
    ASSERT_TRUE(ws);
    std::string seen_temp;
    ws->hooks().before_rename = [&](const std::string &temp) {
        seen_temp = temp;
        // The temporary is complete at this point: the failure comes after the data is written.
        EXPECT_EQ(test::read_text(dir / temp), "new content\n");
        return Status(StatusCode::IoError, "injected failure");
    };
    auto r = ws->write_file("file.txt", "new content\n");
    ASSERT_FALSE(r);
    EXPECT_NE(r.status().message().find("injected failure"), std::string::npos);
    EXPECT_NE(r.status().message().find("'file.txt'"), std::string::npos);
    EXPECT_FALSE(seen_temp.empty());
    EXPECT_EQ(test::read_text(dir / "file.txt"), "old content\n");
    EXPECT_EQ(names_in(dir.path()), std::vector<std::string>{"file.txt"});

    ws->hooks().before_rename = nullptr;
    auto ok = ws->write_file("file.txt", "new content\n");
    ASSERT_TRUE(ok) << ok.status().message();
    ASSERT_TRUE(ok->old_content);
    EXPECT_EQ(*ok->old_content, "old content\n");
    EXPECT_EQ(test::read_text(dir / "file.txt"), "new content\n");
    EXPECT_EQ(names_in(dir.path()), std::vector<std::string>{"file.txt"});
}

// The disk fills up halfway through the temporary: a child process with RLIMIT_FSIZE of 4 KiB
// writes 64 KiB. write() fails with EFBIG; the old file must be intact and the temporary gone.
TEST(AtomicWrite, FileSizeLimitInAChildLeavesTheOldFileIntact)
{
    TempDir dir("glmdesk-fsize");
    const std::string old_text(1000, 'o');
    test::write_text(dir / "big.txt", old_text);
    auto ws = Workspace::open(dir.path());
    ASSERT_TRUE(ws);
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        ::signal(SIGXFSZ, SIG_IGN);
        rlimit limit{4096, 4096};
        ::setrlimit(RLIMIT_FSIZE, &limit);
        auto r = ws->write_file("big.txt", std::string(65536, 'n'));
        const bool refused =
            !r && r.status().message().find("File too large") != std::string::npos &&
            r.status().message().find("old file is unchanged") != std::string::npos;
        ::_exit(refused ? 0 : 1);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << "the child's write was not refused with EFBIG";
    EXPECT_EQ(test::read_text(dir / "big.txt"), old_text);
    EXPECT_EQ(names_in(dir.path()), std::vector<std::string>{"big.txt"});
}

TEST(AtomicWrite, KeepsTheModeAndCreatesParents)
{
    TempDir dir("glmdesk-mode");
    test::write_text(dir / "run.sh", "#!/bin/sh\n");
    ASSERT_EQ(::chmod((dir / "run.sh").c_str(), 0751), 0);
    auto ws = Workspace::open(dir.path());
    ASSERT_TRUE(ws);
    auto r = ws->write_file("run.sh", "#!/bin/sh\necho hi\n");
    ASSERT_TRUE(r) << r.status().message();
    struct stat st{};
    ASSERT_EQ(::stat((dir / "run.sh").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0751u);
    EXPECT_EQ(r->mode, 0751u);

    auto created = ws->write_file("new/deep/file.txt", "x\n");
    ASSERT_TRUE(created) << created.status().message();
    EXPECT_TRUE(created->created);
    EXPECT_EQ(created->relative, "new/deep/file.txt");
    EXPECT_EQ(test::read_text(dir / "new/deep/file.txt"), "x\n");

    auto no_parents = ws->write_file("other/file.txt", "x\n", false);
    ASSERT_FALSE(no_parents);
    EXPECT_EQ(no_parents.status().code(), StatusCode::NotFound);
}

TEST(AtomicWrite, SizeLimits)
{
    TempDir dir("glmdesk-limits");
    test::write_text(dir / "big.txt", std::string(2000, 'b'));
    WorkspaceLimits limits;
    limits.max_read_bytes = 1000;
    limits.max_write_bytes = 500;
    auto ws = Workspace::open(dir.path(), limits);
    ASSERT_TRUE(ws);
    auto read = ws->read_file("big.txt");
    ASSERT_FALSE(read);
    EXPECT_NE(read.status().message().find("2000 bytes; the limit is 1000"), std::string::npos)
        << read.status().message();
    auto write = ws->write_file("small.txt", std::string(501, 's'));
    ASSERT_FALSE(write);
    EXPECT_NE(write.status().message().find("501 bytes; the limit is 500"), std::string::npos)
        << write.status().message();
    EXPECT_FALSE(test::exists_no_follow(dir / "small.txt"));
}

TEST(WorkspaceOpen, RefusesMissingRoot)
{
    auto ws = Workspace::open("/nonexistent/glmdesk/project");
    ASSERT_FALSE(ws);
    EXPECT_EQ(ws.status().code(), StatusCode::NotFound);
    EXPECT_NE(ws.status().message().find("/nonexistent/glmdesk/project"), std::string::npos);
}

} // namespace
} // namespace glmdesk::tools
