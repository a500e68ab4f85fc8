// nst::Sweep (nst/sweep.h): every cell of a sweep must be what a separate Engine run with that
// cell's parameters gives. Sequential mode exactly (it is one Engine per variant); batch mode (one
// forward of a [B,3,H,W] image, per-variant losses and Adam) to 1e-4: the batched convolutions sum
// in another order, nothing else differs. Untrained features on the CPU, small images.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "nst/nst.h"
#include "nst/sweep.h"
#include "support/engine_inputs.h"
#include "support/test_util.h"

namespace {

using nst::test::asset;
using nst::test::contains;
using nst::test::cpu_random;
using nst::test::message_of;

constexpr int kSize = 48;  // 48x36 for the bundled content
constexpr int kSteps = 8;
// Batch: each cell's losses equal its separate run's to 1e-4 relative (the acceptance) and
// its image to 1e-4 per pixel. The batched convolutions round differently from one image's
// (~1e-7 relative), and Adam divides each pixel's step by that pixel's own gradient history, so at
// the default lr 0.02 with max pooling the trajectory is chaotic: measured 5e-3 per pixel and
// 6e-4 in the losses after 8 steps at 48 px. As the parity test (tests/parity_reference.py, which
// explains it), the comparison runs at small learning rates and with average pooling (no argmax to
// flip), so that it tests the arithmetic rather than amplified rounding.
constexpr double kBatchLossTolerance = 1e-4, kBatchPixelTolerance = 1e-4;

nst::EngineOptions options() {
    auto o = cpu_random();
    o.pooling = nst::Pooling::Avg;
    return o;
}

nst::Params base() {
    auto p = nst::Params::defaults();
    p.style_weight = nst::kRandomFeaturesStyleWeight;
    p.lr = 5e-4f;  // see kBatchPixelTolerance
    return p;
}

struct Inputs {
    nst::Image content;
    std::vector<nst::Image> styles;
};

// The bundled content and style, and the style's negative as a second style.
Inputs inputs(int size = kSize) {
    Inputs in{asset("content.jpg", size), {asset("style.jpg", size)}};
    nst::Image negative = in.styles.front();
    for (float& v : negative.rgb) v = 1.0f - v;
    in.styles.push_back(std::move(negative));
    return in;
}

// Four variants, each differing from the base in other knobs: style weight, content and TV
// weight, learning rate and one style layer's weight, and the blend of the two styles.
std::vector<nst::Params> four_variants() {
    std::vector<nst::Params> v(4, base());
    v[0].style_weight = 1e9f;
    v[1].content_weight = 0.25f;
    v[1].tv_weight = 20.0f;
    v[2].lr = 1e-3f;
    v[2].style_layers[1].weight = 4.0f;
    v[3].style_blend = {3.0f, 1.0f};
    return v;
}

// What a test does to a run, written once for the sweep and for the separate engines.
struct Script {
    std::optional<nst::SpatialControl> spatial;
    int coarse_size = 0;  // > 0: kSteps at this size first, then retarget to fine_size (coarse-to-fine)
    int fine_size = kSize;
};

struct Cell {
    nst::Losses losses;
    nst::Image image, result;
};

template <typename Run, typename Retarget>
void play(const Script& s, Run& run, Retarget retarget) {
    const Inputs fine = inputs(s.fine_size);
    const Inputs first = s.coarse_size > 0 ? inputs(s.coarse_size) : fine;
    run.set_images(first.content, first.styles, nst::Init::Content);
    if (s.spatial) run.set_spatial(*s.spatial);
    for (int i = 0; i < kSteps; ++i) run.step();
    if (s.coarse_size > 0) {
        retarget(fine);
        for (int i = 0; i < kSteps; ++i) run.step();
    }
}

Cell separate_run(const nst::Params& p, const Script& s) {
    nst::Engine engine(options(), p);
    play(s, engine, [&](const Inputs& in) { engine.retarget(in.content, in.styles, engine.image()); });
    return {engine.last_losses(), engine.image(), engine.result()};
}

// `expect_batched`: what Sweep::batched() says at the end.
std::vector<Cell> sweep_run(const std::vector<nst::Params>& variants, nst::SweepMode mode, const Script& s,
                            bool expect_batched) {
    nst::Sweep sweep(options(), variants, mode);
    EXPECT_EQ(sweep.size(), static_cast<int>(variants.size()));
    play(s, sweep, [&](const Inputs& in) { sweep.retarget(in.content, in.styles); });
    EXPECT_EQ(sweep.steps_done(), kSteps);
    EXPECT_EQ(sweep.batched(), expect_batched);
    std::vector<Cell> cells;
    for (int b = 0; b < sweep.size(); ++b) cells.push_back({sweep.last_losses(b), sweep.image(b), sweep.result(b)});
    return cells;
}

double rel(double a, double b) { return std::abs(a - b) / std::max(std::abs(b), 1e-30); }

double max_abs_diff(const nst::Image& a, const nst::Image& b) {
    EXPECT_EQ(a.width, b.width);
    EXPECT_EQ(a.height, b.height);
    if (a.rgb.size() != b.rgb.size()) return INFINITY;
    double worst = 0;
    for (std::size_t i = 0; i < a.rgb.size(); ++i) worst = std::max(worst, static_cast<double>(std::abs(a.rgb[i] - b.rgb[i])));
    return worst;
}

// Every cell against its separate run: exactly (tolerance 0) or to the tolerances (relative for
// the losses, per pixel for the images and the results as shown). Prints the worst differences.
std::vector<Cell> separate_runs(const std::vector<nst::Params>& variants, const Script& s) {
    std::vector<Cell> cells;
    for (const auto& p : variants) cells.push_back(separate_run(p, s));
    return cells;
}

void expect_cells_match(const std::vector<Cell>& separate, const std::vector<Cell>& cells, double loss_tol,
                        double pixel_tol, const char* what) {
    ASSERT_EQ(cells.size(), separate.size());
    double worst_loss = 0, worst_pixel = 0;
    for (std::size_t b = 0; b < separate.size(); ++b) {
        const Cell& alone = separate[b];
        const auto& got = cells[b].losses;
        ASSERT_GT(alone.losses.total, 0.0);
        for (const auto& [x, y, name] : {std::tuple{got.content, alone.losses.content, "content"},
                                         std::tuple{got.style, alone.losses.style, "style"},
                                         std::tuple{got.tv, alone.losses.tv, "tv"},
                                         std::tuple{got.total, alone.losses.total, "total"}}) {
            worst_loss = std::max(worst_loss, rel(x, y));
            if (loss_tol == 0)
                EXPECT_EQ(x, y) << "variant " << b << " " << name << " loss";
            else
                EXPECT_LE(rel(x, y), loss_tol) << "variant " << b << " " << name << " loss " << x << " vs " << y;
        }
        const double pixel = std::max(max_abs_diff(cells[b].image, alone.image), max_abs_diff(cells[b].result, alone.result));
        worst_pixel = std::max(worst_pixel, pixel);
        EXPECT_LE(pixel, pixel_tol) << "variant " << b << " image";
    }
    std::printf("[ sweep    ] %s: worst relative loss difference %.3g, worst pixel difference %.3g\n", what, worst_loss,
                worst_pixel);
}

// The cells must really differ (the per-variant knobs reached the loss): each pair of cells
// differs by more than the tolerance somewhere.
void expect_cells_differ(const std::vector<Cell>& cells) {
    for (std::size_t a = 0; a < cells.size(); ++a)
        for (std::size_t b = a + 1; b < cells.size(); ++b)
            EXPECT_GT(max_abs_diff(cells[a].image, cells[b].image), 1e-3) << "cells " << a << " and " << b;
}

nst::SpatialControl halves() {
    const auto content = inputs().content;
    nst::Plane left{content.width, content.height, std::vector<float>(content.rgb.size() / 3)};
    for (int y = 0; y < left.height; ++y)
        for (int x = 0; x < left.width; ++x) left.values[static_cast<std::size_t>(y) * left.width + x] = x < left.width / 2 ? 1.f : 0.f;
    nst::Plane right = left;
    for (float& v : right.values) v = 1.f - v;
    nst::SpatialControl c;
    c.regions.push_back({left, 0, 1.0f, "left"});
    c.regions.push_back({right, 1, 2.0f, "right"});
    return c;
}

TEST(Sweep, SequentialCellsEqualSeparateRunsExactly) {
    const auto variants = four_variants();
    const Script s;
    const auto cells = sweep_run(variants, nst::SweepMode::Sequential, s, false);
    expect_cells_differ(cells);
    expect_cells_match(separate_runs(variants, s), cells, 0.0, 0.0, "sequential");
}

TEST(Sweep, BatchCellsEqualSeparateRuns) {
    const auto variants = four_variants();
    const Script s;
    const auto cells = sweep_run(variants, nst::SweepMode::Batch, s, true);
    expect_cells_differ(cells);
    expect_cells_match(separate_runs(variants, s), cells, kBatchLossTolerance, kBatchPixelTolerance, "batch");
}

TEST(Sweep, BatchHoldsW2AndAveragingPerVariant) {
    auto variants = four_variants();
    variants.resize(2);
    variants[0].style_loss = nst::StyleLoss::W2;
    variants[0].style_weight = nst::kW2StyleWeight;
    variants[1].average = 0.9f;
    variants[1].colors = variants[0].colors = nst::ColorMode::Post;
    const Script s;
    const auto cells = sweep_run(variants, nst::SweepMode::Batch, s, true);
    expect_cells_match(separate_runs(variants, s), cells, kBatchLossTolerance, kBatchPixelTolerance,
                       "batch, W2 and average");
}

TEST(Sweep, RegionsAndCoarseToFineInBothModes) {
    auto variants = four_variants();
    variants.erase(variants.begin());  // three: weights, lr and a layer, a blend
    const Script s{halves(), 32};
    const auto separate = separate_runs(variants, s);
    const auto sequential = sweep_run(variants, nst::SweepMode::Sequential, s, false);
    // Exact: each engine's first step is as every later one (the CPU warm-up step in engine.cpp).
    expect_cells_match(separate, sequential, 0.0, 0.0, "sequential, regions, 32 -> 48 px");
    const auto batch = sweep_run(variants, nst::SweepMode::Batch, s, true);
    expect_cells_match(separate, batch, kBatchLossTolerance, kBatchPixelTolerance, "batch, regions, 32 -> 48 px");
}

TEST(Sweep, BatchRefusesWhatItCannotShareAndAutoRunsThemInTurn) {
    auto scales = std::vector<nst::Params>(2, base());
    scales[1].style_scale = 0.5f;
    auto msg = message_of<nst::UsageError>([&] { nst::Sweep(options(), scales, nst::SweepMode::Batch); });
    EXPECT_TRUE(contains(msg, "variant 2"));
    EXPECT_TRUE(contains(msg, "style scale"));

    auto lbfgs = std::vector<nst::Params>(3, base());
    lbfgs[2].optimizer = nst::Optimizer::LBFGS;
    lbfgs[2].lr = 1.0f;
    msg = message_of<nst::UsageError>([&] { nst::Sweep(options(), lbfgs, nst::SweepMode::Batch); });
    EXPECT_TRUE(contains(msg, "variant 3"));
    EXPECT_TRUE(contains(msg, "lbfgs"));

    auto colours = std::vector<nst::Params>(2, base());
    colours[0].colors = nst::ColorMode::Luminance;
    msg = message_of<nst::UsageError>([&] { nst::Sweep(options(), colours, nst::SweepMode::Batch); });
    EXPECT_TRUE(contains(msg, "colour mode"));

    // Auto: the same variants, one after the other, each its separate run.
    for (const auto* variants : {&scales, &lbfgs}) {
        const Script s;
        const auto cells = sweep_run(*variants, nst::SweepMode::Auto, s, false);
        expect_cells_match(separate_runs(*variants, s), cells, 0.0, 0.0, "auto -> sequential");
    }
}

// Auto on the CPU batches small images and runs large ones one after the other (measured,
// docs/PERFORMANCE.md): a coarse-to-fine run switches at the retarget, carrying each variant's
// image and the regions, so its cells still equal separate runs.
TEST(Sweep, AutoOnTheCpuBatchesSmallImagesAndSwitchesForLargeOnes) {
    auto variants = four_variants();
    variants.resize(2);
    nst::Sweep small(options(), variants, nst::SweepMode::Auto);
    const Inputs in = inputs();
    small.set_images(in.content, in.styles);
    EXPECT_TRUE(small.batched()) << in.content.width << "x" << in.content.height;

    const Script s{halves(), kSize, 160};  // 160x120: more than 128x128 pixels
    const auto cells = sweep_run(variants, nst::SweepMode::Auto, s, false);
    expect_cells_match(separate_runs(variants, s), cells, kBatchLossTolerance, kBatchPixelTolerance,
                       "auto, regions, 48 (batch) -> 160 px (sequential)");
}

TEST(Sweep, RefusesNoVariantsTooManyAndBadParams) {
    EXPECT_TRUE(contains(message_of<nst::UsageError>([] { nst::Sweep(options(), {}); }), "at least one"));
    EXPECT_TRUE(contains(message_of<nst::UsageError>([] {
                             nst::Sweep(options(), std::vector<nst::Params>(nst::kMaxSweepCells + 1, base()));
                         }),
                         "65"));
    auto bad = std::vector<nst::Params>(2, base());
    bad[1].lr = -1.0f;
    EXPECT_TRUE(contains(message_of<nst::UsageError>([&] { nst::Sweep(options(), bad); }), "--lr"));
}

TEST(Sweep, StepBeforeImagesAndBadRegionsAreErrorsNotCrashes) {
    for (const auto mode : {nst::SweepMode::Sequential, nst::SweepMode::Batch, nst::SweepMode::Auto}) {
        nst::Sweep sweep(options(), four_variants(), mode);
        (void)message_of<nst::Error>([&] { sweep.step(); });
        const Inputs in = inputs();
        sweep.set_images(in.content, in.styles);
        nst::SpatialControl bad = halves();
        bad.regions[0].style = 5;  // there are two styles
        (void)message_of<nst::UsageError>([&] { sweep.set_spatial(bad); });
        sweep.step();  // the refused regions left nothing behind
        EXPECT_EQ(sweep.steps_done(), 1);
        EXPECT_GT(sweep.last_losses(0).total, 0.0);
    }
}

TEST(Sweep, AllVariantsStartFromTheGivenImage) {
    const Inputs in = inputs();
    const nst::Image start = nst::test::make_test_image(in.content.width, in.content.height, 2);
    for (const auto mode : {nst::SweepMode::Sequential, nst::SweepMode::Batch, nst::SweepMode::Auto}) {
        nst::Sweep sweep(options(), four_variants(), mode);
        sweep.set_images(in.content, in.styles, start);
        for (int b = 0; b < sweep.size(); ++b) EXPECT_LE(max_abs_diff(sweep.image(b), start), 1e-6) << b;
    }
}

}  // namespace
