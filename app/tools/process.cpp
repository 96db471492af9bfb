#include "app/tools/process.h"

#include "app/tools/workspace.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace glmdesk::tools {

using engine::Expected;

std::vector<std::string> scrubbed_environment()
{
    auto get = [](const char *name, const char *fallback) {
        const char *value = std::getenv(name);
        return std::string(name) + "=" + ((value != nullptr && *value != '\0') ? value : fallback);
    };
    return {get("PATH", "/usr/local/bin:/usr/bin:/bin"), get("HOME", "/"), get("LANG", "C.UTF-8"),
            "TERM=dumb"};
}

namespace {

class SpawnAttr
{
public:
    SpawnAttr()
    {
        posix_spawnattr_init(&attr);
        posix_spawn_file_actions_init(&actions);
    }
    ~SpawnAttr()
    {
        posix_spawnattr_destroy(&attr);
        posix_spawn_file_actions_destroy(&actions);
    }
    SpawnAttr(const SpawnAttr &) = delete;
    SpawnAttr &operator=(const SpawnAttr &) = delete;
    posix_spawnattr_t attr{};
    posix_spawn_file_actions_t actions{};
};

// Reads what is there; appends up to the cap and counts the rest.
bool drain(int fd, std::string &into, size_t &dropped, size_t cap)
{
    char buffer[16384];
    for (;;) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n > 0) {
            const auto got = static_cast<size_t>(n);
            const size_t room = into.size() < cap ? cap - into.size() : 0;
            const size_t take = got < room ? got : room;
            into.append(buffer, take);
            dropped += got - take;
            continue;
        }
        if (n == 0)
            return false; // EOF
        if (errno == EINTR)
            continue;
        return errno == EAGAIN || errno == EWOULDBLOCK;
    }
}

} // namespace

Expected<ProcessResult> run_process(const std::vector<std::string> &argv,
                                    const ProcessOptions &options, const CancelToken *cancel)
{
    if (argv.empty() || argv.front().empty())
        return Status(StatusCode::InvalidArgument, "run_command: empty argv");
    for (const auto &arg : argv)
        if (arg.find('\0') != std::string::npos)
            return Status(StatusCode::InvalidArgument,
                          "run_command: an argument contains a NUL byte");

    int out_pipe[2];
    int err_pipe[2];
    if (::pipe2(out_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
        return Status(StatusCode::IoError, std::string("pipe: ") + std::strerror(errno));
    Fd out_read(out_pipe[0]);
    Fd out_write(out_pipe[1]);
    if (::pipe2(err_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
        return Status(StatusCode::IoError, std::string("pipe: ") + std::strerror(errno));
    Fd err_read(err_pipe[0]);
    Fd err_write(err_pipe[1]);
    // The child's ends must block: a command writing to a non-blocking stdout would see EAGAIN.
    ::fcntl(out_write.get(), F_SETFL, 0);
    ::fcntl(err_write.get(), F_SETFL, 0);

    SpawnAttr spawn;
    posix_spawn_file_actions_addopen(&spawn.actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&spawn.actions, out_write.get(), 1);
    posix_spawn_file_actions_adddup2(&spawn.actions, err_write.get(), 2);
    if (options.cwd_fd >= 0)
        posix_spawn_file_actions_addfchdir_np(&spawn.actions, options.cwd_fd);
    sigset_t defaults;
    sigemptyset(&defaults);
    for (const int sig : {SIGPIPE, SIGXFSZ, SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGCHLD})
        sigaddset(&defaults, sig);
    sigset_t empty;
    sigemptyset(&empty);
    posix_spawnattr_setsigdefault(&spawn.attr, &defaults);
    posix_spawnattr_setsigmask(&spawn.attr, &empty);
    posix_spawnattr_setpgroup(&spawn.attr, 0);
    posix_spawnattr_setflags(&spawn.attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF |
                                              POSIX_SPAWN_SETSIGMASK);

    std::vector<std::string> env =
        options.environment.empty() ? scrubbed_environment() : options.environment;
    std::vector<char *> c_argv;
    c_argv.reserve(argv.size() + 1);
    for (const auto &arg : argv)
        c_argv.push_back(const_cast<char *>(arg.c_str()));
    c_argv.push_back(nullptr);
    std::vector<char *> c_env;
    c_env.reserve(env.size() + 1);
    for (auto &entry : env)
        c_env.push_back(entry.data());
    c_env.push_back(nullptr);

    const auto start = std::chrono::steady_clock::now();
    pid_t pid = -1;
    const int spawn_error =
        posix_spawnp(&pid, c_argv[0], &spawn.actions, &spawn.attr, c_argv.data(), c_env.data());
    if (spawn_error != 0) {
        const std::string shown = printable(argv.front());
        if (spawn_error == ENOENT)
            return Status(StatusCode::NotFound,
                          "run_command: '" + shown + "' was not found (searched PATH)");
        return Status(StatusCode::IoError,
                      "run_command: cannot start '" + shown + "': " + std::strerror(spawn_error));
    }
    out_write.reset();
    err_write.reset();

    ProcessResult result;
    const auto deadline = start + options.timeout;
    bool exited = false;
    bool reaped = false;
    int wait_status = 0;
    auto exit_time = std::chrono::steady_clock::time_point::max();
    auto kill_group = [&] {
        // The leader is not reaped yet, so its pid (= the group id) cannot have been reused.
        ::kill(-pid, SIGKILL);
    };

    while (!reaped || out_read.valid() || err_read.valid()) {
        const auto now = std::chrono::steady_clock::now();
        if (!exited) {
            siginfo_t info{};
            if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
                info.si_pid == pid) {
                exited = true;
                exit_time = now;
                kill_group(); // whatever it left running in its group
            } else if (cancel != nullptr && cancel->cancelled()) {
                result.cancelled = true;
                kill_group();
            } else if (now >= deadline) {
                result.timed_out = true;
                kill_group();
            }
        }
        if (exited && !reaped) {
            // EINTR: try again next round; any other failure: nothing to wait for, do not spin.
            if (::waitpid(pid, &wait_status, 0) == pid || errno != EINTR)
                reaped = true;
        }
        if (exited && now - exit_time > std::chrono::seconds(2)) {
            out_read.reset(); // a setsid() escapee holds the pipe; stop waiting for it
            err_read.reset();
        }
        pollfd fds[2];
        nfds_t count = 0;
        if (out_read.valid())
            fds[count++] = {out_read.get(), POLLIN, 0};
        if (err_read.valid())
            fds[count++] = {err_read.get(), POLLIN, 0};
        if (count == 0) {
            if (!exited)
                ::usleep(10000);
            continue;
        }
        ::poll(fds, count, 50);
        if (out_read.valid() &&
            !drain(out_read.get(), result.out, result.out_dropped, options.max_output_bytes))
            out_read.reset();
        if (err_read.valid() &&
            !drain(err_read.get(), result.err, result.err_dropped, options.max_output_bytes))
            err_read.reset();
    }
    if (WIFEXITED(wait_status))
        result.exit_code = WEXITSTATUS(wait_status);
    else if (WIFSIGNALED(wait_status))
        result.term_signal = WTERMSIG(wait_status);
    result.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

} // namespace glmdesk::tools
