// A project folder the model's tools may touch, and nothing outside it.
//
// The root is opened once (an O_PATH directory fd); every path the model gives is relative to it
// and is walked one component at a time with openat(..., O_PATH | O_NOFOLLOW) from the fd of the
// directory before it. Because each step starts from an fd we hold, renaming or swapping a
// directory for a symlink while we walk changes nothing: we keep reading the directory we opened
// (the tests swap one mid-walk through a hook). A single-component openat with O_NOFOLLOW and a
// name that is never "." or ".." cannot leave its directory, so openat2(RESOLVE_BENEATH) would add
// nothing here and the walk works on every kernel.
//
// Decisions (each one is a refusal with a message naming the path and the reason):
//   - path text: no NUL, valid UTF-8, no control characters, not absolute, no ".." component,
//     at most max_path_bytes in all and max_component_bytes per component. "." and empty
//     components ("a//b", "./a") are harmless and skipped.
//   - symlinks are followed only when their target is relative and, resolved against the
//     directory the link is in, stays inside the root at every step (a target's ".." pops one
//     level of the walk; popping past the root is an escape). Absolute targets are refused even
//     when they name a place inside the root: the root may move, and "/proc/self/..." magic links
//     are absolute. At most max_symlink_hops links per path (loops end there).
//   - writes never go through a symlink: a symlink as the last component of a write is refused.
//   - regular files with more than one hard link are refused for reading and writing: the other
//     name may be outside the project (a hard link to ~/.ssh/id_rsa reads the key) and we cannot
//     tell where it is. This also refuses hard-linked package stores (pnpm); the message says why.
//   - devices, FIFOs and sockets are refused (opening a FIFO blocks, a device has side effects);
//     the type is checked on the O_PATH fd before any real open, and the real open is verified to
//     be the same inode.
//   - nothing is written inside a ".git" directory (hooks and config there run programs the
//     next time the user runs git).
//   - not refused: mount points inside the root (they are part of the folder the user chose).
// Writes are atomic: a temporary file in the same directory, fsync, fchmod to the old mode,
// renameat over the old name, fsync of the directory; on any failure the temporary is removed and
// the old file is untouched. Owner and extended attributes of a replaced file are not kept.
#pragma once

#include "engine/common/status.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace glmdesk::tools {

using engine::Expected;
using engine::Status;
using engine::StatusCode;

// An owned file descriptor.
class Fd
{
public:
    Fd() = default;
    explicit Fd(int fd) : m_fd(fd) {}
    Fd(const Fd &) = delete;
    Fd &operator=(const Fd &) = delete;
    Fd(Fd &&other) noexcept : m_fd(other.release()) {}
    Fd &operator=(Fd &&other) noexcept;
    ~Fd();

    int get() const { return m_fd; }
    bool valid() const { return m_fd >= 0; }
    int release();
    void reset(int fd = -1);

private:
    int m_fd = -1;
};

struct WorkspaceLimits
{
    size_t max_path_bytes = 4096;
    size_t max_component_bytes = 255;
    int max_symlink_hops = 16;
    uint64_t max_read_bytes = uint64_t{8} << 20;  // a file larger than this is not read
    uint64_t max_write_bytes = uint64_t{8} << 20; // nor written
};

// Test hooks: deterministic races and injected failures. Production code leaves them empty.
struct WorkspaceHooks
{
    // Called after each directory component has been opened during a walk, with the physical
    // relative path walked so far ("a", "a/b").
    std::function<void(const std::string &walked)> after_component;
    // Called after the temporary file of an atomic write is written and synced, before the
    // rename; an error Status aborts the write.
    std::function<Status(const std::string &temp_name)> before_rename;
};

// A resolved object: its O_PATH fd, the fd of the directory holding it, its name in that
// directory, its physical path relative to the root and its stat.
struct ResolvedPath
{
    Fd fd;                // O_PATH, or invalid when the object does not exist (write targets)
    Fd parent;            // O_PATH directory fd
    std::string name;     // last component ("" for the root itself)
    std::string relative; // physical path from the root, "." for the root
    struct stat st{};
    bool exists = false;
};

struct WriteOutcome
{
    bool created = false; // the file did not exist before
    std::optional<std::string> old_content;
    mode_t mode = 0;
    std::string relative;
};

class Workspace
{
public:
    // Opens `root` (must be an existing directory). Its realpath is kept for messages.
    static Expected<Workspace> open(const std::string &root, WorkspaceLimits limits = {});

    Workspace(Workspace &&) noexcept = default;
    Workspace &operator=(Workspace &&) noexcept = default;

    const std::string &root_path() const { return m_root_path; }
    int root_fd() const { return m_root.get(); }
    const WorkspaceLimits &limits() const { return m_limits; }
    WorkspaceHooks &hooks() { return m_hooks; }

    // The path's components after the text checks ("." and empty ones dropped); empty for the
    // root. Refuses everything listed in the header comment about path text.
    Expected<std::vector<std::string>> split_path(std::string_view path) const;

    // Resolves an existing object, following symlinks that stay inside.
    Expected<ResolvedPath> resolve(std::string_view path) const;
    // Resolves an existing directory.
    Expected<ResolvedPath> resolve_directory(std::string_view path) const;
    // Resolves the target of a write: the parent must exist (or is created with
    // `create_parents`), the last component must not be a symlink, and an existing object must be
    // a regular file with one link. `exists` says whether it is there.
    Expected<ResolvedPath> resolve_for_write(std::string_view path, bool create_parents) const;

    // Reads a whole regular file (at most limits().max_read_bytes).
    Expected<std::string> read_file(std::string_view path) const;
    // Reads an already resolved regular file through its parent fd (same inode checked).
    Expected<std::string> read_resolved(const ResolvedPath &resolved, std::string_view shown) const;

    // Atomically replaces or creates a regular file. The old content comes back for the undo
    // journal and the diff.
    Expected<WriteOutcome> write_file(std::string_view path, std::string_view content,
                                      bool create_parents = true) const;
    // Removes a regular file (used by undo of a creation).
    Status remove_file(std::string_view path) const;

private:
    Workspace() = default;
    Status refuse(std::string_view path, StatusCode code, const std::string &reason) const;
    Expected<ResolvedPath> walk(std::string_view path, bool for_write, bool create_parents) const;

    Fd m_root;
    std::string m_root_path;
    WorkspaceLimits m_limits;
    WorkspaceHooks m_hooks;
};

// Writes `content` to a new temporary in `dir_fd`, syncs it and renames it over `name`.
// Exposed for the tests of the failure paths.
Status atomic_replace(int dir_fd, const std::string &name, std::string_view content, mode_t mode,
                      const WorkspaceHooks *hooks);

// "a\x01b" -> "a\\x01b": a name or text fragment safe to quote in a message.
std::string printable(std::string_view text, size_t max_bytes = 200);

// The file-type word for messages: "directory", "FIFO", "character device", ...
std::string_view file_type_name(mode_t mode);

} // namespace glmdesk::tools
