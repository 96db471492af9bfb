#include "app/tools/tools.h"

#include "app/tools/gitignore.h"
#include "app/tools/line_diff.h"
#include "engine/common/utf8.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

namespace glmdesk::tools {

using engine::ToolDefinition;

// ------------------------------------------------------------------------------- declarations

namespace {

Json string_param(std::string_view description)
{
    Json p = Json::object();
    p["type"] = "string";
    p["description"] = description;
    return p;
}

Json typed_param(std::string_view type, std::string_view description)
{
    Json p = Json::object();
    p["type"] = type;
    p["description"] = description;
    return p;
}

Json schema(Json properties, std::vector<std::string> required)
{
    Json s = Json::object();
    s["type"] = "object";
    s["properties"] = std::move(properties);
    s["required"] = Json::array();
    for (auto &r : required)
        s["required"].push_back(std::move(r));
    return s;
}

} // namespace

std::vector<ToolDefinition> tool_definitions(bool include_git)
{
    std::vector<ToolDefinition> tools;
    {
        Json props = Json::object();
        props["path"] = string_param("Directory relative to the project root; \".\" for the root.");
        tools.push_back(ToolDefinition::make(
            "list_directory",
            "List the entries of a directory in the project: subdirectories end with \"/\", files "
            "show their size, symlinks their target.",
            schema(std::move(props), {})));
    }
    {
        Json props = Json::object();
        props["path"] = string_param("File path relative to the project root.");
        props["start_line"] = typed_param("integer", "First line to return (1-based). Optional.");
        props["end_line"] = typed_param("integer", "Last line to return (inclusive). Optional.");
        tools.push_back(ToolDefinition::make(
            "read_file",
            "Read a text file of the project, whole or a range of lines. Binary files are refused.",
            schema(std::move(props), {"path"})));
    }
    {
        Json props = Json::object();
        props["pattern"] = string_param("Regular expression (PCRE2 syntax), matched per line.");
        props["path"] = string_param("Directory or file to search, relative to the project root; "
                                     "default \".\".");
        props["include"] =
            string_param("Only files whose name matches this glob, e.g. \"*.cpp\". Optional.");
        props["case_insensitive"] = typed_param("boolean", "Ignore case. Default false.");
        props["max_results"] = typed_param("integer", "Most matching lines to return (default "
                                                      "100).");
        tools.push_back(ToolDefinition::make(
            "search_text",
            "Search the project's text files for a regular expression, honouring .gitignore and "
            "skipping binary files. Returns path:line: text for each matching line.",
            schema(std::move(props), {"pattern"})));
    }
    {
        Json props = Json::object();
        props["path"] = string_param("File path relative to the project root.");
        props["content"] = string_param("The complete new content of the file.");
        tools.push_back(ToolDefinition::make(
            "write_file",
            "Create a file or replace its whole content. Missing parent directories are created.",
            schema(std::move(props), {"path", "content"})));
    }
    {
        Json props = Json::object();
        props["path"] = string_param("File path relative to the project root.");
        props["old_text"] = string_param(
            "Exact text to replace, including whitespace and indentation; it must occur exactly "
            "once unless replace_all is true.");
        props["new_text"] = string_param("The replacement text.");
        props["replace_all"] =
            typed_param("boolean", "Replace every occurrence of old_text. Default false.");
        tools.push_back(ToolDefinition::make(
            "edit_file", "Edit a file by exact search and replace. Returns the diff of the change.",
            schema(std::move(props), {"path", "old_text", "new_text"})));
    }
    {
        Json props = Json::object();
        Json argv = Json::object();
        argv["type"] = "array";
        argv["items"] = Json{{"type", "string"}};
        argv["description"] = "Program and arguments, e.g. [\"make\", \"-j4\"]. No shell is used: "
                              "no pipes, redirections or globbing.";
        props["argv"] = std::move(argv);
        props["timeout_seconds"] =
            typed_param("integer", "Kill the command after this many seconds (default 60).");
        tools.push_back(ToolDefinition::make(
            "run_command", "Run a program in the project root and return its exit code and output.",
            schema(std::move(props), {"argv"})));
    }
    if (include_git) {
        tools.push_back(ToolDefinition::make(
            "git_status", "Show the git status of the project (short format, with the branch).",
            schema(Json::object(), {})));
        Json props = Json::object();
        props["staged"] =
            typed_param("boolean", "Show staged changes instead of unstaged ones. Default false.");
        props["path"] = string_param("Limit the diff to this path. Optional.");
        tools.push_back(ToolDefinition::make("git_diff", "Show the git diff of the project.",
                                             schema(std::move(props), {})));
    }
    return tools;
}

std::optional<ToolAccess> tool_access(std::string_view name)
{
    if (name == "list_directory" || name == "read_file" || name == "search_text" ||
        name == "git_status" || name == "git_diff")
        return ToolAccess::ReadOnly;
    if (name == "write_file" || name == "edit_file" || name == "run_command")
        return ToolAccess::Mutating;
    return std::nullopt;
}

// ---------------------------------------------------------------------------------- arguments

namespace {

// The output parser types values by the schema, but a model may still send "5" for an integer
// or "true" for a boolean; both are accepted.
class Args
{
public:
    Args(std::string_view tool, const Json &json) : m_tool(tool), m_json(json) {}

    Status check(std::initializer_list<std::string_view> allowed) const
    {
        if (!m_json.is_object())
            return fail("the arguments must be an object of named parameters");
        for (const auto &item : m_json.items()) {
            if (std::find(allowed.begin(), allowed.end(), item.key()) == allowed.end()) {
                std::string names;
                for (auto a : allowed)
                    names += (names.empty() ? "" : ", ") + std::string(a);
                return fail("unknown parameter '" + printable(item.key()) + "' (parameters: " +
                            (names.empty() ? std::string("none") : names) + ")");
            }
        }
        return Status::success();
    }

    Expected<std::string> string(std::string_view key, std::optional<std::string> fallback) const
    {
        const auto it = m_json.find(key);
        if (it == m_json.end() || it->is_null()) {
            if (fallback)
                return *fallback;
            return fail("missing required parameter '" + std::string(key) + "'");
        }
        if (!it->is_string())
            return fail("parameter '" + std::string(key) + "' must be a string");
        return it->get<std::string>();
    }

    Expected<std::optional<long long>> integer(std::string_view key) const
    {
        const auto it = m_json.find(key);
        if (it == m_json.end() || it->is_null())
            return std::optional<long long>();
        if (it->is_number_integer())
            return std::optional<long long>(it->get<long long>());
        if (it->is_number_float()) {
            const double v = it->get<double>();
            if (v == static_cast<double>(static_cast<long long>(v)))
                return std::optional<long long>(static_cast<long long>(v));
        }
        if (it->is_string()) {
            const std::string text = it->get<std::string>();
            char *end = nullptr;
            errno = 0;
            const long long v = std::strtoll(text.c_str(), &end, 10);
            if (!text.empty() && end != nullptr && *end == '\0' && errno == 0)
                return std::optional<long long>(v);
        }
        return fail("parameter '" + std::string(key) + "' must be an integer");
    }

    Expected<bool> boolean(std::string_view key, bool fallback) const
    {
        const auto it = m_json.find(key);
        if (it == m_json.end() || it->is_null())
            return fallback;
        if (it->is_boolean())
            return it->get<bool>();
        if (it->is_string() && (*it == "true" || *it == "false"))
            return *it == "true";
        return fail("parameter '" + std::string(key) + "' must be true or false");
    }

    Status fail(const std::string &message) const
    {
        return Status(StatusCode::InvalidArgument, std::string(m_tool) + ": " + message);
    }

private:
    std::string_view m_tool;
    const Json &m_json;
};

ToolResult failure(const Status &status)
{
    ToolResult result;
    result.ok = false;
    result.error = status.message();
    result.text = "Error: " + status.message();
    return result;
}

ToolResult success(std::string text)
{
    ToolResult result;
    result.ok = true;
    result.text = std::move(text);
    return result;
}

// Git's heuristic: a NUL byte in the first 8000 bytes means binary.
bool looks_binary(std::string_view data)
{
    return data.substr(0, 8000).find('\0') != std::string_view::npos;
}

// Valid UTF-8 of at most max_bytes, cut at a character boundary.
std::string clip_utf8(std::string_view text, size_t max_bytes)
{
    std::string clean = engine::utf8::replace_invalid(text);
    if (clean.size() <= max_bytes)
        return clean;
    size_t cut = max_bytes;
    while (cut > 0 && (static_cast<unsigned char>(clean[cut]) & 0xC0) == 0x80)
        --cut;
    clean.resize(cut);
    return clean + "...";
}

bool name_is_clean(std::string_view name)
{
    if (!engine::utf8::is_valid(name))
        return false;
    return std::none_of(name.begin(), name.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u < 0x20 || u == 0x7f;
    });
}

std::string join_path(const std::string &dir, const std::string &name)
{
    return dir.empty() || dir == "." ? name : dir + "/" + name;
}

size_t count_occurrences(std::string_view haystack, std::string_view needle,
                         std::vector<size_t> *positions)
{
    size_t count = 0;
    size_t at = haystack.find(needle);
    while (at != std::string_view::npos) {
        ++count;
        if (positions != nullptr)
            positions->push_back(at);
        at = haystack.find(needle, at + needle.size());
    }
    return count;
}

size_t line_of(std::string_view text, size_t offset)
{
    return 1 + static_cast<size_t>(std::count(
                   text.begin(), text.begin() + static_cast<std::ptrdiff_t>(offset), '\n'));
}

struct DirCloser
{
    void operator()(DIR *dir) const { ::closedir(dir); }
};
using DirPtr = std::unique_ptr<DIR, DirCloser>;

// Opens a directory for reading from an fd (O_PATH is fine) and lists its names, sorted.
Expected<std::vector<std::string>> read_names(int dir_fd, std::string_view shown)
{
    const int fd = ::openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return Status(StatusCode::IoError,
                      "'" + printable(shown) + "': cannot list: " + std::strerror(errno));
    DirPtr dir(::fdopendir(fd));
    if (!dir) {
        ::close(fd);
        return Status(StatusCode::IoError,
                      "'" + printable(shown) + "': cannot list: " + std::strerror(errno));
    }
    std::vector<std::string> names;
    while (const dirent *entry = ::readdir(dir.get())) {
        const std::string_view name(entry->d_name);
        if (name == "." || name == "..")
            continue;
        names.emplace_back(name);
    }
    std::sort(names.begin(), names.end());
    return names;
}

} // namespace

// --------------------------------------------------------------------------------- UndoJournal

size_t UndoJournal::bytes_of(const Entry &entry) const
{
    return entry.after.size() + (entry.before ? entry.before->size() : 0) + entry.info.path.size();
}

uint64_t UndoJournal::record(std::string path, std::string tool, std::optional<std::string> before,
                             std::string after, mode_t mode)
{
    std::lock_guard lock(m_mutex);
    Entry entry;
    entry.info.id = m_next_id++;
    entry.info.path = std::move(path);
    entry.info.tool = std::move(tool);
    entry.info.created = !before.has_value();
    entry.before = std::move(before);
    entry.after = std::move(after);
    entry.mode = mode;
    m_bytes += bytes_of(entry);
    const uint64_t id = entry.info.id;
    m_entries.push_back(std::move(entry));
    while (m_bytes > m_max_bytes && m_entries.size() > 1) {
        m_bytes -= bytes_of(m_entries.front());
        m_entries.pop_front();
    }
    return id;
}

std::vector<UndoJournal::EntryInfo> UndoJournal::entries() const
{
    std::lock_guard lock(m_mutex);
    std::vector<EntryInfo> out;
    out.reserve(m_entries.size());
    for (const auto &entry : m_entries)
        out.push_back(entry.info);
    return out;
}

Expected<std::string> UndoJournal::undo(const Workspace &workspace, uint64_t id)
{
    std::lock_guard lock(m_mutex);
    const auto it = std::find_if(m_entries.begin(), m_entries.end(),
                                 [id](const Entry &e) { return e.info.id == id; });
    if (it == m_entries.end())
        return Status(StatusCode::NotFound,
                      "undo: no journal entry " + std::to_string(id) +
                          " (already undone, or dropped to keep the journal small)");
    const std::string &path = it->info.path;
    auto current = workspace.read_file(path);
    if (!current)
        return Status(current.status().code(), "undo: " + current.status().message());
    if (*current != it->after)
        return Status(StatusCode::InvalidArgument,
                      "undo: '" + printable(path) +
                          "' changed after this write; undoing it would lose those changes "
                          "(undo the later writes first)");
    std::string diff;
    if (const std::optional<std::string> &before = it->before; before.has_value()) {
        auto written = workspace.write_file(path, *before, false);
        if (!written)
            return Status(written.status().code(), "undo: " + written.status().message());
        // write_file keeps the current mode; the journal's is the one before the write.
        diff = unified_diff(*current, *before, path);
    } else {
        Status s = workspace.remove_file(path);
        if (!s.ok())
            return Status(s.code(), "undo: " + s.message());
        UnifiedDiffOptions options;
        options.new_missing = true;
        diff = unified_diff(*current, "", path, options);
    }
    m_bytes -= bytes_of(*it);
    m_entries.erase(it);
    return diff;
}

Expected<std::string> UndoJournal::undo_last(const Workspace &workspace)
{
    uint64_t id = 0;
    {
        std::lock_guard lock(m_mutex);
        if (m_entries.empty())
            return Status(StatusCode::NotFound, "undo: nothing to undo");
        id = m_entries.back().info.id;
    }
    return undo(workspace, id);
}

// ---------------------------------------------------------------------------------- ToolRunner

ToolRunner::ToolRunner(const Workspace &workspace, UndoJournal &journal, ToolRunnerOptions options)
    : m_workspace(workspace), m_journal(journal), m_options(std::move(options))
{}

bool ToolRunner::is_git_repository() const
{
    ProcessOptions options;
    options.cwd_fd = m_workspace.root_fd();
    options.timeout = std::chrono::seconds(10);
    auto result = run_process({m_options.git, "rev-parse", "--is-inside-work-tree"}, options);
    return result && result->exit_code == 0 && result->out.rfind("true", 0) == 0;
}

std::vector<ToolDefinition> ToolRunner::definitions() const
{
    return tool_definitions(is_git_repository());
}

ToolResult ToolRunner::execute(const engine::ToolCallEvent &call, const CancelToken *cancel)
{
    return execute(call.name, call.arguments, cancel);
}

ToolResult ToolRunner::execute(std::string_view name, const Json &arguments,
                               const CancelToken *cancel)
{
    try {
        if (name == "list_directory")
            return list_directory(arguments);
        if (name == "read_file")
            return read_file(arguments);
        if (name == "search_text")
            return search_text(arguments, cancel);
        if (name == "write_file" || name == "edit_file")
            return write_or_edit(name, arguments);
        if (name == "run_command")
            return run_command(arguments, cancel);
        if (name == "git_status" || name == "git_diff")
            return git(name, arguments, cancel);
        return failure(Status(StatusCode::InvalidArgument,
                              "unknown tool '" + printable(name) +
                                  "' (tools: list_directory, read_file, search_text, write_file, "
                                  "edit_file, run_command, git_status, git_diff)"));
    } catch (const std::exception &e) {
        // nlohmann::json and std::string may throw (bad_alloc); no exception leaves the runner.
        return failure(Status(StatusCode::Internal, std::string(name) + ": " + e.what()));
    }
}

ToolResult ToolRunner::list_directory(const Json &arguments) const
{
    const Args args("list_directory", arguments);
    if (Status s = args.check({"path"}); !s.ok())
        return failure(s);
    auto path = args.string("path", std::string("."));
    if (!path)
        return failure(path.status());
    auto dir = m_workspace.resolve_directory(*path);
    if (!dir)
        return failure(dir.status());
    auto names = read_names(dir->fd.get(), *path);
    if (!names)
        return failure(names.status());
    std::string text = (dir->relative == "." ? std::string(".") : dir->relative) + "/:\n";
    size_t shown = 0;
    size_t hidden_names = 0;
    for (const auto &name : *names) {
        if (!name_is_clean(name)) {
            ++hidden_names;
            continue;
        }
        if (shown == m_options.max_list_entries)
            break;
        struct stat st{};
        if (::fstatat(dir->fd.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
            continue;
        text += name;
        if (S_ISDIR(st.st_mode)) {
            text += "/";
        } else if (S_ISREG(st.st_mode)) {
            text += " (" + std::to_string(st.st_size) + " bytes)";
        } else if (S_ISLNK(st.st_mode)) {
            std::string target(4096, '\0');
            const ssize_t n =
                ::readlinkat(dir->fd.get(), name.c_str(), target.data(), target.size());
            target.resize(n > 0 ? static_cast<size_t>(n) : 0);
            text += " -> " + printable(target);
        } else {
            text += " [" + std::string(file_type_name(st.st_mode)) + "]";
        }
        text += '\n';
        ++shown;
    }
    if (names->empty())
        text += "(empty)\n";
    if (shown == m_options.max_list_entries && shown + hidden_names < names->size())
        text += "[" + std::to_string(names->size() - shown - hidden_names) +
                " more entries not shown]\n";
    if (hidden_names > 0)
        text += "[" + std::to_string(hidden_names) +
                " entries with names that are not valid UTF-8 text not shown]\n";
    return success(std::move(text));
}

ToolResult ToolRunner::read_file(const Json &arguments) const
{
    const Args args("read_file", arguments);
    if (Status s = args.check({"path", "start_line", "end_line"}); !s.ok())
        return failure(s);
    auto path = args.string("path", std::nullopt);
    if (!path)
        return failure(path.status());
    auto start = args.integer("start_line");
    if (!start)
        return failure(start.status());
    auto end = args.integer("end_line");
    if (!end)
        return failure(end.status());
    auto data = m_workspace.read_file(*path);
    if (!data)
        return failure(data.status());
    if (looks_binary(*data))
        return failure(Status(StatusCode::InvalidArgument,
                              "'" + printable(*path) + "' is a binary file (" +
                                  std::to_string(data->size()) + " bytes); it is not shown"));
    const auto lines = split_lines(*data);
    const long long total = static_cast<long long>(lines.size());
    long long first = start->value_or(1);
    long long last = end->value_or(total);
    if (first < 1)
        return failure(args.fail("start_line must be 1 or more"));
    if (end->has_value() && last < first)
        return failure(args.fail("end_line must not be before start_line"));
    if (total == 0)
        return success("(empty file)");
    if (first > total)
        return failure(args.fail("start_line " + std::to_string(first) + " is past the end of '" +
                                 printable(*path) + "', which has " + std::to_string(total) +
                                 " lines"));
    last = std::min(last, total);
    std::string body;
    long long line = first;
    for (; line <= last; ++line) {
        const std::string_view l = lines[static_cast<size_t>(line - 1)];
        if (body.size() + l.size() > m_options.max_read_output)
            break;
        body.append(l);
    }
    const bool valid = engine::utf8::is_valid(body);
    std::string text;
    const bool partial = first != 1 || line <= total;
    if (partial)
        text = "[lines " + std::to_string(first) + "-" + std::to_string(line - 1) + " of " +
               std::to_string(total) + "]\n";
    text += valid ? body : engine::utf8::replace_invalid(body);
    if (line <= last)
        text += "\n[output cut at line " + std::to_string(line - 1) +
                " to stay under the size limit; read on with start_line=" + std::to_string(line) +
                "]";
    if (!valid)
        text += "\n[the file is not valid UTF-8: invalid bytes are shown as U+FFFD]";
    return success(std::move(text));
}

// ---------------------------------------------------------------------------------- search_text

namespace {

struct PcreCode
{
    void operator()(pcre2_code *code) const { pcre2_code_free(code); }
};
struct PcreMatchData
{
    void operator()(pcre2_match_data *data) const { pcre2_match_data_free(data); }
};
struct PcreContext
{
    void operator()(pcre2_match_context *context) const { pcre2_match_context_free(context); }
};

struct Search
{
    const ToolRunnerOptions *options = nullptr;
    const CancelToken *cancel = nullptr;
    pcre2_code *code = nullptr;
    pcre2_match_data *match = nullptr;
    pcre2_match_context *context = nullptr;
    std::optional<Glob> include;
    size_t max_results = 100;
    std::vector<std::string> lines;
    size_t files = 0;
    size_t files_matched = 0;
    uint64_t bytes = 0;
    size_t skipped_binary = 0;
    size_t skipped_large = 0;
    size_t skipped_links = 0;
    size_t skipped_names = 0;
    size_t regex_gave_up = 0;
    bool stopped = false; // a cap was reached or cancelled
    std::string stop_reason;
};

Expected<std::string> read_small(int dir_fd, const char *name, uint64_t limit,
                                 const struct stat *expect)
{
    Fd fd(::openat(dir_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
    if (!fd.valid())
        return Status(StatusCode::IoError, std::strerror(errno));
    struct stat st{};
    if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode) ||
        static_cast<uint64_t>(st.st_size) > limit)
        return Status(StatusCode::InvalidArgument, "not a small regular file");
    if (expect != nullptr && (st.st_dev != expect->st_dev || st.st_ino != expect->st_ino))
        return Status(StatusCode::IoError, "changed while searching");
    std::string data;
    char buffer[65536];
    for (;;) {
        const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        data.append(buffer, static_cast<size_t>(n));
        if (data.size() > limit)
            return Status(StatusCode::InvalidArgument, "grew while searching");
    }
    return data;
}

void search_file(Search &search, int dir_fd, const std::string &name, const std::string &shown,
                 const struct stat &st)
{
    if (st.st_nlink > 1) {
        ++search.skipped_links;
        return;
    }
    if (static_cast<uint64_t>(st.st_size) > search.options->max_search_file_bytes) {
        ++search.skipped_large;
        return;
    }
    if (search.files >= search.options->max_search_files) {
        search.stopped = true;
        search.stop_reason = "searched the first " + std::to_string(search.files) + " files";
        return;
    }
    if (search.bytes + static_cast<uint64_t>(st.st_size) > search.options->max_search_bytes) {
        search.stopped = true;
        search.stop_reason = "read " + std::to_string(search.bytes) + " bytes";
        return;
    }
    auto data = read_small(dir_fd, name.c_str(), search.options->max_search_file_bytes, &st);
    if (!data)
        return;
    ++search.files;
    search.bytes += data->size();
    if (looks_binary(*data)) {
        ++search.skipped_binary;
        return;
    }
    const auto lines = split_lines(*data);
    bool matched_here = false;
    for (size_t i = 0; i < lines.size(); ++i) {
        std::string_view line = lines[i];
        if (!line.empty() && line.back() == '\n')
            line.remove_suffix(1);
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        const int rc = pcre2_match(search.code, reinterpret_cast<PCRE2_SPTR>(line.data()),
                                   line.size(), 0, 0, search.match, search.context);
        if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
            rc == PCRE2_ERROR_HEAPLIMIT) {
            ++search.regex_gave_up;
            continue;
        }
        if (rc < 0)
            continue;
        if (search.lines.size() == search.max_results) {
            search.stopped = true;
            search.stop_reason = "reached max_results=" + std::to_string(search.max_results);
            return;
        }
        matched_here = true;
        search.lines.push_back(shown + ":" + std::to_string(i + 1) + ": " +
                               clip_utf8(line, search.options->max_match_line_bytes));
    }
    if (matched_here)
        ++search.files_matched;
}

void load_ignore(int dir_fd, const std::string &relative, IgnoreStack &stack, bool &pushed)
{
    auto text = read_small(dir_fd, ".gitignore", uint64_t{1} << 20, nullptr);
    pushed = text.has_value();
    if (pushed)
        stack.push(relative == "." ? std::string() : relative, IgnoreRules::parse(*text));
}

void search_dir(Search &search, int dir_fd, const std::string &relative, IgnoreStack &ignores,
                int depth)
{
    if (depth > 64 || search.stopped)
        return;
    bool pushed = false;
    load_ignore(dir_fd, relative, ignores, pushed);
    auto names = read_names(dir_fd, relative);
    if (names) {
        for (const auto &name : *names) {
            if (search.stopped)
                break;
            if (search.cancel != nullptr && search.cancel->cancelled()) {
                search.stopped = true;
                search.stop_reason = "cancelled";
                break;
            }
            if (name == ".git")
                continue;
            if (!name_is_clean(name)) {
                ++search.skipped_names;
                continue;
            }
            struct stat st{};
            if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
                continue;
            const std::string shown = join_path(relative, name);
            if (S_ISDIR(st.st_mode)) {
                if (ignores.ignored(shown, true))
                    continue;
                Fd sub(::openat(dir_fd, name.c_str(),
                                O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
                if (sub.valid())
                    search_dir(search, sub.get(), shown, ignores, depth + 1);
            } else if (S_ISREG(st.st_mode)) {
                if (ignores.ignored(shown, false))
                    continue;
                if (search.include && !search.include->matches(name))
                    continue;
                search_file(search, dir_fd, name, shown, st);
            }
            // Symlinks are not followed by the search; devices, FIFOs and sockets are skipped.
        }
    }
    if (pushed)
        ignores.pop();
}

} // namespace

ToolResult ToolRunner::search_text(const Json &arguments, const CancelToken *cancel) const
{
    const Args args("search_text", arguments);
    if (Status s = args.check({"pattern", "path", "include", "case_insensitive", "max_results"});
        !s.ok())
        return failure(s);
    auto pattern = args.string("pattern", std::nullopt);
    if (!pattern)
        return failure(pattern.status());
    auto path = args.string("path", std::string("."));
    if (!path)
        return failure(path.status());
    auto include = args.string("include", std::string());
    if (!include)
        return failure(include.status());
    auto caseless = args.boolean("case_insensitive", false);
    if (!caseless)
        return failure(caseless.status());
    auto max_results = args.integer("max_results");
    if (!max_results)
        return failure(max_results.status());
    if (pattern->empty())
        return failure(args.fail("the pattern is empty"));
    if (pattern->size() > 4096)
        return failure(args.fail("the pattern is longer than 4096 bytes"));
    if (!engine::utf8::is_valid(*pattern))
        return failure(args.fail("the pattern is not valid UTF-8"));

    Search search;
    search.options = &m_options;
    search.cancel = cancel;
    search.max_results = m_options.default_search_results;
    if (const std::optional<long long> limit = *max_results; limit.has_value()) {
        if (*limit < 1)
            return failure(args.fail("max_results must be 1 or more"));
        search.max_results =
            std::min<size_t>(static_cast<size_t>(*limit), m_options.max_search_results);
    }
    if (!include->empty())
        search.include.emplace(*include);

    int error_code = 0;
    PCRE2_SIZE error_offset = 0;
    const uint32_t flags = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | (*caseless ? PCRE2_CASELESS : 0);
    std::unique_ptr<pcre2_code, PcreCode> code(
        pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern->data()), pattern->size(), flags,
                      &error_code, &error_offset, nullptr));
    if (!code) {
        PCRE2_UCHAR message[256];
        pcre2_get_error_message(error_code, message, sizeof message);
        return failure(args.fail("invalid regular expression at offset " +
                                 std::to_string(error_offset) + ": " +
                                 reinterpret_cast<const char *>(message)));
    }
    std::unique_ptr<pcre2_match_data, PcreMatchData> match(
        pcre2_match_data_create_from_pattern(code.get(), nullptr));
    std::unique_ptr<pcre2_match_context, PcreContext> context(pcre2_match_context_create(nullptr));
    if (!match || !context)
        return failure(Status(StatusCode::OutOfMemory, "search_text: out of memory"));
    // A catastrophic pattern gives up on a line instead of hanging the tool.
    pcre2_set_match_limit(context.get(), 1000000);
    pcre2_set_depth_limit(context.get(), 10000);
    pcre2_set_heap_limit(context.get(), 64 * 1024);
    search.code = code.get();
    search.match = match.get();
    search.context = context.get();

    auto start = m_workspace.resolve(*path);
    if (!start)
        return failure(start.status());
    IgnoreStack ignores;
    // .gitignore files between the project root and the start directory apply too.
    std::vector<Fd> held;
    {
        std::string prefix;
        size_t pos = 0;
        const std::string &rel = start->relative;
        int at = m_workspace.root_fd();
        std::vector<std::string> parts;
        while (rel != "." && pos <= rel.size()) {
            size_t slash = rel.find('/', pos);
            if (slash == std::string::npos)
                slash = rel.size();
            parts.push_back(rel.substr(pos, slash - pos));
            pos = slash + 1;
        }
        if (!parts.empty())
            parts.pop_back(); // the start itself is handled by the walk (or is a file)
        bool pushed = false;
        load_ignore(at, "", ignores, pushed);
        for (const auto &part : parts) {
            held.emplace_back(
                ::openat(at, part.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
            if (!held.back().valid())
                break;
            at = held.back().get();
            prefix = join_path(prefix, part);
            load_ignore(at, prefix, ignores, pushed);
        }
    }
    if (S_ISDIR(start->st.st_mode)) {
        Fd dir(::openat(start->fd.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (!dir.valid())
            return failure(Status(StatusCode::IoError, "'" + printable(*path) + "': cannot open: " +
                                                           std::strerror(errno)));
        if (start->relative == ".") {
            search_dir(search, dir.get(), ".", ignores, 0);
        } else {
            // The start's own .gitignore is loaded by search_dir; the root's was loaded above.
            search_dir(search, dir.get(), start->relative, ignores, 0);
        }
    } else if (S_ISREG(start->st.st_mode)) {
        search_file(search, start->parent.get(), start->name, start->relative, start->st);
    } else {
        return failure(args.fail("'" + printable(*path) + "' is a " +
                                 std::string(file_type_name(start->st.st_mode))));
    }

    std::string text;
    for (const auto &line : search.lines)
        text += line + '\n';
    if (search.lines.empty())
        text += "No matches.\n";
    text += "[" + std::to_string(search.lines.size()) + " matching lines in " +
            std::to_string(search.files_matched) + " files; " + std::to_string(search.files) +
            " files searched";
    if (search.skipped_binary > 0)
        text += ", " + std::to_string(search.skipped_binary) + " binary skipped";
    if (search.skipped_large > 0)
        text += ", " + std::to_string(search.skipped_large) + " too large skipped";
    if (search.skipped_links > 0)
        text += ", " + std::to_string(search.skipped_links) + " hard-linked skipped";
    if (search.skipped_names > 0)
        text += ", " + std::to_string(search.skipped_names) + " with non-UTF-8 names skipped";
    if (search.regex_gave_up > 0)
        text += ", the pattern gave up on " + std::to_string(search.regex_gave_up) +
                " lines (too much backtracking)";
    text += "]";
    if (search.stopped)
        text += "\n[stopped early: " + search.stop_reason + "; narrow the path or the pattern]";
    ToolResult result = success(std::move(text));
    if (search.stop_reason == "cancelled") {
        result.ok = false;
        result.error = "search_text: cancelled";
    }
    return result;
}

// ------------------------------------------------------------------------------ write and edit

Expected<ToolRunner::PlannedWrite> ToolRunner::plan_write(std::string_view name,
                                                          const Json &arguments) const
{
    const Args args(name, arguments);
    PlannedWrite plan;
    auto path = args.string("path", std::nullopt);
    if (name == "write_file") {
        if (Status s = args.check({"path", "content"}); !s.ok())
            return s;
        if (!path)
            return path.status();
        auto content = args.string("content", std::nullopt);
        if (!content)
            return content.status();
        plan.after = std::move(*content);
    } else {
        if (Status s = args.check({"path", "old_text", "new_text", "replace_all"}); !s.ok())
            return s;
        if (!path)
            return path.status();
        auto old_text = args.string("old_text", std::nullopt);
        if (!old_text)
            return old_text.status();
        auto new_text = args.string("new_text", std::nullopt);
        if (!new_text)
            return new_text.status();
        auto replace_all = args.boolean("replace_all", false);
        if (!replace_all)
            return replace_all.status();
        if (old_text->empty())
            return args.fail("old_text is empty; use write_file to create or replace a file");
        if (*old_text == *new_text)
            return args.fail("old_text and new_text are the same; nothing would change");
        auto current = m_workspace.read_file(*path);
        if (!current)
            return current.status();
        std::vector<size_t> positions;
        const size_t count = count_occurrences(*current, *old_text, &positions);
        if (count == 0)
            return args.fail("old_text was not found in '" + printable(*path) +
                             "'; it must match the file exactly, including whitespace and "
                             "indentation (read the file again)");
        if (count > 1 && !*replace_all) {
            std::string where;
            for (size_t i = 0; i < positions.size() && i < 10; ++i)
                where += (i == 0 ? "" : ", ") + std::to_string(line_of(*current, positions[i]));
            return args.fail("old_text occurs " + std::to_string(count) + " times in '" +
                             printable(*path) + "' (lines " + where +
                             "); include more surrounding text to make it unique, or set "
                             "replace_all");
        }
        std::string after;
        after.reserve(current->size());
        size_t from = 0;
        for (const size_t at : positions) {
            after.append(*current, from, at - from);
            after += *new_text;
            from = at + old_text->size();
        }
        after.append(*current, from, std::string::npos);
        plan.before = std::move(*current);
        plan.after = std::move(after);
        plan.summary = std::to_string(count) + (count == 1 ? " replacement" : " replacements");
    }
    plan.path = *path;
    // Validates the target (and tells whether it exists) without creating anything.
    auto target = m_workspace.resolve_for_write(*path, false);
    if (target) {
        plan.relative = target->relative;
        if (target->exists && name == "write_file") {
            auto current = m_workspace.read_resolved(*target, *path);
            if (!current)
                return current.status();
            plan.before = std::move(*current);
        }
    } else if (target.status().code() == StatusCode::NotFound && name == "write_file") {
        // A missing parent directory: write_file creates it. The text checks already passed.
        auto parts = m_workspace.split_path(*path);
        if (!parts)
            return parts.status();
        plan.relative.clear();
        for (const auto &part : *parts)
            plan.relative = join_path(plan.relative, part);
    } else {
        return target.status();
    }
    if (plan.after.size() > m_workspace.limits().max_write_bytes)
        return args.fail("the new content of '" + printable(*path) + "' would be " +
                         std::to_string(plan.after.size()) + " bytes; the limit is " +
                         std::to_string(m_workspace.limits().max_write_bytes));
    return plan;
}

Expected<std::string> ToolRunner::preview_diff(const engine::ToolCallEvent &call) const
{
    if (call.name != "write_file" && call.name != "edit_file")
        return Status(StatusCode::InvalidArgument,
                      "preview_diff: '" + printable(call.name) + "' does not write files");
    try {
        auto plan = plan_write(call.name, call.arguments);
        if (!plan)
            return plan.status();
        UnifiedDiffOptions options;
        options.old_missing = !plan->before.has_value();
        return unified_diff(plan->before.value_or(std::string()), plan->after, plan->relative,
                            options);
    } catch (const std::exception &e) {
        return Status(StatusCode::Internal, "preview_diff: " + std::string(e.what()));
    }
}

ToolResult ToolRunner::write_or_edit(std::string_view name, const Json &arguments)
{
    auto plan = plan_write(name, arguments);
    if (!plan)
        return failure(plan.status());
    if (const std::optional<std::string> &before = plan->before;
        before.has_value() && *before == plan->after)
        return success("'" + plan->relative + "' already has this content; nothing was written.");
    auto written = m_workspace.write_file(plan->path, plan->after, true);
    if (!written)
        return failure(written.status());
    // What was on disk just before the rename (it may differ from the plan's if the file changed
    // in between): that is what undo must restore.
    UnifiedDiffOptions options;
    options.old_missing = written->created;
    std::string diff = unified_diff(written->old_content.value_or(std::string()), plan->after,
                                    written->relative, options);
    size_t plus = 0;
    size_t minus = 0;
    for (const auto line : split_lines(diff)) {
        if (line.rfind("+++", 0) == 0 || line.rfind("---", 0) == 0)
            continue;
        plus += !line.empty() && line.front() == '+';
        minus += !line.empty() && line.front() == '-';
    }
    ToolResult result;
    result.ok = true;
    result.undo_id = m_journal.record(written->relative, std::string(name),
                                      std::move(written->old_content), plan->after, written->mode);
    const std::string verb =
        written->created ? "Created" : (name == "edit_file" ? "Edited" : "Wrote");
    result.text = verb + " '" + written->relative + "'" +
                  (plan->summary.empty() ? std::string() : " (" + plan->summary + ")") + ": +" +
                  std::to_string(plus) + " -" + std::to_string(minus) + " lines, " +
                  std::to_string(plan->after.size()) + " bytes.";
    result.diff = std::move(diff);
    return result;
}

// -------------------------------------------------------------------------------- run_command

bool uses_shell(const std::vector<std::string> &argv)
{
    static const std::string_view shells[] = {"sh",   "bash", "dash", "zsh",  "ksh",
                                              "mksh", "fish", "csh",  "tcsh", "busybox"};
    auto base = [](const std::string &program) {
        const size_t slash = program.rfind('/');
        return slash == std::string::npos ? program : program.substr(slash + 1);
    };
    size_t i = 0;
    while (i < argv.size() && base(argv[i]) == "env") {
        ++i;
        while (i < argv.size() &&
               (argv[i].rfind('-', 0) == 0 || argv[i].find('=') != std::string::npos))
            ++i;
    }
    if (i >= argv.size())
        return false;
    const std::string program = base(argv[i]);
    return std::find(std::begin(shells), std::end(shells), program) != std::end(shells);
}

namespace {

std::string quote_arg(const std::string &arg)
{
    const bool plain = !arg.empty() && std::all_of(arg.begin(), arg.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || std::strchr("-_./=:+,@%", c);
    });
    if (plain)
        return arg;
    std::string out = "'";
    for (const char c : arg) {
        if (c == '\'')
            out += "'\\''";
        else
            out += c;
    }
    return out + "'";
}

std::string describe(const ProcessResult &r, std::chrono::milliseconds timeout)
{
    std::string text;
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%.1f s", r.seconds);
    if (r.timed_out)
        text = "timed out after " +
               std::to_string(std::chrono::duration_cast<std::chrono::seconds>(timeout).count()) +
               " s; the command and its child processes were killed";
    else if (r.cancelled)
        text = "cancelled; the command and its child processes were killed";
    else if (r.term_signal != 0)
        text = "killed by signal " + std::to_string(r.term_signal) + " (" +
               strsignal(r.term_signal) + ") after " + seconds;
    else
        text = "exit code " + std::to_string(r.exit_code) + " after " + seconds;
    text += '\n';
    auto stream = [&](const char *label, const std::string &data, size_t dropped) {
        if (data.empty() && dropped == 0)
            return;
        text += std::string("[") + label + "]\n" + engine::utf8::replace_invalid(data);
        if (!data.empty() && data.back() != '\n')
            text += '\n';
        if (dropped > 0)
            text += "[" + std::string(label) + " truncated: " + std::to_string(dropped) +
                    " more bytes not shown]\n";
    };
    stream("stdout", r.out, r.out_dropped);
    stream("stderr", r.err, r.err_dropped);
    return text;
}

} // namespace

ToolResult ToolRunner::run_command(const Json &arguments, const CancelToken *cancel) const
{
    const Args args("run_command", arguments);
    if (Status s = args.check({"argv", "timeout_seconds"}); !s.ok())
        return failure(s);
    const auto it = arguments.find("argv");
    if (it == arguments.end())
        return failure(args.fail("missing required parameter 'argv'"));
    Json argv_json = *it;
    if (argv_json.is_string()) {
        // The parser keeps a value that is not valid JSON as a string; a JSON array in a string
        // is accepted, a command line is not (there is no shell to split it).
        const Json parsed = Json::parse(argv_json.get<std::string>(), nullptr, false);
        if (parsed.is_array())
            argv_json = parsed;
    }
    if (!argv_json.is_array() || argv_json.empty())
        return failure(args.fail("argv must be a non-empty array of strings, e.g. [\"make\", "
                                 "\"-j4\"]; no shell is used"));
    std::vector<std::string> argv;
    for (const auto &a : argv_json) {
        if (!a.is_string())
            return failure(args.fail("every argv element must be a string"));
        argv.push_back(a.get<std::string>());
    }
    if (!m_options.allow_shell && uses_shell(argv))
        return failure(args.fail("'" + printable(argv.front()) +
                                 "' starts a shell, and shells are not allowed for this project "
                                 "(the user can allow them in the settings); run the program "
                                 "directly with its arguments"));
    auto timeout = args.integer("timeout_seconds");
    if (!timeout)
        return failure(timeout.status());
    ProcessOptions options;
    options.cwd_fd = m_workspace.root_fd();
    options.max_output_bytes = m_options.max_command_output;
    options.timeout = m_options.command_timeout;
    if (const std::optional<long long> seconds = *timeout; seconds.has_value()) {
        if (*seconds < 1)
            return failure(args.fail("timeout_seconds must be 1 or more"));
        options.timeout = std::min<std::chrono::milliseconds>(
            std::chrono::seconds(std::min<long long>(*seconds, 1000000)),
            m_options.max_command_timeout);
    }
    auto run = run_process(argv, options, cancel);
    if (!run)
        return failure(run.status());
    std::string shown = "$";
    for (const auto &a : argv)
        shown += " " + quote_arg(a);
    ToolResult result = success(printable(shown, 400) + "\n" + describe(*run, options.timeout));
    if (run->timed_out || run->cancelled) {
        result.ok = false;
        result.error = run->timed_out ? "run_command: timed out" : "run_command: cancelled";
    }
    return result;
}

// -------------------------------------------------------------------------------------- git

ToolResult ToolRunner::git(std::string_view name, const Json &arguments,
                           const CancelToken *cancel) const
{
    const Args args(name, arguments);
    std::vector<std::string> argv = {m_options.git, "-c", "core.fsmonitor=false",
                                     "--no-optional-locks", "--no-pager"};
    if (name == "git_status") {
        if (Status s = args.check({}); !s.ok())
            return failure(s);
        argv.insert(argv.end(), {"status", "--short", "--branch", "--", "."});
    } else {
        if (Status s = args.check({"staged", "path"}); !s.ok())
            return failure(s);
        auto staged = args.boolean("staged", false);
        if (!staged)
            return failure(staged.status());
        auto path = args.string("path", std::string("."));
        if (!path)
            return failure(path.status());
        // The path must name something inside the project (a deleted file is fine: git knows it).
        auto parts = m_workspace.split_path(*path);
        if (!parts)
            return failure(parts.status());
        std::string relative = ".";
        for (const auto &part : *parts)
            relative = relative == "." ? part : relative + "/" + part;
        argv.insert(argv.end(), {"diff", "--no-ext-diff", "--no-textconv", "--no-color"});
        if (*staged)
            argv.push_back("--cached");
        // ":(literal)" so that the model's path is not read as a pathspec glob or magic.
        argv.insert(argv.end(), {"--", ":(literal)" + relative});
    }
    if (!is_git_repository())
        return failure(Status(StatusCode::InvalidArgument, std::string(name) +
                                                               ": the project folder '" +
                                                               printable(m_workspace.root_path()) +
                                                               "' is not inside a git repository"));
    ProcessOptions options;
    options.cwd_fd = m_workspace.root_fd();
    options.timeout = std::chrono::seconds(60);
    options.max_output_bytes = std::max(m_options.max_command_output, size_t{256} << 10);
    auto run = run_process(argv, options, cancel);
    if (!run)
        return failure(run.status());
    if (run->timed_out || run->cancelled || run->exit_code != 0)
        return failure(Status(StatusCode::IoError, std::string(name) + ": git failed: " +
                                                       describe(*run, options.timeout)));
    std::string text = engine::utf8::replace_invalid(run->out);
    if (run->out_dropped > 0)
        text +=
            "\n[output truncated: " + std::to_string(run->out_dropped) + " more bytes not shown]";
    if (text.empty())
        text = name == "git_diff" ? "No differences." : "Clean.";
    return success(std::move(text));
}

} // namespace glmdesk::tools
