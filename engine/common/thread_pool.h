// A fixed pool of CPU threads for the forward pass: rows and experts of one matrix product are
// split across cores many times per token, so the threads are created once and a job costs a
// wake-up, not a thread creation. The calling thread takes part (it runs the first chunk), so a
// pool of N threads starts N - 1 workers.
//
// Workers spin briefly before sleeping on a condition variable: during decode the next job usually
// arrives within microseconds, and a futex wake-up per matrix would cost more than the work on
// small matrices. The spin is bounded, so an idle pool uses no CPU.
//
// Two ways to split a job. Static chunks (parallel_for) give each thread one contiguous range, the
// best for streaming a weight matrix whose rows cost the same. Work whose items cost unequal
// amounts (causal attention, where late queries see more keys; routed experts chosen by different
// numbers of tokens) uses parallel_for_dynamic: threads take the next `grain` items from a shared
// counter until none are left.
//
// Pinning (optional) binds thread k to the k-th CPU the process may run on, so the scheduler does
// not move a thread away from the cache lines its rows were prefetched into; it is off by
// default because a desktop app shares the machine.
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
    // n_threads <= 0 means std::thread::hardware_concurrency() (at least 1). With `pin`, worker k
    // is bound to the k-th CPU of the process's affinity mask (wrapping around), and the first
    // thread that submits a job (thread 0, normally the engine's own thread) to the first CPU;
    // where binding fails the thread runs unpinned and pinned() says so.
    explicit ThreadPool(int n_threads = 0, bool pin = false);
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

    // Like parallel_for, but threads claim ranges of `grain` items (at least 1) in order from a
    // shared counter, so threads that finish early take more. Ranges never straddle a multiple
    // of `grain`.
    template <typename Fn>
    void parallel_for_dynamic(std::int64_t n_items, std::int64_t grain, Fn &&fn)
    {
        using Stored = std::remove_reference_t<Fn>;
        run(n_items, &invoke<Stored>, const_cast<void *>(static_cast<const void *>(&fn)),
            grain < 1 ? 1 : grain);
    }

    // Every thread was bound to its CPU (known once the first job has run: workers bind as they
    // start, the submitting thread at its first job).
    bool pinned() const
    {
        return m_pin && m_caller_pin_tried.load(std::memory_order_acquire) &&
               m_pin_failures.load(std::memory_order_relaxed) == 0;
    }

    // True while the calling thread is running a chunk of some pool's job.
    static bool in_job();

private:
    using Trampoline = void (*)(void *ctx, std::int64_t begin, std::int64_t end);

    template <typename Fn> static void invoke(void *ctx, std::int64_t begin, std::int64_t end)
    {
        (*static_cast<Fn *>(ctx))(begin, end);
    }

    // grain 0: static chunks; > 0: dynamic ranges of that many items.
    void run(std::int64_t n_items, Trampoline call, void *ctx, std::int64_t grain = 0);
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
    std::int64_t m_grain = 0;            // 0: static chunks
    std::atomic<std::int64_t> m_next{0}; // dynamic mode: the first item not yet claimed
    bool m_pin = false;
    std::atomic<bool> m_caller_pin_tried{false}; // written under m_submit
    std::vector<int> m_cpus;                     // the CPUs to pin to, in order
    std::atomic<int> m_pin_failures{0};
};

} // namespace glmdesk::engine
