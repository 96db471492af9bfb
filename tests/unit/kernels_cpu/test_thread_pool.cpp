// engine/common's ThreadPool: coverage of every item exactly once, static chunking, dynamic
// ranges, pinning, nesting, concurrent submitters, many tiny jobs, and shutdown (also run under
// TSan by the tsan preset).
#include "engine/common/thread_pool.h"

#include <gtest/gtest.h>

#if defined(__linux__)
#include <pthread.h>
#include <sched.h>
#endif

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <set>
#include <thread>
#include <utility>
#include <vector>

using glmdesk::engine::ThreadPool;

namespace {

TEST(ThreadPool, SizeCountsTheCaller)
{
    EXPECT_EQ(ThreadPool(1).size(), 1);
    EXPECT_EQ(ThreadPool(3).size(), 3);
    EXPECT_GE(ThreadPool(0).size(), 1);
}

TEST(ThreadPool, EveryItemExactlyOnce)
{
    for (int threads : {1, 2, 3, 4, 8}) {
        ThreadPool pool(threads);
        for (std::int64_t n : {1, 2, 3, 7, 8, 9, 100, 1001, 65536}) {
            std::vector<int> hits(static_cast<std::size_t>(n), 0);
            std::atomic<std::int64_t> sum{0};
            pool.parallel_for(n, [&](std::int64_t begin, std::int64_t end) {
                std::int64_t local = 0;
                for (std::int64_t i = begin; i < end; ++i) {
                    ++hits[static_cast<std::size_t>(i)]; // disjoint ranges: no race
                    local += i;
                }
                sum += local;
            });
            for (int h : hits)
                ASSERT_EQ(h, 1) << threads << " threads, n=" << n;
            EXPECT_EQ(sum.load(), n * (n - 1) / 2);
        }
    }
}

TEST(ThreadPool, StaticChunksAreBalancedAndUseEveryThread)
{
    ThreadPool pool(4);
    std::mutex mutex;
    std::vector<std::pair<std::int64_t, std::int64_t>> chunks;
    std::vector<std::thread::id> ids;
    pool.parallel_for(10, [&](std::int64_t begin, std::int64_t end) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20)); // all chunks overlap in time
        const std::lock_guard<std::mutex> lock(mutex);
        chunks.emplace_back(begin, end);
        ids.push_back(std::this_thread::get_id());
    });
    ASSERT_EQ(chunks.size(), 4u);
    std::sort(chunks.begin(), chunks.end());
    const std::vector<std::pair<std::int64_t, std::int64_t>> want = {
        {0, 3}, {3, 6}, {6, 8}, {8, 10}};
    EXPECT_EQ(chunks, want);
    std::sort(ids.begin(), ids.end());
    EXPECT_EQ(std::unique(ids.begin(), ids.end()), ids.end()) << "a thread ran two chunks";
}

TEST(ThreadPool, DynamicRangesCoverEveryItemOnceWithinGrainBoundaries)
{
    for (int threads : {1, 2, 3, 8}) {
        ThreadPool pool(threads);
        for (std::int64_t grain : {1, 3, 64}) {
            for (std::int64_t n : {1, 2, 5, 63, 64, 65, 1000}) {
                std::vector<std::atomic<int>> hits(static_cast<std::size_t>(n));
                std::atomic<bool> straddled{false};
                pool.parallel_for_dynamic(n, grain, [&](std::int64_t begin, std::int64_t end) {
                    if (begin / grain != (end - 1) / grain || end - begin > grain)
                        straddled = true;
                    for (std::int64_t i = begin; i < end; ++i)
                        hits[static_cast<std::size_t>(i)] += 1;
                });
                for (const std::atomic<int> &h : hits)
                    ASSERT_EQ(h.load(), 1) << threads << " threads, grain " << grain << ", n " << n;
                EXPECT_FALSE(straddled.load());
            }
        }
    }
}

// Threads that finish early take more: one slow item must not hold back the rest.
TEST(ThreadPool, DynamicRangesGoToWhicheverThreadIsFree)
{
    ThreadPool pool(2);
    std::mutex mutex;
    std::set<std::thread::id> ran_fast;
    std::atomic<int> fast{0};
    pool.parallel_for_dynamic(41, 1, [&](std::int64_t begin, std::int64_t) {
        if (begin == 0) {
            // Item 0 waits until the other thread has taken every other item.
            while (fast.load() < 40)
                std::this_thread::yield();
            return;
        }
        fast += 1;
        const std::lock_guard<std::mutex> lock(mutex);
        ran_fast.insert(std::this_thread::get_id());
    });
    EXPECT_EQ(fast.load(), 40);
    EXPECT_EQ(ran_fast.size(), 1u) << "the thread stuck on item 0 took none of the others";
}

#if defined(__linux__)
TEST(ThreadPool, PinnedThreadsEachRunOnOneCpu)
{
    cpu_set_t allowed;
    CPU_ZERO(&allowed);
    ASSERT_EQ(sched_getaffinity(0, sizeof allowed, &allowed), 0);
    const int n_cpus = CPU_COUNT(&allowed);
    // Pinning changes the calling thread's affinity, so it runs on a thread of its own.
    std::thread([&] {
        ThreadPool pool(3, true);
        std::mutex mutex;
        std::vector<int> counts;
        pool.parallel_for(3, [&](std::int64_t, std::int64_t) {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
            cpu_set_t mine;
            CPU_ZERO(&mine);
            pthread_getaffinity_np(pthread_self(), sizeof mine, &mine);
            const std::lock_guard<std::mutex> lock(mutex);
            counts.push_back(CPU_COUNT(&mine));
        });
        EXPECT_TRUE(pool.pinned());
        ASSERT_EQ(counts.size(), 3u);
        for (int c : counts)
            EXPECT_EQ(c, 1) << "a pinned thread may run on exactly one CPU (" << n_cpus
                            << " allowed)";
        EXPECT_FALSE(ThreadPool(2).pinned()) << "unpinned by default";
    }).join();
}
#endif

TEST(ThreadPool, NothingToDoCallsNothing)
{
    ThreadPool pool(2);
    int calls = 0;
    pool.parallel_for(0, [&](std::int64_t, std::int64_t) { ++calls; });
    pool.parallel_for(-5, [&](std::int64_t, std::int64_t) { ++calls; });
    EXPECT_EQ(calls, 0);
}

TEST(ThreadPool, NestedCallsRunInline)
{
    ThreadPool pool(3);
    std::vector<std::atomic<int>> cells(30 * 7);
    pool.parallel_for(30, [&](std::int64_t begin, std::int64_t end) {
        EXPECT_TRUE(ThreadPool::in_job());
        for (std::int64_t i = begin; i < end; ++i) {
            const std::thread::id outer = std::this_thread::get_id();
            pool.parallel_for(7, [&, i](std::int64_t b, std::int64_t e) {
                EXPECT_EQ(std::this_thread::get_id(), outer); // inline, on the same thread
                for (std::int64_t j = b; j < e; ++j)
                    cells[static_cast<std::size_t>(i * 7 + j)] += 1;
            });
        }
    });
    EXPECT_FALSE(ThreadPool::in_job());
    for (const std::atomic<int> &c : cells)
        EXPECT_EQ(c.load(), 1);
}

TEST(ThreadPool, ManySmallJobs)
{
    ThreadPool pool(3);
    std::atomic<std::int64_t> total{0};
    for (int job = 0; job < 5000; ++job)
        pool.parallel_for(1 + job % 5,
                          [&](std::int64_t begin, std::int64_t end) { total += end - begin; });
    std::int64_t want = 0;
    for (int job = 0; job < 5000; ++job)
        want += 1 + job % 5;
    EXPECT_EQ(total.load(), want);
}

TEST(ThreadPool, ConcurrentSubmittersBothFinish)
{
    ThreadPool pool(3);
    std::atomic<std::int64_t> a{0};
    std::atomic<std::int64_t> b{0};
    const auto submit = [&pool](std::atomic<std::int64_t> &out) {
        for (int job = 0; job < 500; ++job)
            pool.parallel_for(64,
                              [&out](std::int64_t begin, std::int64_t end) { out += end - begin; });
    };
    std::thread first(submit, std::ref(a));
    std::thread second(submit, std::ref(b));
    first.join();
    second.join();
    EXPECT_EQ(a.load(), 500 * 64);
    EXPECT_EQ(b.load(), 500 * 64);
}

TEST(ThreadPool, DestroyedWhileIdleOrJustCreated)
{
    for (int i = 0; i < 50; ++i)
        ThreadPool pool(4); // workers may not even have started
    ThreadPool sleeping(4);
    sleeping.parallel_for(8, [](std::int64_t, std::int64_t) {});
    std::this_thread::sleep_for(std::chrono::milliseconds(50)); // past the spin: workers asleep
    int calls = 0;
    sleeping.parallel_for(1, [&](std::int64_t, std::int64_t) { ++calls; });
    EXPECT_EQ(calls, 1);
} // destructor joins sleeping workers: a hang here is a failure (ctest timeout)

TEST(ThreadPool, MutableCallableIsCalledInPlace)
{
    ThreadPool pool(2);
    struct Counter
    {
        std::atomic<int> *calls;
        void operator()(std::int64_t, std::int64_t) { ++*calls; }
    };
    std::atomic<int> calls{0};
    Counter counter{&calls};
    pool.parallel_for(2, counter);
    pool.parallel_for(2, Counter{&calls});
    EXPECT_EQ(calls.load(), 4);
}

} // namespace
