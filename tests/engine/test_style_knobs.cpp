// Several styles, the blend, colour modes, the style scale and the W2 statistic through the
// engine's public API, on small real images (the bundled samples) with untrained features.
#include <gtest/gtest.h>

#include <cmath>

#include "nst/nst.h"
#include "support/engine_inputs.h"
#include "support/test_util.h"

namespace {

using nst::test::asset;
using nst::test::cpu_random;

nst::Params params_with(float scale = 1.0f) {
    auto p = nst::Params::defaults();
    p.style_weight = nst::kRandomFeaturesStyleWeight;
    p.style_scale = scale;
    return p;
}

// The style loss at the start (x = content) for these params and styles.
double first_style_loss(const nst::Params& p, const std::vector<nst::Image>& styles, const nst::Image& content) {
    nst::Engine e(cpu_random(), p);
    e.set_images(content, styles);
    e.step();
    return e.last_losses().style;
}

class StyleKnobs : public ::testing::Test {
protected:
    const nst::Image content = asset("content.jpg", 64);
    const nst::Image painting = asset("style.jpg", 64);
    // A second, different style: the photo itself, upside down in its colours.
    const nst::Image second = [this] {
        nst::Image s = content;
        for (float& v : s.rgb) v = 1.0f - v;
        return s;
    }();
};

TEST_F(StyleKnobs, BlendOfOneStyleEqualsThatStyleAlone) {
    auto p = params_with();
    const double a = first_style_loss(p, {painting}, content), b = first_style_loss(p, {second}, content);
    ASSERT_GT(std::abs(a - b), 0.01 * a) << "the two styles must differ for this test to mean anything";
    p.style_blend = {1, 0};
    EXPECT_NEAR(first_style_loss(p, {painting, second}, content), a, 1e-5 * a);
    p.style_blend = {0, 5};
    EXPECT_NEAR(first_style_loss(p, {painting, second}, content), b, 1e-5 * b);
    for (const auto stat : {nst::StyleLoss::W2}) {
        p.style_loss = stat;
        p.style_blend.clear();
        const double wa = first_style_loss(p, {painting}, content);
        p.style_blend = {2, 0};
        EXPECT_NEAR(first_style_loss(p, {painting, second}, content), wa, 1e-5 * wa);
    }
}

TEST_F(StyleKnobs, ABlendChangeIsInstantAndCostsNoForwardPass) {
    nst::Engine e(cpu_random(), params_with());
    e.set_images(content, std::vector<nst::Image>{painting, second});
    const long passes = e.target_passes();
    EXPECT_EQ(passes, 3) << "one pass for the content and one per style";
    e.step();
    const double equal = e.last_losses().style;
    auto p = params_with();
    p.style_blend = {1, 3};
    EXPECT_FALSE(e.needs_rebuild(p));
    e.set_params(p);
    e.step();
    EXPECT_EQ(e.target_passes(), passes) << "a blend change ran a forward pass";
    EXPECT_GT(std::abs(e.last_losses().style - equal), 1e-3 * equal) << "the blend did not change the loss";
    // Colours off -> post is instant too; the statistic needs no forward pass either.
    p.colors = nst::ColorMode::Post;
    EXPECT_FALSE(e.needs_rebuild(p));
    e.set_params(p);
    p.style_loss = nst::StyleLoss::W2;
    e.set_params(p);
    e.step();
    EXPECT_EQ(e.target_passes(), passes);
    // A new scale re-targets: both styles go through the network again (the content does not).
    p.style_scale = 0.5f;
    EXPECT_TRUE(e.needs_rebuild(p));
    e.set_params(p);
    EXPECT_EQ(e.target_passes(), passes + 3);
    EXPECT_EQ(e.steps_done(), 3) << "re-targeting keeps the run going";
}

TEST_F(StyleKnobs, StyleScaleChangesTheTargetsAndATooSmallScaleIsRefusedKeepingTheRun) {
    const double one = first_style_loss(params_with(1.0f), {painting}, content);
    const double two = first_style_loss(params_with(2.0f), {painting}, content);
    EXPECT_GT(std::abs(one - two), 0.01 * one);
    nst::Engine e(cpu_random(), params_with());
    e.set_images(content, painting);
    e.step();
    const auto before = e.image();
    // 0.1 x 64 px = 6 px: too small for relu5_1 (16 px); the run keeps its targets and image.
    const auto msg = nst::test::message_of<nst::UsageError>([&] { e.set_params(params_with(0.1f)); });
    EXPECT_TRUE(nst::test::contains(msg, "style image 6x6 is too small for layer relu5_1")) << msg;
    EXPECT_TRUE(nst::test::contains(msg, "--style-scale")) << msg;
    e.step();
    EXPECT_EQ(e.steps_done(), 2);
    EXPECT_GT(nst::test::max_abs_diff(e.image(), before), 0.0f);
}

TEST_F(StyleKnobs, PostAndLuminanceResultsCarryTheContentsChrominance) {
    for (const auto mode : {nst::ColorMode::Post, nst::ColorMode::Luminance}) {
        auto p = params_with();
        p.colors = mode;
        nst::Engine e(cpu_random(), p);
        e.set_images(content, painting);
        for (int i = 0; i < 5; ++i) e.step();
        const auto raw = e.image(), shown = e.result();
        const auto yiq_shown = nst::color::rgb_to_yiq(shown), yiq_raw = nst::color::rgb_to_yiq(raw),
                   yiq_content = nst::color::rgb_to_yiq(content);
        double chroma = 0, luma = 0;
        int clamped = 0;
        for (std::size_t i = 0; i < shown.rgb.size(); i += 3) {
            const bool edge = std::min({shown.rgb[i], shown.rgb[i + 1], shown.rgb[i + 2]}) <= 0.f ||
                              std::max({shown.rgb[i], shown.rgb[i + 1], shown.rgb[i + 2]}) >= 1.f;
            if (edge) {  // clamped to [0,1] for display: the colour left the gamut there
                ++clamped;
                continue;
            }
            luma = std::max(luma, static_cast<double>(std::abs(yiq_shown.rgb[i] - yiq_raw.rgb[i])));
            for (int c = 1; c < 3; ++c)
                chroma = std::max(chroma, static_cast<double>(std::abs(yiq_shown.rgb[i + c] - yiq_content.rgb[i + c])));
        }
        EXPECT_LT(chroma, 1e-5) << nst::color_mode_name(mode);
        EXPECT_LT(luma, 1e-5) << nst::color_mode_name(mode);
        EXPECT_LT(clamped, static_cast<int>(shown.rgb.size() / 3 / 10)) << nst::color_mode_name(mode);
        if (mode == nst::ColorMode::Luminance) {
            // The optimisation saw grey images: the iterate started as the content's luminance.
            double spread = 0;
            for (std::size_t i = 0; i < raw.rgb.size(); i += 3)
                spread = std::max(spread, static_cast<double>(std::abs(raw.rgb[i] - raw.rgb[i + 2])));
            EXPECT_LT(spread, 0.2) << "the iterate is far from grey";
        }
    }
}

TEST_F(StyleKnobs, W2OfAStyleAgainstItselfIsZeroAndItsLossFalls) {
    auto p = params_with();
    p.style_loss = nst::StyleLoss::W2;
    p.style_weight = nst::kW2StyleWeight;
    p.content_weight = p.tv_weight = 0;  // the style term alone must descend
    nst::Engine e(cpu_random(), p);
    e.set_images(content, painting);
    e.step();
    const double first = e.last_losses().style;
    for (int i = 0; i < 15; ++i) e.step();
    EXPECT_GT(first, 1e-4);
    EXPECT_LT(e.last_losses().style, 0.5 * first);
    // Against itself the distance is zero, to rounding.
    nst::Engine same(cpu_random(), p);
    same.set_images(painting, painting);
    same.step();
    EXPECT_NEAR(same.last_losses().style, 0.0, 1e-6 * first);
}

TEST_F(StyleKnobs, AStepWithABlendThatDoesNotMatchTheStylesIsRefused) {
    auto p = params_with();
    p.style_blend = {1, 2, 3};
    nst::Engine e(cpu_random(), p);
    e.set_images(content, std::vector<nst::Image>{painting, second});
    EXPECT_EQ(nst::test::message_of<nst::UsageError>([&] { e.step(); }),
              "--style-blend has 3 weights for 2 style images");
    p.style_blend = {1, 2};
    e.set_params(p);
    e.step();
    EXPECT_EQ(e.steps_done(), 1);
}

}  // namespace
