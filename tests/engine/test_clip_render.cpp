// nst::video::ClipRenderer (nst/video/clip_render.h), the frame loop of nst --video and the viewer's
// render: stepped to the end it writes every frame and reports each; stopped between frames and
// continued by a new renderer on the same folder it gives the uninterrupted render's frames bit for
// bit; the temporal term lowers the warping error. Tiny clips with known motion (clips/), untrained
// features, one LibTorch thread (the flow worker is the process's second), a few steps.
#include <gtest/gtest.h>

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "clips/synthetic_clip.h"
#include "nst/nst.h"
#include "nst/video/clip_render.h"
#include "support/engine_inputs.h"
#include "support/test_util.h"

namespace {

namespace fs = std::filesystem;
using nst::Image;
using nst::video::ClipPlan;
using nst::video::ClipRenderer;
using nst::video::FrameReport;
using nst::video::FrameStore;

nst::EngineOptions options() {
    auto o = nst::test::cpu_random(1);
    o.threads = 1;
    return o;
}

nst::Params params(float temporal_weight) {
    nst::Params p = nst::Params::defaults();
    p.style_weight = nst::kRandomFeaturesStyleWeight;  // as the programs do on untrained features
    p.temporal_weight = temporal_weight;
    return p;
}

ClipPlan plan_for(const fs::path& input, const nst::test::SyntheticClip& clip, float temporal_weight,
                  std::vector<nst::video::ColdLevel> cold, int frame_steps) {
    ClipPlan plan;
    plan.input = input;
    plan.range = {0, static_cast<int>(clip.frames.size()) - 1};
    plan.width = clip.frames[0].width;
    plan.height = clip.frames[0].height;
    plan.styles = {nst::test::make_test_image(32, 32, 1)};
    plan.cold = std::move(cold);
    plan.temporal.frame_steps = frame_steps;
    plan.params = params(temporal_weight);
    plan.frame_lr = nst::video::frame_learning_rate(0, plan.params);
    return plan;
}

struct Render {
    std::vector<FrameReport> reports;
    long steps = 0;
};

// Steps `r` until it is done, or until `stop_after` frames finished (between frames).
Render run(ClipRenderer& r, int stop_after = -1) {
    Render out;
    while (!r.done()) {
        r.step();
        ++out.steps;
        if (auto report = r.take_finished()) {
            EXPECT_TRUE(r.between_frames());
            EXPECT_EQ(r.step_in_frame(), 0);
            out.reports.push_back(*report);
            if (static_cast<int>(out.reports.size()) == stop_after) break;
        } else {
            EXPECT_FALSE(r.between_frames());
        }
    }
    return out;
}

std::vector<Image> frames_of(const FrameStore& store, int count) {
    std::vector<Image> frames;
    for (int i = 0; i < count; ++i) frames.push_back(store.load(i));
    return frames;
}

// Mean warping error of a stylized clip against the clip's true flow and visibility (as the CLI's
// test measures it).
double true_warping_error(const std::vector<Image>& out, const nst::test::SyntheticClip& clip) {
    double sum = 0;
    for (std::size_t t = 1; t < out.size(); ++t)
        sum += nst::video::warping_error(out[t], out[t - 1], clip.backward[t], clip.reliable[t]);
    return sum / static_cast<double>(out.size() - 1);
}

TEST(ClipRender, StepsEveryFrameIntoTheStoreAndReportsEachInOrder) {
    nst::test::TempDir dir;
    const auto clip = nst::test::pan_clip(48, 36, 4, 2.0, 1.0);
    nst::test::write_frames(clip.frames, dir / "in");
    // Two levels for the first frame (24 px, then 48 px), 4 steps for each later one.
    const ClipPlan plan = plan_for(dir / "in", clip, nst::kDefaultTemporalWeight, {{24, 3}, {48, 5}}, 4);
    const FrameStore store(dir / "out.frames", "recipe");
    nst::Engine engine(options(), plan.params);
    ClipRenderer r(engine, plan, store);
    EXPECT_FALSE(r.done());
    EXPECT_TRUE(r.between_frames());
    EXPECT_EQ(r.first_to_render(), 0);
    EXPECT_EQ(r.frame(), 0);
    EXPECT_EQ(r.frames_left(), 4);
    EXPECT_TRUE(r.content().empty());
    const long expected_steps = 8 + 3 * 4;
    EXPECT_EQ(r.steps_left(), expected_steps);

    r.begin_frame();  // the first frame set up, no step yet
    EXPECT_FALSE(r.between_frames());
    EXPECT_EQ(r.steps_of_frame(), 8);
    EXPECT_TRUE(r.current().cold);
    EXPECT_EQ(r.content().width, 48);
    r.step();
    EXPECT_EQ(r.step_in_frame(), 1);
    EXPECT_EQ(r.steps_left(), expected_steps - 1);
    EXPECT_GT(r.last_losses().total, 0.0);

    const Render rest = run(r);
    EXPECT_EQ(rest.steps + 1, expected_steps);
    EXPECT_TRUE(r.done());
    EXPECT_EQ(r.frames_left(), 0);
    EXPECT_EQ(r.steps_left(), 0);
    EXPECT_FALSE(r.take_finished().has_value()) << "each report once";
    ASSERT_EQ(rest.reports.size(), 4u);
    for (int t = 0; t < 4; ++t) {
        const FrameReport& f = rest.reports[static_cast<std::size_t>(t)];
        EXPECT_EQ(f.index, t);
        EXPECT_EQ(f.cold, t == 0) << t;
        EXPECT_FALSE(f.cut) << t;
        EXPECT_GT(f.ms, 0.0) << t;
        ASSERT_TRUE(store.has(t)) << t;
        const Image saved = store.load(t);
        EXPECT_EQ(saved.width, 48);
        EXPECT_EQ(saved.height, 36);
        if (t == 0) {
            EXPECT_EQ(f.warping_error, -1.0);
            EXPECT_EQ(f.targets, 0u);
        } else {
            EXPECT_GE(f.warping_error, 0.0) << t;
            EXPECT_GT(f.reliable, 0.5) << t;
            EXPECT_GE(f.targets, 1u) << t;
        }
    }
    r.step();  // done: nothing
    EXPECT_FALSE(r.take_finished().has_value());

    // All frames in the folder: a new renderer is done at once and opens nothing.
    ClipPlan gone = plan;
    gone.input = dir / "missing";
    ClipRenderer finished(engine, gone, store);
    EXPECT_TRUE(finished.done());
    EXPECT_EQ(finished.first_to_render(), 4);
    EXPECT_EQ(finished.steps_left(), 0);
}

TEST(ClipRender, StoppedBetweenFramesAndContinuedGivesTheSameFrames) {
    nst::test::TempDir dir;
    const auto clip = nst::test::pan_clip(48, 36, 4, 2.0, 0.0);
    nst::test::write_frames(clip.frames, dir / "in");
    const ClipPlan plan = plan_for(dir / "in", clip, nst::kDefaultTemporalWeight, {{48, 6}}, 4);

    const FrameStore whole(dir / "whole.frames", "recipe");
    {
        nst::Engine engine(options(), plan.params);
        ClipRenderer r(engine, plan, whole);
        run(r);
    }
    const FrameStore parts(dir / "parts.frames", "recipe");
    {
        nst::Engine engine(options(), plan.params);
        ClipRenderer r(engine, plan, parts);
        const Render first = run(r, 2);
        ASSERT_EQ(first.reports.size(), 2u);
        EXPECT_TRUE(r.between_frames());
        EXPECT_EQ(r.frame(), 2);
    }  // stopped: the renderer and its worker go, the folder stays
    EXPECT_TRUE(parts.has(1));
    EXPECT_FALSE(parts.has(2));
    {
        nst::Engine engine(options(), plan.params);  // as a new process would
        ClipRenderer r(engine, plan, parts);
        EXPECT_EQ(r.first_to_render(), 2);
        EXPECT_EQ(r.frame(), 2);
        EXPECT_EQ(r.frames_left(), 2);
        EXPECT_EQ(r.steps_left(), 2 * 4);
        const Render rest = run(r);
        ASSERT_EQ(rest.reports.size(), 2u);
        EXPECT_EQ(rest.reports[0].index, 2);
        EXPECT_FALSE(rest.reports[0].cold) << "a resumed frame starts from the finished one, warped";
        EXPECT_GE(rest.reports[0].warping_error, 0.0) << "its predecessor is read back from the folder";
    }
    const auto a = frames_of(whole, 4), b = frames_of(parts, 4);
    for (int t = 0; t < 4; ++t) EXPECT_EQ(a[static_cast<std::size_t>(t)].rgb, b[static_cast<std::size_t>(t)].rgb) << "frame " << t + 1;
}

// The CLI test's measure (tests/cli/test_cli_video.cpp) on a shorter clip: the warping error with
// the true flow over truly visible pixels, with the temporal term at its default weight against
// independent frames (each from its own content, the first frame's steps each).
TEST(ClipRender, TemporalWeightLowersTheWarpingErrorOfAPan) {
    nst::test::TempDir dir;
    const auto clip = nst::test::pan_clip(48, 36, 4, 2.0, 1.0);
    nst::test::write_frames(clip.frames, dir / "in");
    double errors[2] = {0, 0}, reported[2] = {0, 0};
    int k = 0;
    for (const float weight : {nst::kDefaultTemporalWeight, 0.f}) {
        const ClipPlan plan = plan_for(dir / "in", clip, weight, {{48, 20}}, 10);
        const FrameStore store(dir / ("w" + std::to_string(k) + ".frames"), "recipe");
        nst::Engine engine(options(), plan.params);
        ClipRenderer r(engine, plan, store);
        EXPECT_EQ(r.steps_left(), weight > 0 ? 20 + 3 * 10 : 4 * 20);
        const Render render = run(r);
        ASSERT_EQ(render.reports.size(), 4u);
        EXPECT_EQ(render.steps, weight > 0 ? 20 + 3 * 10 : 4 * 20);
        for (const auto& f : render.reports) {
            EXPECT_EQ(f.cold, weight == 0 || f.index == 0) << f.index;
            if (f.index > 0) {
                EXPECT_GE(f.warping_error, 0.0) << "independent frames measured too";
                reported[k] += f.warping_error / 3;
            }
        }
        errors[k++] = true_warping_error(frames_of(store, 4), clip);
    }
    std::printf("pan: warping error %.5f with the temporal loss, %.5f independent: ratio %.3f (with the "
                "estimated flow: %.5f, %.5f)\n",
                errors[0], errors[1], errors[0] / errors[1], reported[0], reported[1]);
    EXPECT_GT(errors[1], 0.0);
    EXPECT_LE(errors[0], 0.5 * errors[1]);
    EXPECT_LT(reported[0], reported[1]);
}

}  // namespace
