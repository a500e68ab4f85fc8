// The lock-free handoffs: newest-value semantics and, under load, that the consumer never sees
// a slot the producer is still writing (checked by value consistency; ThreadSanitizer checks the
// memory ordering).
#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <thread>

#include "run/spsc_ring.h"
#include "run/triple_buffer.h"

namespace nstv {
namespace {

TEST(TripleBuffer, NothingBeforeFirstPublish) {
    TripleBuffer<int> tb;
    EXPECT_FALSE(tb.update());
}

TEST(TripleBuffer, ConsumerGetsTheNewestValue) {
    TripleBuffer<int> tb;
    for (int i = 1; i <= 5; ++i) {
        tb.back() = i;
        tb.publish();
    }
    ASSERT_TRUE(tb.update());
    EXPECT_EQ(tb.front(), 5);
    EXPECT_FALSE(tb.update());
    EXPECT_EQ(tb.front(), 5);
    tb.back() = 6;
    tb.publish();
    ASSERT_TRUE(tb.update());
    EXPECT_EQ(tb.front(), 6);
}

TEST(TripleBuffer, ConcurrentSlotsAreNeverTorn) {
    using Block = std::array<std::uint64_t, 64>;
    TripleBuffer<Block> tb;
    constexpr std::uint64_t kCount = 200000;
    std::atomic<bool> done{false};
    std::thread producer([&] {
        for (std::uint64_t v = 1; v <= kCount; ++v) {
            tb.back().fill(v);
            tb.publish();
        }
        done = true;
    });
    std::uint64_t last = 0, seen = 0;
    while (true) {
        const bool finished = done.load();
        if (tb.update()) {
            const Block& b = tb.front();
            for (auto x : b) ASSERT_EQ(x, b[0]);
            ASSERT_GT(b[0], last);
            last = b[0];
            ++seen;
        }
        if (finished && !tb.update()) break;
    }
    producer.join();
    if (tb.update()) last = tb.front()[0];
    EXPECT_EQ(last, kCount);
    EXPECT_GT(seen, 0u);
}

TEST(SpscRing, FifoAndDropsWhenFull) {
    SpscRing<int, 4> ring;
    for (int i = 0; i < 6; ++i) ring.push(i);
    EXPECT_EQ(ring.dropped(), 2u);
    std::vector<int> got;
    ring.drain([&](int v) { got.push_back(v); });
    EXPECT_EQ(got, (std::vector<int>{0, 1, 2, 3}));
    EXPECT_TRUE(ring.push(9));
}

TEST(SpscRing, ConcurrentOrderIsKept) {
    SpscRing<std::uint64_t, 256> ring;
    constexpr std::uint64_t kCount = 100000;
    std::thread producer([&] {
        for (std::uint64_t v = 1; v <= kCount;)
            if (ring.push(v)) ++v;
    });
    std::uint64_t expect = 1;
    while (expect <= kCount) ring.drain([&](std::uint64_t v) { ASSERT_EQ(v, expect); ++expect; });
    producer.join();
}

}  // namespace
}  // namespace nstv
