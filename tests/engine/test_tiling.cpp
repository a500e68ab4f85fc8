// Tiled steps (issue 13): the gradient of the whole image's loss computed tile by tile equals the
// untiled gradient to float rounding (Gram and W2, several styles, regions and a content map, an
// image size off the pooling grid), while a halo one stride too small does not; and the geometry
// the programs plan with (tiling.h) agrees with the layer table.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <functional>

#include "engine/engine_impl.h"
#include "nst/tiling.h"
#include "support/test_util.h"

namespace {

using nst::EngineCore;

struct Case {
    int width = 192, height = 144;
    nst::Params params = nst::Params::defaults();
    nst::SpatialControl spatial;
    int styles = 1;
    int tile = 0;
    int halo_shrink = 0;  // px taken off the planned halo (to show that it matters)
};

// The loss and gradient at a fixed noisy image (the same in every core: the seed).
struct Evaluation {
    torch::Tensor grad;
    double total = 0, content = 0, style = 0, tv = 0;
    nst::TilePlan plan;
};

Evaluation evaluate(const Case& s) {
    nst::EngineOptions options;
    options.features = nst::parse_random_features("random:3");
    options.device = "cpu";
    options.tile = s.tile;
    EngineCore core;
    core.open(options, s.params);
    std::vector<nst::Image> styles;
    for (int k = 0; k < s.styles; ++k) styles.push_back(nst::test::make_test_image(160 + 24 * k, 120, 1 + k));
    core.set_images(nst::test::make_test_image(s.width, s.height, 0), styles);
    core.set_x(core.initial(nst::Init::Noise));
    if (!s.spatial.empty()) {
        core.set_spatial(s.spatial);
        core.spatial.fit(s.height, s.width, core.device);
        std::set<int> used;
        for (const auto& r : s.spatial.regions)
            if (r.style != nst::kRegionNone) used.insert(r.style);
        core.style_term.prepare_singles({used.begin(), used.end()});
    }
    core.plan_tiling();
    core.plan.halo -= s.halo_shrink;
    core.loss_and_backward(core.x);
    return {core.x.grad().clone(), core.loss_total.item<double>(), core.loss_content.item<double>(),
            core.loss_style.item<double>(), core.loss_tv.item<double>(), core.plan};
}

// max |a − b| / max |b|: relative to the gradient's scale (elementwise ratios blow up near zero).
double max_rel(const torch::Tensor& a, const torch::Tensor& b) {
    return (a - b).abs().max().item<double>() / b.abs().max().item<double>();
}

// Layers up to relu3_1 only (a 4 px pooling grid and a 16 px halo): small tiles, quick tests of
// everything but the depth, which GradientEqualsUntiled covers with the default layers.
Case shallow() {
    Case c;
    c.params.style_layers = nst::parse_layer_spec("relu1_1:1,relu2_1:0.75,relu3_1:0.2", "--style-layers");
    c.params.content_layers = nst::parse_layer_spec("relu2_2:1", "--content-layers");
    return c;
}

void expect_same_gradient(Case s, int tile, double bound = 1e-5) {
    const auto untiled = evaluate(s);
    s.tile = tile;
    const auto tiled = evaluate(s);
    ASSERT_TRUE(tiled.plan.tiled());
    ASSERT_FALSE(untiled.plan.tiled());
    EXPECT_GT(tiled.plan.count(), 1);
    const double rel = max_rel(tiled.grad, untiled.grad);
    std::printf("tiled (%d tiles of %d px + %d px halo) vs untiled gradient at %dx%d: max rel diff %.3g\n",
                tiled.plan.count(), tiled.plan.tile, tiled.plan.halo, s.width, s.height, rel);
    EXPECT_LE(rel, bound);
    EXPECT_GT(untiled.grad.abs().max().item<double>(), 0.0);
    EXPECT_NEAR(tiled.total, untiled.total, 1e-5 * untiled.total);
    EXPECT_NEAR(tiled.content, untiled.content, 1e-5 * untiled.content);
    EXPECT_NEAR(tiled.style, untiled.style, 1e-5 * untiled.style);
    EXPECT_NEAR(tiled.tv, untiled.tv, 1e-5 * untiled.tv);
}

nst::Plane band(int width, int height, int x0, int x1, float value = 1.f) {
    nst::Plane p{width, height, std::vector<float>(static_cast<std::size_t>(width) * height, 0.f)};
    for (int y = 0; y < height; ++y)
        for (int x = x0; x < x1; ++x) p.values[static_cast<std::size_t>(y) * width + x] = value;
    return p;
}

TEST(Tiling, GeometryFollowsTheLayerTable) {
    const int relu5_1 = nst::relu_index("relu5_1"), relu4_2 = nst::relu_index("relu4_2");
    EXPECT_EQ(nst::pooling_stride(relu5_1), 16);
    EXPECT_EQ(nst::pooling_stride(nst::relu_index("relu1_1")), 1);
    // Each 3x3 convolution reaches one position further, each pooling one more input position.
    EXPECT_EQ(nst::receptive_radius(nst::relu_index("relu1_1")), 1);
    EXPECT_EQ(nst::receptive_radius(nst::relu_index("relu2_1")), 1 + 1 + 1 + 2);
    EXPECT_GT(nst::receptive_radius(relu5_1), nst::receptive_radius(relu4_2));
    EXPECT_EQ(nst::tile_halo(relu5_1) % 16, 0);
    EXPECT_GE(nst::tile_halo(relu5_1), nst::receptive_radius(relu5_1));
    EXPECT_LT(nst::tile_halo(relu5_1) - 16, nst::receptive_radius(relu5_1));
    EXPECT_EQ(nst::round_tile(100, 16), 96);
    EXPECT_EQ(nst::round_tile(104, 16), 112);
    EXPECT_EQ(nst::round_tile(3, 16), 16);
    const auto plan = nst::plan_tiles(200, 150, 64, nst::Params::defaults());
    EXPECT_EQ(plan.cols, 4);
    EXPECT_EQ(plan.rows, 3);
    EXPECT_FALSE(nst::plan_tiles(64, 48, 64, nst::Params::defaults()).tiled());  // one tile: untiled
}

TEST(Tiling, MemoryEstimateAndChoice) {
    const auto p = nst::Params::defaults();
    const auto untiled = nst::estimate_step_bytes(4096, 4096, 0, p, nst::Precision::FP32);
    const auto tiled = nst::estimate_step_bytes(4096, 4096, 256, p, nst::Precision::FP32);
    EXPECT_GT(untiled, std::uint64_t{32} << 30);  // tens of GB untiled
    EXPECT_LT(tiled, std::uint64_t{4} << 30);     // the goal: 4096 px within 4 GB
    EXPECT_EQ(nst::choose_tile(256, 256, untiled, p, nst::Precision::FP32), 0);
    const int chosen = nst::choose_tile(4096, 4096, std::uint64_t{4} << 30, p, nst::Precision::FP32);
    ASSERT_GT(chosen, 0);
    EXPECT_LE(nst::estimate_step_bytes(4096, 4096, chosen, p, nst::Precision::FP32), std::uint64_t{4} << 30);
    EXPECT_GT(nst::estimate_step_bytes(4096, 4096, chosen + 16, p, nst::Precision::FP32), std::uint64_t{4} << 30);
    EXPECT_EQ(nst::choose_tile(4096, 4096, 1 << 20, p, nst::Precision::FP32), -1);
}

TEST(Tiling, ParsesMemorySizes) {
    EXPECT_EQ(nst::parse_memory("4G"), std::uint64_t{4} << 30);
    EXPECT_EQ(nst::parse_memory("512MiB"), std::uint64_t{512} << 20);
    EXPECT_EQ(nst::parse_memory("1.5gb"), std::uint64_t{3} << 29);
    EXPECT_EQ(nst::parse_memory("2000000"), 2000000u);
    for (const char* bad : {"", "lots", "0", "-1G", "4X", "4 GBs", "nan", " 4G"})
        EXPECT_THROW((void)nst::parse_memory(bad), nst::UsageError) << bad;
    EXPECT_EQ(nst::format_memory(std::uint64_t{3} << 30), "3.00 GiB");
}

TEST(Tiling, GradientEqualsUntiled) {
    expect_same_gradient(Case{}, 64);
}

TEST(Tiling, GradientEqualsUntiledOffTheGridAndWithPartialTiles) {
    Case s = shallow();
    s.width = 202;
    s.height = 150;
    expect_same_gradient(s, 52);
}

TEST(Tiling, GradientEqualsUntiledWithW2SeveralStylesRegionsAndContentMap) {
    Case s = shallow();
    s.styles = 2;
    s.params.style_loss = nst::StyleLoss::W2;
    s.params.style_weight = nst::kW2StyleWeight;
    s.params.style_blend = {0.25f, 0.75f};
    s.spatial.regions.push_back({band(192, 144, 0, 80), 1, 2.0f});
    s.spatial.regions.push_back({band(192, 144, 100, 150, 0.5f), nst::kRegionNone, 1.0f});
    s.spatial.content_map = band(192, 144, 40, 192, 2.0f);
    expect_same_gradient(s, 48);
}

TEST(Tiling, GradientEqualsUntiledWithGramRegions) {
    Case s = shallow();
    s.styles = 2;
    s.spatial.regions.push_back({band(192, 144, 0, 96), 0, 1.0f});
    s.spatial.regions.push_back({band(192, 144, 96, 192), 1, 3.0f});
    expect_same_gradient(s, 48);
}

TEST(Tiling, AHaloOneStrideTooSmallChangesTheGradient) {
    // The check above can fail: with the halo below the receptive-field radius the cut edges'
    // zero padding reaches the interiors (relu3_1: 12 px of padding reach; the halo is 16).
    Case s = shallow();
    const auto untiled = evaluate(s);
    s.tile = 48;
    s.halo_shrink = 8;
    EXPECT_GT(max_rel(evaluate(s).grad, untiled.grad), 1e-3);
}

// The public Engine: tiled runs take the same steps as untiled ones (Adam and L-BFGS, whose image
// is a function of its own variable), report their plan, call on_tile twice per tile, and a
// callback that throws abandons the step with the image unchanged (how the viewer cancels).
std::vector<nst::Losses> run(nst::Optimizer optimizer, int tile, int steps, std::function<void(int, int, int)> on_tile = {},
                             nst::TilePlan* plan = nullptr) {
    nst::EngineOptions options;
    options.features = nst::parse_random_features("random:3");
    options.device = "cpu";
    options.tile = tile;
    options.on_tile = std::move(on_tile);
    auto params = shallow().params;
    params.optimizer = optimizer;
    params.lr = optimizer == nst::Optimizer::LBFGS ? 1.0f : 0.005f;
    params.style_weight = nst::kRandomFeaturesStyleWeight;
    nst::Engine engine(options, params);
    engine.set_images(nst::test::make_test_image(160, 120, 0), nst::test::make_test_image(128, 128, 1));
    std::vector<nst::Losses> out;
    for (int i = 0; i < steps; ++i) {
        engine.step();
        out.push_back(engine.last_losses());
    }
    if (plan) *plan = engine.tiling();
    return out;
}

TEST(Tiling, TiledRunsTakeTheUntiledStepsAdamAndLbfgs) {
    for (const auto optimizer : {nst::Optimizer::Adam, nst::Optimizer::LBFGS}) {
        nst::TilePlan plan;
        const auto untiled = run(optimizer, 0, 4);
        const auto tiled = run(optimizer, 48, 4, {}, &plan);
        EXPECT_EQ(plan.tile, 48);
        EXPECT_EQ(plan.count(), 4 * 3);
        // L-BFGS's curvature pairs amplify the gradients' ~1e-6 rounding differences step by step
        // (2.5e-4 by its third step here); its first two steps check the gradient to 1e-4.
        for (std::size_t i = 0; i < tiled.size(); ++i) {
            const double bound = optimizer == nst::Optimizer::LBFGS && i >= 2 ? 2e-3 : 1e-4;
            EXPECT_NEAR(tiled[i].total, untiled[i].total, bound * untiled[i].total) << nst::optimizer_name(optimizer) << " step " << i;
        }
        EXPECT_LT(tiled.back().total, tiled.front().total) << nst::optimizer_name(optimizer);
    }
}

TEST(Tiling, OnTileReportsBothPassesAndCancelsByThrowing) {
    std::vector<std::pair<int, int>> calls;
    (void)run(nst::Optimizer::Adam, 48, 1, [&](int pass, int done, int total) {
        EXPECT_EQ(total, 12);
        calls.emplace_back(pass, done);
    });
    ASSERT_EQ(calls.size(), 24u);
    EXPECT_EQ(calls.front(), std::make_pair(1, 1));
    EXPECT_EQ(calls[11], std::make_pair(1, 12));
    EXPECT_EQ(calls.back(), std::make_pair(2, 12));

    struct Cancelled {};
    nst::EngineOptions options;
    options.features = nst::parse_random_features("random:3");
    options.device = "cpu";
    options.tile = 48;
    bool cancel = false;
    options.on_tile = [&](int pass, int done, int) {
        if (cancel && pass == 2 && done == 5) throw Cancelled{};
    };
    nst::Engine engine(options, shallow().params);
    engine.set_images(nst::test::make_test_image(160, 120, 0), nst::test::make_test_image(128, 128, 1));
    engine.step();
    const auto before = engine.image();
    cancel = true;
    EXPECT_THROW(engine.step(), Cancelled);
    EXPECT_EQ(engine.image().rgb, before.rgb);
    EXPECT_EQ(engine.steps_done(), 1);
    cancel = false;
    engine.step();  // and the engine carries on
    EXPECT_EQ(engine.steps_done(), 2);
}

}  // namespace
