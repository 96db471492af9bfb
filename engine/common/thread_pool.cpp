#include "engine/common/thread_pool.h"

#include <algorithm>
#include <chrono>
#include <system_error>

#if defined(__linux__)
#include <pthread.h>
#include <sched.h>
#endif

namespace glmdesk::engine {
namespace {

thread_local bool t_in_job = false;

void cpu_relax()
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#else
    std::this_thread::yield();
#endif
}

// Polls `done` for up to 100 microseconds: long enough to catch the next matrix of a decode step,
// short enough that an idle pool goes to sleep at once on a human time scale. Timed rather than
// counted because a pause instruction takes 10 cycles on some CPUs and 140 on others.
template <typename Done> bool spin_until(Done done)
{
    constexpr auto k_budget = std::chrono::microseconds(100);
    const auto start = std::chrono::steady_clock::now();
    for (;;) {
        for (int i = 0; i < 64; ++i) {
            if (done())
                return true;
            cpu_relax();
        }
        if (std::chrono::steady_clock::now() - start > k_budget)
            return done();
    }
}

// The CPUs this process may run on, in ascending order (empty where that cannot be known).
std::vector<int> allowed_cpus()
{
    std::vector<int> cpus;
#if defined(__linux__)
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) == 0)
        for (int c = 0; c < CPU_SETSIZE; ++c)
            if (CPU_ISSET(c, &set))
                cpus.push_back(c);
#endif
    return cpus;
}

bool pin_current_thread(int cpu)
{
#if defined(__linux__)
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return pthread_setaffinity_np(pthread_self(), sizeof set, &set) == 0;
#else
    (void)cpu;
    return false;
#endif
}

struct InJobScope
{
    bool previous = t_in_job;
    InJobScope() { t_in_job = true; }
    ~InJobScope() { t_in_job = previous; }
    InJobScope(const InJobScope &) = delete;
    InJobScope &operator=(const InJobScope &) = delete;
};

} // namespace

ThreadPool::ThreadPool(int n_threads, bool pin) : m_pin(pin)
{
    if (n_threads <= 0)
        n_threads = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
    if (m_pin) {
        m_cpus = allowed_cpus();
        if (m_cpus.empty())
            m_pin_failures.fetch_add(1, std::memory_order_relaxed);
    }
    m_workers.reserve(static_cast<std::size_t>(n_threads - 1));
    for (int i = 1; i < n_threads; ++i) {
        try {
            m_workers.emplace_back([this, i] {
                if (m_pin && !m_cpus.empty() &&
                    !pin_current_thread(m_cpus[static_cast<std::size_t>(i) % m_cpus.size()]))
                    m_pin_failures.fetch_add(1, std::memory_order_relaxed);
                worker_main(i);
            });
        } catch (const std::system_error &) {
            break; // the OS refused another thread: run with the ones we have
        }
    }
}

ThreadPool::~ThreadPool()
{
    const std::lock_guard<std::mutex> submit(m_submit); // let a running job finish
    {
        const std::lock_guard<std::mutex> lock(m_mutex);
        m_stop.store(true, std::memory_order_release);
    }
    m_wake.notify_all();
    for (std::thread &worker : m_workers)
        worker.join();
}

bool ThreadPool::in_job()
{
    return t_in_job;
}

void ThreadPool::run_chunk(int index)
{
    // Chunk k of T: the first n % T chunks get one extra item; no n * k product to overflow.
    const auto threads = static_cast<std::int64_t>(size());
    const std::int64_t base = m_items / threads;
    const std::int64_t extra = m_items % threads;
    const auto k = static_cast<std::int64_t>(index);
    const InJobScope scope;
    if (m_grain > 0) {
        for (;;) {
            const std::int64_t begin = m_next.fetch_add(m_grain, std::memory_order_relaxed);
            if (begin >= m_items)
                return;
            m_call(m_ctx, begin, std::min(m_items, begin + m_grain));
        }
    }
    const std::int64_t begin = k * base + std::min(k, extra);
    const std::int64_t end = begin + base + (k < extra ? 1 : 0);
    if (begin < end)
        m_call(m_ctx, begin, end);
}

void ThreadPool::run(std::int64_t n_items, Trampoline call, void *ctx, std::int64_t grain)
{
    if (n_items <= 0)
        return;
    std::unique_lock<std::mutex> submit(m_submit, std::defer_lock);
    if (m_workers.empty() || n_items == 1 || t_in_job || !submit.try_lock()) {
        const InJobScope scope;
        if (grain <= 0) {
            call(ctx, 0, n_items);
            return;
        }
        for (std::int64_t begin = 0; begin < n_items; begin += grain)
            call(ctx, begin, std::min(n_items, begin + grain));
        return;
    }
    if (m_pin && !m_caller_pin_tried.load(std::memory_order_relaxed)) {
        if (m_cpus.empty() || !pin_current_thread(m_cpus[0]))
            m_pin_failures.fetch_add(1, std::memory_order_relaxed);
        m_caller_pin_tried.store(true, std::memory_order_release);
    }
    m_call = call;
    m_ctx = ctx;
    m_items = n_items;
    m_grain = grain;
    m_next.store(0, std::memory_order_relaxed);
    m_pending.store(static_cast<int>(m_workers.size()), std::memory_order_relaxed);
    {
        // Under the mutex, so a worker between its predicate check and its sleep cannot miss it.
        const std::lock_guard<std::mutex> lock(m_mutex);
        m_generation.fetch_add(1, std::memory_order_release);
    }
    m_wake.notify_all();

    run_chunk(0);

    if (!spin_until([this] { return m_pending.load(std::memory_order_acquire) == 0; })) {
        std::unique_lock<std::mutex> lock(m_mutex);
        m_done.wait(lock, [this] { return m_pending.load(std::memory_order_acquire) == 0; });
    }
}

void ThreadPool::worker_main(int index)
{
    std::uint64_t seen = 0;
    for (;;) {
        std::uint64_t generation = seen;
        const bool posted = spin_until([&] {
            generation = m_generation.load(std::memory_order_acquire);
            return generation != seen || m_stop.load(std::memory_order_relaxed);
        });
        if (!posted || generation == seen) {
            std::unique_lock<std::mutex> lock(m_mutex);
            m_wake.wait(lock, [&] {
                generation = m_generation.load(std::memory_order_acquire);
                return generation != seen || m_stop.load(std::memory_order_acquire);
            });
            if (generation == seen)
                return; // stopping, and no job was posted
        }
        // The submitter waits for every worker before posting again, so no job is skipped.
        seen = generation;
        run_chunk(index);
        if (m_pending.fetch_sub(1, std::memory_order_acq_rel) == 1) {
            const std::lock_guard<std::mutex> lock(m_mutex);
            m_done.notify_one();
        }
    }
}

} // namespace glmdesk::engine
