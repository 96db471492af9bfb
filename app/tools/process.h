// run_command's process runner: argv only (no shell), a scrubbed environment, stdin from
// /dev/null, stdout and stderr captured up to a cap, and a new process group so that one
// kill(-pgid, SIGKILL) ends the command and everything it started. The group is killed on timeout,
// on cancel (a CancelToken another thread sets; polled every 50 ms) and also when the command
// itself exits, so nothing it left in the background outlives the call. A grandchild that calls
// setsid() leaves the group and is out of reach; after the command exits we stop waiting for its
// output 2 s later so that such a process cannot hold the call open.
#pragma once

#include "engine/common/status.h"

#include <atomic>
#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace glmdesk::tools {

class CancelToken
{
public:
    void cancel() { m_cancelled.store(true, std::memory_order_relaxed); }
    bool cancelled() const { return m_cancelled.load(std::memory_order_relaxed); }
    void reset() { m_cancelled.store(false, std::memory_order_relaxed); }

private:
    std::atomic<bool> m_cancelled{false};
};

struct ProcessOptions
{
    int cwd_fd = -1; // the directory to run in (an O_PATH fd works); -1: the current one
    std::chrono::milliseconds timeout{60000};
    size_t max_output_bytes = size_t{64} << 10; // per stream; the rest is read and dropped
    std::vector<std::string> environment;       // "NAME=value"; empty: scrubbed_environment()
};

struct ProcessResult
{
    int exit_code = -1;  // when the command exited
    int term_signal = 0; // when a signal ended it
    bool timed_out = false;
    bool cancelled = false;
    std::string out;
    std::string err;
    size_t out_dropped = 0;
    size_t err_dropped = 0;
    double seconds = 0;
};

// PATH, HOME, LANG and TERM only. PATH, HOME and LANG are taken from this process (defaults when
// unset); TERM is "dumb" because the output goes to a pipe, not a terminal.
std::vector<std::string> scrubbed_environment();

engine::Expected<ProcessResult> run_process(const std::vector<std::string> &argv,
                                            const ProcessOptions &options,
                                            const CancelToken *cancel = nullptr);

} // namespace glmdesk::tools
