// FrameFeed (nst/video/flow.h): the worker thread that loads frames and computes their flows ahead of
// the optimiser: order, the links of each frame, back-pressure, errors and early destruction.
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "nst/error.h"
#include "nst/video/flow.h"
#include "clips/synthetic_clip.h"
#include "support/test_util.h"

namespace nst::video {
namespace {

using namespace std::chrono_literals;

TEST(VideoFeed, FramesInOrderWithTheirLinks) {
    const auto clip = test::pan_clip(48, 36, 7, 1, 1, 11);
    const auto consumer = std::this_thread::get_id();
    std::mutex m;
    std::vector<int> loaded;
    bool on_consumer = false;
    FrameFeed feed(
        [&](int i) {
            std::lock_guard lock(m);
            loaded.push_back(i);
            on_consumer = on_consumer || std::this_thread::get_id() == consumer;
            return clip.frames[static_cast<std::size_t>(i - 10)];
        },
        10, 16, {4, 1, 2});  // offsets in any order: used ascending
    const std::vector<std::vector<int>> expected = {{}, {1}, {1, 2}, {1, 2}, {1, 2, 4}, {1, 2, 4}, {1, 2, 4}};
    for (int t = 10; t <= 16; ++t) {
        auto frame = feed.next();
        ASSERT_TRUE(frame.has_value());
        EXPECT_EQ(frame->index, t);
        EXPECT_EQ(test::max_abs_diff(frame->content, clip.frames[static_cast<std::size_t>(t - 10)]), 0.0f);
        std::vector<int> offsets;
        for (const auto& link : frame->links) {
            offsets.push_back(link.offset);
            // The link's flow is the one from t to t - offset, and its reliability is high on a pan.
            const auto& earlier = clip.frames[static_cast<std::size_t>(t - 10 - link.offset)];
            EXPECT_EQ(link.backward.uv, compute_flow(frame->content, earlier).uv);
            // On a tiny 48x36 frame DIS is rougher than at 256 px (VideoFlow.*): loose bounds.
            const float shift = -static_cast<float>(link.offset);
            EXPECT_LT(end_point_error(link.backward, Flow{48, 36, std::vector<float>(48 * 36 * 2, shift)}), 0.6);
            EXPECT_GT(link.reliability.mean(), 0.5);
        }
        EXPECT_EQ(offsets, expected[static_cast<std::size_t>(t - 10)]) << "frame " << t;
        EXPECT_GE(frame->flow_ms, 0.0);
    }
    EXPECT_FALSE(feed.next().has_value());
    EXPECT_FALSE(feed.next().has_value());
    std::lock_guard lock(m);
    EXPECT_EQ(loaded, (std::vector<int>{10, 11, 12, 13, 14, 15, 16}));
    EXPECT_FALSE(on_consumer);
}

TEST(VideoFeed, StaysAtMostAheadFramesAhead) {
    std::atomic<int> loads{0};
    const Image frame = test::make_test_image(16, 12);
    FrameFeed feed(
        [&](int) {
            ++loads;
            return frame;
        },
        0, 50, {1}, 3);
    std::this_thread::sleep_for(200ms);
    EXPECT_LE(loads.load(), 4);  // 3 queued, at most one being prepared
    ASSERT_TRUE(feed.next().has_value());
    std::this_thread::sleep_for(100ms);
    EXPECT_LE(loads.load(), 5);
}

TEST(VideoFeed, LoadErrorSurfacesOnNext) {
    const Image frame = test::make_test_image(16, 12);
    FrameFeed feed(
        [&](int i) {
            if (i == 3) throw Error("frame 3: corrupt packet");
            return frame;
        },
        0, 9, {1, 2});
    for (int t = 0; t < 3; ++t) {
        auto f = feed.next();
        ASSERT_TRUE(f.has_value());
        EXPECT_EQ(f->index, t);
    }
    EXPECT_TRUE(test::contains(test::message_of<Error>([&] { feed.next(); }), "frame 3: corrupt packet"));
}

TEST(VideoFeed, FrameSizeChangeIsAnError) {
    FrameFeed feed([](int i) { return test::make_test_image(i == 0 ? 16 : 12, 12); }, 0, 1, {1});
    ASSERT_TRUE(feed.next().has_value());
    EXPECT_TRUE(test::contains(test::message_of<Error>([&] { feed.next(); }), "video frame 1 is 12x12"));
}

TEST(VideoFeed, NoOffsetsNoLinks) {
    const Image frame = test::make_test_image(16, 12);
    FrameFeed feed([&](int) { return frame; }, 5, 6, {});
    EXPECT_TRUE(feed.next()->links.empty());
    EXPECT_TRUE(feed.next()->links.empty());
    EXPECT_FALSE(feed.next().has_value());
    EXPECT_THROW(FrameFeed([&](int) { return frame; }, 0, 1, {0, 1}), UsageError);
}

TEST(VideoFeed, DestroyingEarlyDoesNotHang) {
    const auto clip = test::pan_clip(64, 48, 2, 1, 0, 12);
    const auto start = std::chrono::steady_clock::now();
    {
        // Never read: the worker fills the queue and waits; the destructor must wake and join it.
        FrameFeed feed([&](int i) { return clip.frames[static_cast<std::size_t>(i % 2)]; }, 0, 1'000'000, {1, 2, 4});
        std::this_thread::sleep_for(50ms);
    }
    {
        // Destroyed at once, while the worker is still busy.
        FrameFeed feed([&](int i) { return clip.frames[static_cast<std::size_t>(i % 2)]; }, 0, 1'000'000, {1});
    }
    {
        // Destroyed after reading a little.
        FrameFeed feed([&](int i) { return clip.frames[static_cast<std::size_t>(i % 2)]; }, 0, 1'000'000, {1}, 1);
        ASSERT_TRUE(feed.next().has_value());
        ASSERT_TRUE(feed.next().has_value());
    }
    EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
}

}  // namespace
}  // namespace nst::video
