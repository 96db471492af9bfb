#include "app/tools/workspace.h"

#include "engine/common/utf8.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>

namespace glmdesk::tools {

namespace {

std::string errno_text(int err)
{
    return std::strerror(err);
}

std::string join(const std::vector<std::string> &names)
{
    if (names.empty())
        return ".";
    std::string out;
    for (const auto &name : names) {
        if (!out.empty())
            out += '/';
        out += name;
    }
    return out;
}

bool same_inode(const struct stat &a, const struct stat &b)
{
    return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

Fd dup_fd(int fd)
{
    return Fd(fcntl(fd, F_DUPFD_CLOEXEC, 0));
}

} // namespace

// ------------------------------------------------------------------------------------------ Fd

Fd &Fd::operator=(Fd &&other) noexcept
{
    if (this != &other)
        reset(other.release());
    return *this;
}

Fd::~Fd()
{
    reset();
}

int Fd::release()
{
    const int fd = m_fd;
    m_fd = -1;
    return fd;
}

void Fd::reset(int fd)
{
    if (m_fd >= 0)
        ::close(m_fd);
    m_fd = fd;
}

// ------------------------------------------------------------------------------------- helpers

std::string printable(std::string_view text, size_t max_bytes)
{
    std::string out;
    static const char hex[] = "0123456789abcdef";
    size_t i = 0;
    while (i < text.size() && out.size() < max_bytes) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x20 || c == 0x7f) {
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 15];
            ++i;
            continue;
        }
        if (c < 0x80) {
            out += static_cast<char>(c);
            ++i;
            continue;
        }
        const auto scan = engine::utf8::scan_sequence(text.substr(i));
        if (scan.kind == engine::utf8::SequenceKind::Complete) {
            out.append(text.substr(i, scan.length));
            i += scan.length;
        } else {
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 15];
            ++i;
        }
    }
    if (i < text.size())
        out += "...";
    return out;
}

std::string_view file_type_name(mode_t mode)
{
    if (S_ISREG(mode))
        return "regular file";
    if (S_ISDIR(mode))
        return "directory";
    if (S_ISLNK(mode))
        return "symlink";
    if (S_ISFIFO(mode))
        return "FIFO";
    if (S_ISSOCK(mode))
        return "socket";
    if (S_ISCHR(mode))
        return "character device";
    if (S_ISBLK(mode))
        return "block device";
    return "special file";
}

// ----------------------------------------------------------------------------------- Workspace

Expected<Workspace> Workspace::open(const std::string &root, WorkspaceLimits limits)
{
    if (root.empty() || root.find('\0') != std::string::npos)
        return Status(StatusCode::InvalidArgument, "project folder: empty or contains a NUL byte");
    char *real = ::realpath(root.c_str(), nullptr);
    if (real == nullptr) {
        const int err = errno;
        return Status(err == ENOENT ? StatusCode::NotFound : StatusCode::IoError,
                      "project folder '" + printable(root) + "': " + errno_text(err));
    }
    std::string real_path(real);
    std::free(real);
    Fd fd(::open(real_path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!fd.valid()) {
        const int err = errno;
        return Status(StatusCode::IoError, "project folder '" + printable(real_path) +
                                               "': cannot open as a directory: " + errno_text(err));
    }
    Workspace ws;
    ws.m_root = std::move(fd);
    ws.m_root_path = std::move(real_path);
    ws.m_limits = limits;
    return ws;
}

Status Workspace::refuse(std::string_view path, StatusCode code, const std::string &reason) const
{
    return Status(code, "'" + printable(path) + "': " + reason);
}

Expected<std::vector<std::string>> Workspace::split_path(std::string_view path) const
{
    if (path.empty())
        return refuse(path, StatusCode::InvalidArgument,
                      "empty path (use \".\" for the project root)");
    if (path.find('\0') != std::string_view::npos)
        return refuse(path, StatusCode::InvalidArgument, "the path contains a NUL byte");
    if (path.size() > m_limits.max_path_bytes)
        return refuse(path, StatusCode::InvalidArgument,
                      "the path is " + std::to_string(path.size()) + " bytes long; the limit is " +
                          std::to_string(m_limits.max_path_bytes));
    if (!engine::utf8::is_valid(path))
        return refuse(path, StatusCode::InvalidArgument, "the path is not valid UTF-8");
    for (const char c : path) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f)
            return refuse(path, StatusCode::InvalidArgument,
                          "the path contains a control character");
    }
    if (path.front() == '/')
        return refuse(path, StatusCode::InvalidArgument,
                      "absolute paths are not allowed; give a path relative to the project root");
    std::vector<std::string> parts;
    size_t start = 0;
    while (start <= path.size()) {
        size_t end = path.find('/', start);
        if (end == std::string_view::npos)
            end = path.size();
        const std::string_view part = path.substr(start, end - start);
        if (part == "..")
            return refuse(path, StatusCode::InvalidArgument,
                          "\"..\" components are not allowed; paths stay inside the project root");
        if (part.size() > m_limits.max_component_bytes)
            return refuse(path, StatusCode::InvalidArgument,
                          "a path component is " + std::to_string(part.size()) +
                              " bytes long; the limit is " +
                              std::to_string(m_limits.max_component_bytes));
        if (!part.empty() && part != ".")
            parts.emplace_back(part);
        start = end + 1;
    }
    return parts;
}

Expected<ResolvedPath> Workspace::walk(std::string_view path, bool for_write,
                                       bool create_parents) const
{
    auto split = split_path(path);
    if (!split)
        return split.status();
    std::deque<std::string> queue(split->begin(), split->end());
    if (queue.empty() && for_write)
        return refuse(path, StatusCode::InvalidArgument, "is the project root, not a file");

    // dirs[i] is the directory at physical depth i; names[i-1] its name in dirs[i-1].
    std::vector<Fd> dirs;
    dirs.push_back(dup_fd(m_root.get()));
    if (!dirs.back().valid())
        return refuse(path, StatusCode::IoError,
                      "cannot duplicate the root fd: " + errno_text(errno));
    std::vector<std::string> names;
    int hops = 0;
    ResolvedPath leaf;
    bool have_leaf = false;

    while (!queue.empty()) {
        std::string name = std::move(queue.front());
        queue.pop_front();
        const bool last = queue.empty();
        if (name.empty() || name == ".")
            continue;
        if (name == "..") {
            // Only symlink targets bring ".." here: the path text refuses it.
            if (names.empty())
                return refuse(path, StatusCode::InvalidArgument,
                              "a symlink on the way leads outside the project root");
            dirs.pop_back();
            names.pop_back();
            continue;
        }
        const int dir = dirs.back().get();
        Fd fd(::openat(dir, name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
        if (!fd.valid()) {
            const int err = errno;
            const std::string where = join(names);
            if (err == ENOENT && last && for_write) {
                leaf.parent = dup_fd(dir);
                leaf.name = name;
                names.push_back(name);
                leaf.relative = join(names);
                leaf.exists = false;
                return leaf;
            }
            if (err == ENOENT && !last && for_write && create_parents) {
                if (::mkdirat(dir, name.c_str(), 0755) != 0 && errno != EEXIST)
                    return refuse(path, StatusCode::IoError,
                                  "cannot create directory '" + printable(name) + "' in '" +
                                      printable(where) + "': " + errno_text(errno));
                queue.push_front(std::move(name));
                continue;
            }
            if (err == ENOENT)
                return refuse(path, StatusCode::NotFound,
                              "does not exist (no '" + printable(name) + "' in '" +
                                  printable(where) + "')");
            return refuse(path, StatusCode::IoError,
                          "cannot open '" + printable(name) + "' in '" + printable(where) +
                              "': " + errno_text(err));
        }
        struct stat st{};
        if (::fstat(fd.get(), &st) != 0)
            return refuse(path, StatusCode::IoError,
                          "cannot stat '" + printable(name) + "': " + errno_text(errno));
        if (S_ISLNK(st.st_mode)) {
            if (last && for_write)
                return refuse(path, StatusCode::InvalidArgument,
                              "is a symlink; writes do not go through symlinks");
            if (++hops > m_limits.max_symlink_hops)
                return refuse(path, StatusCode::InvalidArgument,
                              "more than " + std::to_string(m_limits.max_symlink_hops) +
                                  " symlinks on the way (a symlink loop?)");
            std::string target(PATH_MAX + 1, '\0');
            const ssize_t n = ::readlinkat(fd.get(), "", target.data(), target.size());
            if (n < 0)
                return refuse(path, StatusCode::IoError,
                              "cannot read symlink '" + printable(name) +
                                  "': " + errno_text(errno));
            if (static_cast<size_t>(n) >= target.size())
                return refuse(path, StatusCode::InvalidArgument,
                              "symlink '" + printable(name) + "' has an overlong target");
            target.resize(static_cast<size_t>(n));
            if (target.empty())
                return refuse(path, StatusCode::InvalidArgument,
                              "symlink '" + printable(name) + "' has an empty target");
            if (target.front() == '/')
                return refuse(path, StatusCode::InvalidArgument,
                              "symlink '" + printable(name) + "' points to the absolute path '" +
                                  printable(target) +
                                  "'; only relative symlinks that stay inside the project are "
                                  "followed");
            std::vector<std::string> parts;
            size_t start = 0;
            while (start <= target.size()) {
                size_t end = target.find('/', start);
                if (end == std::string::npos)
                    end = target.size();
                parts.push_back(target.substr(start, end - start));
                start = end + 1;
            }
            for (auto it = parts.rbegin(); it != parts.rend(); ++it)
                queue.push_front(std::move(*it));
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            if (last && for_write)
                return refuse(path, StatusCode::InvalidArgument, "is a directory, not a file");
            dirs.push_back(std::move(fd));
            names.push_back(std::move(name));
            if (m_hooks.after_component)
                m_hooks.after_component(join(names));
            continue;
        }
        if (!last)
            return refuse(path, StatusCode::InvalidArgument,
                          "'" + printable(join(names) + "/" + name) + "' is a " +
                              std::string(file_type_name(st.st_mode)) + ", not a directory");
        if (!S_ISREG(st.st_mode))
            return refuse(path, StatusCode::InvalidArgument,
                          "is a " + std::string(file_type_name(st.st_mode)) +
                              "; only regular files and directories are used");
        if (for_write && st.st_nlink > 1)
            return refuse(path, StatusCode::InvalidArgument,
                          "has " + std::to_string(st.st_nlink) +
                              " hard links; another link may be outside the project, so it is "
                              "not written");
        leaf.fd = std::move(fd);
        leaf.parent = dup_fd(dir);
        leaf.name = name;
        names.push_back(std::move(name));
        leaf.relative = join(names);
        leaf.st = st;
        leaf.exists = true;
        have_leaf = true;
    }
    if (have_leaf)
        return leaf;
    if (for_write)
        return refuse(path, StatusCode::InvalidArgument, "is a directory, not a file");
    // The path named a directory (possibly the root): the top of the stack.
    ResolvedPath out;
    if (::fstat(dirs.back().get(), &out.st) != 0)
        return refuse(path, StatusCode::IoError, "cannot stat: " + errno_text(errno));
    out.fd = std::move(dirs.back());
    if (!names.empty()) {
        out.name = names.back();
        out.parent = std::move(dirs[dirs.size() - 2]);
    }
    out.relative = join(names);
    out.exists = true;
    return out;
}

Expected<ResolvedPath> Workspace::resolve(std::string_view path) const
{
    return walk(path, false, false);
}

Expected<ResolvedPath> Workspace::resolve_directory(std::string_view path) const
{
    auto r = walk(path, false, false);
    if (!r)
        return r;
    if (!S_ISDIR(r->st.st_mode))
        return refuse(path, StatusCode::InvalidArgument,
                      "is a " + std::string(file_type_name(r->st.st_mode)) + ", not a directory");
    return r;
}

namespace {

bool has_git_component(const std::vector<std::string> &parts)
{
    return std::find(parts.begin(), parts.end(), ".git") != parts.end();
}

} // namespace

Expected<ResolvedPath> Workspace::resolve_for_write(std::string_view path,
                                                    bool create_parents) const
{
    // .git/hooks and .git/config run programs the next time the user runs git: no tool writes
    // there. Checked on the text (before any parent is created) and on the physical path.
    static const std::string reason =
        "is inside .git; files there (hooks, config) run programs, so tools do not write them";
    auto parts = split_path(path);
    if (!parts)
        return parts.status();
    if (has_git_component(*parts))
        return refuse(path, StatusCode::InvalidArgument, reason);
    auto r = walk(path, true, create_parents);
    if (!r)
        return r;
    std::vector<std::string> physical;
    size_t start = 0;
    while (start <= r->relative.size()) {
        size_t end = r->relative.find('/', start);
        if (end == std::string::npos)
            end = r->relative.size();
        physical.push_back(r->relative.substr(start, end - start));
        start = end + 1;
    }
    if (has_git_component(physical))
        return refuse(path, StatusCode::InvalidArgument, reason);
    return r;
}

Expected<std::string> Workspace::read_resolved(const ResolvedPath &resolved,
                                               std::string_view shown) const
{
    if (!S_ISREG(resolved.st.st_mode))
        return refuse(shown, StatusCode::InvalidArgument,
                      "is a " + std::string(file_type_name(resolved.st.st_mode)) +
                          ", not a regular file");
    if (resolved.st.st_nlink > 1)
        return refuse(shown, StatusCode::InvalidArgument,
                      "has " + std::to_string(resolved.st.st_nlink) +
                          " hard links; another link may be outside the project, so it is not "
                          "read");
    if (static_cast<uint64_t>(resolved.st.st_size) > m_limits.max_read_bytes)
        return refuse(shown, StatusCode::InvalidArgument,
                      "is " + std::to_string(resolved.st.st_size) + " bytes; the limit is " +
                          std::to_string(m_limits.max_read_bytes));
    // O_NONBLOCK: if the name was swapped for a FIFO after the check, open must not hang.
    Fd fd(::openat(resolved.parent.get(), resolved.name.c_str(),
                   O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
    if (!fd.valid())
        return refuse(shown, StatusCode::IoError, "cannot open: " + errno_text(errno));
    struct stat st{};
    if (::fstat(fd.get(), &st) != 0 || !same_inode(st, resolved.st) || !S_ISREG(st.st_mode))
        return refuse(shown, StatusCode::IoError, "changed while it was being opened");
    std::string data;
    const uint64_t limit = m_limits.max_read_bytes;
    data.reserve(static_cast<size_t>(st.st_size));
    char buffer[65536];
    for (;;) {
        const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return refuse(shown, StatusCode::IoError, "read failed: " + errno_text(errno));
        }
        if (n == 0)
            break;
        data.append(buffer, static_cast<size_t>(n));
        if (data.size() > limit)
            return refuse(shown, StatusCode::InvalidArgument,
                          "grew past the read limit of " + std::to_string(limit) + " bytes");
    }
    return data;
}

Expected<std::string> Workspace::read_file(std::string_view path) const
{
    auto r = resolve(path);
    if (!r)
        return r.status();
    return read_resolved(*r, path);
}

Expected<WriteOutcome> Workspace::write_file(std::string_view path, std::string_view content,
                                             bool create_parents) const
{
    if (content.size() > m_limits.max_write_bytes)
        return refuse(path, StatusCode::InvalidArgument,
                      "the new content is " + std::to_string(content.size()) +
                          " bytes; the limit is " + std::to_string(m_limits.max_write_bytes));
    auto r = resolve_for_write(path, create_parents);
    if (!r)
        return r.status();
    WriteOutcome out;
    out.relative = r->relative;
    out.created = !r->exists;
    out.mode = 0644;
    if (r->exists) {
        auto old = read_resolved(*r, path);
        if (!old)
            return old.status();
        out.old_content = std::move(*old);
        out.mode = r->st.st_mode & 07777;
    }
    Status s = atomic_replace(r->parent.get(), r->name, content, out.mode, &m_hooks);
    if (!s.ok())
        return std::move(s).with_context("'" + printable(path) + "'");
    return out;
}

Status Workspace::remove_file(std::string_view path) const
{
    auto r = resolve_for_write(path, false);
    if (!r)
        return r.status();
    if (!r->exists)
        return refuse(path, StatusCode::NotFound, "does not exist");
    if (::unlinkat(r->parent.get(), r->name.c_str(), 0) != 0)
        return refuse(path, StatusCode::IoError, "cannot remove: " + errno_text(errno));
    return Status::success();
}

// ------------------------------------------------------------------------------- atomic write

Status atomic_replace(int dir_fd, const std::string &name, std::string_view content, mode_t mode,
                      const WorkspaceHooks *hooks)
{
    static std::atomic<uint64_t> counter{0};
    const auto now =
        static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
    Fd fd;
    std::string temp;
    for (int attempt = 0; attempt < 16 && !fd.valid(); ++attempt) {
        char suffix[40];
        std::snprintf(suffix, sizeof suffix, ".glmdesk-%x-%llx", static_cast<unsigned>(getpid()),
                      static_cast<unsigned long long>((now + counter.fetch_add(1)) & 0xffffffffu));
        // Hidden, in the same directory (rename must not cross filesystems), under NAME_MAX.
        temp = "." + name.substr(0, 200) + suffix;
        fd.reset(::openat(dir_fd, temp.c_str(),
                          O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
        if (!fd.valid() && errno != EEXIST)
            return Status(StatusCode::IoError,
                          "cannot create a temporary file next to it: " + errno_text(errno));
    }
    if (!fd.valid())
        return Status(StatusCode::IoError, "cannot create a unique temporary file next to it");

    auto fail = [&](const std::string &what, int err) {
        fd.reset();
        ::unlinkat(dir_fd, temp.c_str(), 0);
        std::string reason = what + ": " + errno_text(err);
        if (err == ENOSPC || err == EDQUOT || err == EFBIG)
            reason += " (the old file is unchanged)";
        return Status(StatusCode::IoError, reason);
    };
    size_t done = 0;
    while (done < content.size()) {
        const ssize_t n = ::write(fd.get(), content.data() + done, content.size() - done);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return fail("write failed", errno);
        }
        done += static_cast<size_t>(n);
    }
    if (::fchmod(fd.get(), mode) != 0)
        return fail("cannot set the file mode", errno);
    if (::fsync(fd.get()) != 0)
        return fail("fsync failed", errno);
    if (::close(fd.release()) != 0)
        return fail("close failed", errno);
    if (hooks != nullptr && hooks->before_rename) {
        Status s = hooks->before_rename(temp);
        if (!s.ok()) {
            ::unlinkat(dir_fd, temp.c_str(), 0);
            return s;
        }
    }
    if (::renameat(dir_fd, temp.c_str(), dir_fd, name.c_str()) != 0)
        return fail("rename over the old file failed", errno);
    // The rename is durable once the directory is synced; a failure here loses nothing now.
    Fd dir(::openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir.valid())
        ::fsync(dir.get());
    return Status::success();
}

} // namespace glmdesk::tools
