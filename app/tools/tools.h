// The code-assistant tools GLM-4.5 may call on a project folder, without any UI: declarations in
// the form engine/chat renders into the prompt's tools section, a dispatcher from a parsed
// ToolCallEvent to a ToolResult (the observation text for the model, plus a unified diff for
// writes), a preview of that diff for the approval card before anything is written, and an undo
// journal for the writes.
//
// Qt-free on purpose: the approval card (ui/tools) and the tool runner thread pool (app/) call it,
// and it is tested without a display. Names follow the engine's style (snake_case) because the
// library is built with the engine's types (Status, Expected, Json, ToolDefinition).
//
// Every path goes through Workspace (see workspace.h for what is refused and why); the runner
// keeps a reference to it, so the Workspace must outlive the runner. run_command is not confined
// beyond its working directory: approval is its guard. It never goes through a shell, and argv
// that starts one is refused unless ToolRunnerOptions::allow_shell.
// git runs with core.fsmonitor off and without pager, external diff or textconv, so a hostile
// repository config cannot run programs through git_status or git_diff.
#pragma once

#include "app/tools/process.h"
#include "app/tools/workspace.h"
#include "engine/chat/conversation.h"
#include "engine/chat/output_parser.h"

#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace glmdesk::tools {

using engine::Json;

// Approval defaults: read-only tools may be auto-allowed; mutating ones ask.
enum class ToolAccess { ReadOnly, Mutating };

struct ToolResult
{
    bool ok = false;
    std::string text;                // the observation for the model (also on failure)
    std::optional<std::string> diff; // write_file / edit_file: the unified diff of the change
    std::string error;               // empty when ok
    std::optional<uint64_t> undo_id; // write_file / edit_file: UndoJournal entry
};

// The previous content of every file a tool wrote, so the UI can undo a write. An undo is refused
// when the file changed since that write (undo the later writes first, or the user edited it):
// restoring would silently lose those changes. Bounded by max_bytes (oldest entries go first).
// Thread-safe.
class UndoJournal
{
public:
    struct EntryInfo
    {
        uint64_t id = 0;
        std::string path; // relative to the project root
        std::string tool; // "write_file", "edit_file"
        bool created = false;
    };

    explicit UndoJournal(size_t max_bytes = size_t{64} << 20) : m_max_bytes(max_bytes) {}

    uint64_t record(std::string path, std::string tool, std::optional<std::string> before,
                    std::string after, mode_t mode);
    std::vector<EntryInfo> entries() const; // oldest first
    // Restores the content before entry `id` (removes the file if that write created it) and
    // drops the entry. Returns the unified diff of the undo.
    Expected<std::string> undo(const Workspace &workspace, uint64_t id);
    Expected<std::string> undo_last(const Workspace &workspace);

private:
    struct Entry
    {
        EntryInfo info;
        std::optional<std::string> before;
        std::string after;
        mode_t mode = 0644;
    };
    size_t bytes_of(const Entry &entry) const;

    mutable std::mutex m_mutex;
    std::deque<Entry> m_entries;
    size_t m_bytes = 0;
    size_t m_max_bytes;
    uint64_t m_next_id = 1;
};

struct ToolRunnerOptions
{
    std::chrono::milliseconds command_timeout{60000}; // run_command default
    std::chrono::milliseconds max_command_timeout{600000};
    size_t max_command_output = size_t{64} << 10; // per stream
    size_t max_read_output = size_t{256} << 10;   // read_file text
    size_t max_list_entries = 1000;
    size_t default_search_results = 100;
    size_t max_search_results = 1000;
    size_t max_search_files = 20000;
    uint64_t max_search_bytes = uint64_t{256} << 20; // bytes read by one search
    uint64_t max_search_file_bytes = uint64_t{4} << 20;
    size_t max_match_line_bytes = 240;
    std::string git = "git";
    // run_command refuses argv that starts a shell (see uses_shell) unless the user allowed it.
    bool allow_shell = false;
};

// The tool table: name, description, JSON schema of the arguments.
std::vector<engine::ToolDefinition> tool_definitions(bool include_git);
std::optional<ToolAccess> tool_access(std::string_view name);

// Whether argv runs a shell: argv[0] (or the program after `env` and its NAME=value and option
// arguments) is sh, bash, dash, zsh, ksh, mksh, fish, csh, tcsh or busybox. A convenience for the
// "no shell unless allowed" setting and for the approval card to flag; not a sandbox (python -c
// is as powerful as sh -c; the approval is the guard).
bool uses_shell(const std::vector<std::string> &argv);

class ToolRunner
{
public:
    ToolRunner(const Workspace &workspace, UndoJournal &journal, ToolRunnerOptions options = {});

    // The declarations for the prompt; git_status/git_diff only when the folder is in a repository.
    std::vector<engine::ToolDefinition> definitions() const;
    bool is_git_repository() const;

    // Runs one call. Never throws; bad arguments and refused paths come back as ok=false with an
    // error the model can act on. `cancel` stops run_command (and a long search).
    ToolResult execute(const engine::ToolCallEvent &call, const CancelToken *cancel = nullptr);
    ToolResult execute(std::string_view name, const Json &arguments,
                       const CancelToken *cancel = nullptr);

    // The diff write_file / edit_file would make, computed without writing: for the approval card.
    Expected<std::string> preview_diff(const engine::ToolCallEvent &call) const;

private:
    struct PlannedWrite
    {
        std::string path;     // as given
        std::string relative; // physical, for the diff header
        std::optional<std::string> before;
        std::string after;
        std::string summary;
    };
    Expected<PlannedWrite> plan_write(std::string_view name, const Json &arguments) const;

    ToolResult list_directory(const Json &arguments) const;
    ToolResult read_file(const Json &arguments) const;
    ToolResult search_text(const Json &arguments, const CancelToken *cancel) const;
    ToolResult write_or_edit(std::string_view name, const Json &arguments);
    ToolResult run_command(const Json &arguments, const CancelToken *cancel) const;
    ToolResult git(std::string_view name, const Json &arguments, const CancelToken *cancel) const;

    const Workspace &m_workspace;
    UndoJournal &m_journal;
    ToolRunnerOptions m_options;
};

} // namespace glmdesk::tools
