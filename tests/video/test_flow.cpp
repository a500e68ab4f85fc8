// Optical flow (nst/video/flow.h): DIS accuracy on clips with known motion, the consistency check,
// warping, long-term weights and the warping error. The worker thread: test_frame_feed.cpp.
#include <chrono>
#include <cmath>
#include <cstdio>

#include <gtest/gtest.h>

#include "flow/dis_flow.h"
#include "nst/error.h"
#include "nst/video/flow.h"
#include "clips/synthetic_clip.h"
#include "support/test_util.h"

namespace nst::video {
namespace {

using Clock = std::chrono::steady_clock;

Flow constant_flow(int width, int height, float u, float v) {
    Flow f{width, height, std::vector<float>(static_cast<std::size_t>(width) * height * 2)};
    for (std::size_t i = 0; i < f.uv.size(); i += 2) {
        f.uv[i] = u;
        f.uv[i + 1] = v;
    }
    return f;
}

// Mean EPE of compute_flow over the clip's frame pairs (backward flows t -> t-1).
double clip_epe(const test::SyntheticClip& clip) {
    double sum = 0;
    for (std::size_t t = 1; t < clip.frames.size(); ++t)
        sum += end_point_error(compute_flow(clip.frames[t], clip.frames[t - 1]), clip.backward[t]);
    return sum / static_cast<double>(clip.frames.size() - 1);
}

// The measurement behind compute_flow's default (flow/dis_flow.h): EPE in pixels, ms per flow and the
// reliability check's agreement with the true mask on the object clip, at 256x192.
TEST(VideoFlow, PresetTable) {
    const auto pan = test::pan_clip(256, 192, 2, 3, -2, 1);
    const auto sub = test::pan_clip(256, 192, 2, 1.5, 0.75, 3);
    const auto fast = test::pan_clip(256, 192, 2, 10, -7, 5);
    const auto obj = test::object_clip(256, 192, 2, 4, 3);
    struct Row {
        const char* name;
        flow::DisSettings s;
    };
    const Row rows[] = {{"ULTRAFAST", {0, -1, -1}}, {"FAST", {1, -1, -1}},     {"MEDIUM", {2, -1, -1}},
                        {"MEDIUM fs0*", {2, 0, -1}}, {"MEDIUM fs0 var10", {2, 0, 10}}};
    std::printf("%-17s %9s %9s %9s %9s %8s %10s %10s\n", "DIS 256x192", "pan 3,-2", "pan 1.5,.75", "pan 10,-7",
                "object", "ms/flow", "obj recall", "obj false0");
    double epe_default[2] = {}, epe_medium[2] = {};
    for (const auto& r : rows) {
        double ms = 0;
        int n = 0;
        auto flow = [&](const Image& from, const Image& to) {
            const auto start = Clock::now();
            Flow f = flow::dis_flow(from, to, r.s);
            ms += std::chrono::duration<double, std::milli>(Clock::now() - start).count();
            ++n;
            return f;
        };
        auto epe = [&](const test::SyntheticClip& c) { return end_point_error(flow(c.frames[1], c.frames[0]), c.backward[1]); };
        const double e[4] = {epe(pan), epe(sub), epe(fast), epe(obj)};
        // Unreliable pixels found (recall) and true-reliable pixels marked 0 (incl. motion boundaries).
        const WeightMap c = reliability(flow(obj.frames[1], obj.frames[0]), flow(obj.frames[0], obj.frames[1]));
        double hit = 0, neg = 0, false0 = 0, pos = 0;
        for (std::size_t i = 0; i < c.w.size(); ++i) {
            const bool truly = obj.reliable[1].w[i] > 0.5f;
            (truly ? pos : neg) += 1;
            (truly ? false0 : hit) += c.w[i] < 0.5f;
        }
        std::printf("%-17s %9.3f %9.3f %9.3f %9.3f %8.1f %10.3f %10.3f\n", r.name, e[0], e[1], e[2], e[3], ms / n,
                    hit / neg, false0 / pos);
        if (r.s.preset == 2 && r.s.refinement_iterations < 0) {
            double* keep = r.s.finest_scale == 0 ? epe_default : epe_medium;
            keep[0] = e[0];
            keep[1] = e[3];
        }
    }
    std::printf("* compute_flow's default\n");
    EXPECT_LT(epe_default[0], epe_medium[0]);
    EXPECT_LT(epe_default[1], epe_medium[1]);
}

TEST(VideoFlow, PanIntegerShift) {
    const double epe = clip_epe(test::pan_clip(256, 192, 3, 3, -2, 1));
    std::printf("EPE pan (3, -2) px/frame, 256x192: %.4f px\n", epe);
    EXPECT_LT(epe, 0.05);  // measured 0.008
}

TEST(VideoFlow, PanSubpixelShift) {
    const double epe = clip_epe(test::pan_clip(256, 192, 3, 1.5, 0.75, 3));
    std::printf("EPE pan (1.5, 0.75) px/frame, 256x192: %.4f px\n", epe);
    EXPECT_LT(epe, 0.08);  // measured 0.025
}

TEST(VideoFlow, MovingObject) {
    const double epe = clip_epe(test::object_clip(256, 192, 3, 4, 3));
    std::printf("EPE moving square (4, 3) px/frame over a static background, 256x192: %.4f px\n", epe);
    EXPECT_LT(epe, 0.25);  // measured 0.088
}

TEST(VideoFlow, SmallFramesWork) {
    // Below DIS's default patch pyramid (the feed tests use tiny frames): still a sane flow.
    const auto clip = test::pan_clip(32, 24, 2, 1, 1, 4);
    const Flow f = compute_flow(clip.frames[1], clip.frames[0]);
    ASSERT_EQ(f.width, 32);
    ASSERT_EQ(f.height, 24);
    EXPECT_LT(end_point_error(f, clip.backward[1]), 0.5);
}

TEST(VideoFlow, DifferentSizesAreAnError) {
    const Image a = test::make_test_image(32, 24), b = test::make_test_image(24, 32);
    EXPECT_TRUE(test::contains(test::message_of<Error>([&] { compute_flow(a, b); }), "different sizes"));
}

TEST(VideoFlow, PanInteriorIsReliable) {
    const auto clip = test::pan_clip(256, 192, 2, 3, -2, 1);
    const WeightMap c = reliability(compute_flow(clip.frames[1], clip.frames[0]),
                                    compute_flow(clip.frames[0], clip.frames[1]));
    double sum = 0, n = 0;
    for (int y = 8; y < c.height - 8; ++y)
        for (int x = 8; x < c.width - 8; ++x, ++n) sum += c.w[static_cast<std::size_t>(y) * c.width + x];
    std::printf("pan (3, -2): %.4f of the interior reliable, %.4f of the frame\n", sum / n, c.mean());
    EXPECT_GE(sum / n, 0.95);
    // The band whose match left the frame: x - 3 < 0 or y + 2 > height - 1.
    for (int y = 0; y < c.height; ++y) EXPECT_EQ(c.w[static_cast<std::size_t>(y) * c.width + 1], 0.0f);
}

TEST(VideoFlow, DisocclusionIsUnreliable) {
    const auto clip = test::object_clip(256, 192, 2, 6, 4);
    const WeightMap c = reliability(compute_flow(clip.frames[1], clip.frames[0]),
                                    compute_flow(clip.frames[0], clip.frames[1]));
    const auto& truth = clip.reliable[1].w;
    double hit = 0, neg = 0, kept = 0, far = 0;
    for (int y = 0; y < c.height; ++y)
        for (int x = 0; x < c.width; ++x) {
            const std::size_t i = static_cast<std::size_t>(y) * c.width + x;
            if (truth[i] < 0.5f) {
                ++neg;
                hit += c.w[i] < 0.5f;
            }
            // Background well away from the square (and from the frame's edge) stays reliable.
            if (x < 40 && y > 8 && y < c.height - 8) {
                ++far;
                kept += c.w[i];
            }
        }
    std::printf("moving square (6, 4): recall of the disoccluded pixels %.3f (%.0f px), far background reliable %.3f\n",
                hit / neg, neg, kept / far);
    EXPECT_GT(neg, 500);  // 64 x 64 square: 64 * 64 - 58 * 60 = 616 px uncovered
    EXPECT_GE(hit / neg, 0.7);
    EXPECT_GE(kept / far, 0.95);
}

TEST(VideoFlow, InconsistentFlowsAreUnreliable) {
    // Backward (1, 0) everywhere; forward (-1, 0) left of x = 8 (consistent), (0, 0) from x = 8 on:
    // |w~ + w^|^2 = 1 > 0.01 * 1 + 0.5 wherever x + 1 >= 8. The last column's match leaves the frame.
    const int w = 16, h = 6;
    const Flow backward = constant_flow(w, h, 1, 0);
    Flow forward = constant_flow(w, h, 0, 0);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < 8; ++x) forward.uv[2 * (static_cast<std::size_t>(y) * w + x)] = -1;
    const WeightMap c = reliability(backward, forward);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) EXPECT_EQ(c.w[static_cast<std::size_t>(y) * w + x], x < 7 ? 1.0f : 0.0f) << x << "," << y;

    // The tolerance grows with the motion: (10, 0) against (-10.9, 0) passes (0.81 <= 2.69),
    // (1, 0) against (-1.8, 0) does not (0.64 > 0.5424).
    EXPECT_EQ(reliability(constant_flow(32, 4, 10, 0), constant_flow(32, 4, -10.9f, 0)).w[0], 1.0f);
    EXPECT_EQ(reliability(constant_flow(32, 4, 1, 0), constant_flow(32, 4, -1.8f, 0)).w[0], 0.0f);
    // A match above the frame (y - 1 < 0) is out of frame.
    const WeightMap up = reliability(constant_flow(8, 8, 0, -1), constant_flow(8, 8, 0, 1));
    EXPECT_EQ(up.w[3], 0.0f);
    EXPECT_EQ(up.w[8 + 3], 1.0f);
}

TEST(VideoFlow, MotionBoundaryAtStep) {
    // u = 0 left of x = 8, 4 from x = 8 on; the forward flow agrees (0 left of 12, -4 from 12 on), so
    // only the step itself (central differences: columns 7 and 8, |grad u|^2 = 4) and the columns
    // whose match leaves the frame (x + 4 > 31) are unreliable.
    const int w = 32, h = 5;
    Flow backward = constant_flow(w, h, 0, 0), forward = constant_flow(w, h, 0, 0);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            const std::size_t i = 2 * (static_cast<std::size_t>(y) * w + x);
            backward.uv[i] = x >= 8 ? 4.0f : 0.0f;
            forward.uv[i] = x >= 12 ? -4.0f : 0.0f;
        }
    WeightMap seen;
    const WeightMap c = reliability(backward, forward, &seen);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            const bool expect = x != 7 && x != 8 && x + 4 <= w - 1;
            EXPECT_EQ(c.w[static_cast<std::size_t>(y) * w + x], expect ? 1.0f : 0.0f) << x << "," << y;
            // `seen` leaves the motion boundary out: the step's columns were visible.
            EXPECT_EQ(seen.w[static_cast<std::size_t>(y) * w + x], x + 4 <= w - 1 ? 1.0f : 0.0f) << x << "," << y;
        }
    // A gentle gradient stays below the threshold: v = 0.03 x gives |grad|^2 = 0.0009 < 0.002.
    Flow ramp = constant_flow(w, h, 0, 0), still = constant_flow(w, h, 0, 0);
    for (int x = 0; x < w; ++x) ramp.uv[2 * (2 * w + x) + 1] = 0.03f * x;
    EXPECT_EQ(reliability(ramp, still).w[2 * w + 10], 1.0f);
}

TEST(VideoFlow, WarpIntegerShiftIsExact) {
    const Image img = test::textured_image(40, 30, 100, 200, 7);
    const Image out = warp(img, constant_flow(40, 30, 2, -1));
    for (int y = 0; y < 30; ++y)
        for (int x = 0; x < 40; ++x) {
            const int sx = std::min(x + 2, 39), sy = std::max(y - 1, 0);  // clamped to the border
            for (int k = 0; k < 3; ++k)
                ASSERT_EQ(out.rgb[(y * 40 + x) * 3 + k], img.rgb[(sy * 40 + sx) * 3 + k]) << x << "," << y;
        }
    EXPECT_EQ(test::max_abs_diff(warp(img, constant_flow(40, 30, 0, 0)), img), 0.0f);
}

TEST(VideoFlow, WarpIsBilinear) {
    // 2x2 image, red channel 0, 1 / 2, 3; pixel (0, 0) sampled at (0.25, 0.5):
    // top 0.75 * 0 + 0.25 * 1 = 0.25, bottom 0.75 * 2 + 0.25 * 3 = 2.25, 0.5 * 0.25 + 0.5 * 2.25 = 1.25.
    Image img{2, 2, std::vector<float>(12, 0.0f)};
    for (int i = 0; i < 4; ++i) img.rgb[3 * i] = static_cast<float>(i);
    Flow f = constant_flow(2, 2, 0, 0);
    f.uv[0] = 0.25f;
    f.uv[1] = 0.5f;
    f.uv[6] = -5.0f;  // pixel (1, 1) at (-4, 1): clamped to (0, 1)
    const Image out = warp(img, f);
    EXPECT_FLOAT_EQ(out.rgb[0], 1.25f);
    EXPECT_FLOAT_EQ(out.rgb[3], 1.0f);
    EXPECT_FLOAT_EQ(out.rgb[9], 2.0f);
}

TEST(VideoFlow, LongTermWeights) {
    // Three offsets, four pixels: the nearest reliable earlier frame takes each pixel.
    const std::vector<WeightMap> c = {{4, 1, {1, 0, 0, 0}}, {4, 1, {1, 1, 0, 0}}, {4, 1, {1, 1, 1, 0}}};
    const auto lt = long_term_weights(c);
    ASSERT_EQ(lt.size(), 3u);
    EXPECT_EQ(lt[0].w, (std::vector<float>{1, 0, 0, 0}));
    EXPECT_EQ(lt[1].w, (std::vector<float>{0, 1, 0, 0}));
    EXPECT_EQ(lt[2].w, (std::vector<float>{0, 0, 1, 0}));
    // Fractional weights: max(c_j - sum_{k<j} c_k, 0).
    const auto frac = long_term_weights({{2, 1, {0.25f, 0}}, {2, 1, {1, 0.5f}}, {2, 1, {0.5f, 1}}});
    EXPECT_FLOAT_EQ(frac[1].w[0], 0.75f);
    EXPECT_FLOAT_EQ(frac[2].w[0], 0.0f);
    EXPECT_FLOAT_EQ(frac[1].w[1], 0.5f);
    EXPECT_FLOAT_EQ(frac[2].w[1], 0.5f);
    EXPECT_TRUE(long_term_weights({}).empty());
}

TEST(VideoFlow, WarpingError) {
    // A perfectly warped sequence (integer pan, true flow, true mask) has no warping error; the same
    // frames with no motion compensation do.
    const auto clip = test::pan_clip(64, 48, 3, 2, 1, 9);
    for (int t = 1; t < 3; ++t)
        EXPECT_LT(warping_error(clip.frames[t], clip.frames[t - 1], clip.backward[t], clip.reliable[t]), 1e-6);
    const auto obj = test::object_clip(64, 48, 3, 3, -2, 16);
    for (int t = 1; t < 3; ++t)
        EXPECT_LT(warping_error(obj.frames[t], obj.frames[t - 1], obj.backward[t], obj.reliable[t]), 1e-6);
    const double unwarped = warping_error(clip.frames[1], clip.frames[0], constant_flow(64, 48, 0, 0), clip.reliable[1]);
    std::printf("warping error of a (2, 1) pan: %.4f without the flow\n", unwarped);
    EXPECT_GT(unwarped, 0.01);
    const WeightMap none{64, 48, std::vector<float>(64 * 48, 0.0f)};
    EXPECT_EQ(warping_error(clip.frames[1], clip.frames[0], constant_flow(64, 48, 0, 0), none), 0.0);
}

TEST(VideoFlow, SyntheticClipAsPngFrames) {
    const auto clip = test::pan_clip(24, 16, 3, 1.5, 0, 2);
    test::TempDir dir;
    const auto paths = test::write_frames(clip.frames, dir / "clip");
    ASSERT_EQ(paths.size(), 3u);
    EXPECT_EQ(paths[2].filename(), "frame_0003.png");
    for (std::size_t i = 0; i < paths.size(); ++i)
        EXPECT_LE(test::max_abs_diff(load_image(paths[i]), clip.frames[i]), 0.5f / 255 + 1e-6f);
    EXPECT_EQ(test::list_dir(dir / "clip").size(), 3u);
}

TEST(VideoFlow, EndPointErrorAndMean) {
    EXPECT_DOUBLE_EQ(end_point_error(constant_flow(3, 2, 3, 4), constant_flow(3, 2, 0, 0)), 5.0);
    EXPECT_DOUBLE_EQ(end_point_error(constant_flow(3, 2, 1, 1), constant_flow(3, 2, 1, 1)), 0.0);
    EXPECT_DOUBLE_EQ((WeightMap{2, 2, {1, 0, 0.5f, 0.5f}}.mean()), 0.5);
    EXPECT_DOUBLE_EQ(WeightMap{}.mean(), 0.0);
}

}  // namespace
}  // namespace nst::video
