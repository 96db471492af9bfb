// A fixed pool of CPU threads for the forward pass: rows and experts of one matrix product are
// split across cores many times per token, so the threads are created once and a job costs a
// wake-up, not a thread creation. The calling thread takes part (it runs the first chunk), so a
// pool of N threads starts N - 1 workers.
//
// Workers spin briefly before sleeping on a condition variable: during decode the next job usually
// arrives within microseconds, and a futex wake-up per matrix would cost more than the work on
// small matrices. The spin is bounded, so an idle pool uses no CPU.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

namespace glmdesk::engine {

class ThreadPool
{
public:
    // n_threads <= 0 means std::thread::hardware_concurrency() (at least 1).
    explicit ThreadPool(int n_threads = 0);
    ~ThreadPool(); // waits for a running job, then joins the workers
    ThreadPool(const ThreadPool &) = delete;
    ThreadPool &operator=(const ThreadPool &) = delete;

    int size() const { return static_cast<int>(m_workers.size()) + 1; }

    // Calls fn(begin, end) on disjoint ranges covering [0, n_items): static chunking, chunk k of
    // size() chunks goes to thread k (the caller is thread 0); empty chunks are skipped. Returns
    // when every chunk is done. fn must not throw (exceptions are not used in the engine; one
    // escaping a worker ends the program). A call from inside a job, or while another thread's
    // job is running, runs fn(0, n_items) inline on the caller, so nesting never deadlocks.
    template <typename Fn> void parallel_for(std::int64_t n_items, Fn &&fn)
    {
        using Stored = std::remove_reference_t<Fn>;
        run(n_items, &invoke<Stored>, const_cast<void *>(static_cast<const void *>(&fn)));
    }

    // True while the calling thread is running a chunk of some pool's job.
    static bool in_job();

private:
    using Trampoline = void (*)(void *ctx, std::int64_t begin, std::int64_t end);

    template <typename Fn> static void invoke(void *ctx, std::int64_t begin, std::int64_t end)
    {
        (*static_cast<Fn *>(ctx))(begin, end);
    }

    void run(std::int64_t n_items, Trampoline call, void *ctx);
    void worker_main(int index);
    void run_chunk(int index);

    std::vector<std::thread> m_workers;
    std::mutex m_submit; // one job at a time; try_lock fails -> run inline
    std::mutex m_mutex;  // guards the sleeping side of m_generation / m_pending
    std::condition_variable m_wake;
    std::condition_variable m_done;
    std::atomic<std::uint64_t> m_generation{0}; // bumped once per job (release)
    std::atomic<int> m_pending{0};              // workers still running the current job
    std::atomic<bool> m_stop{false};
    // The current job: written before m_generation is bumped, read by workers after they see it.
    Trampoline m_call = nullptr;
    void *m_ctx = nullptr;
    std::int64_t m_items = 0;
};

} // namespace glmdesk::engine
