// Colour control on the bundled photo and painting: YIQ round trip, `post` keeping the content's
// chrominance, luminance matching and colour histogram matching (Gatys et al. 2017).
#include <gtest/gtest.h>

#include <array>
#include <cmath>

#include "nst/nst.h"
#include "support/engine_inputs.h"
#include "support/test_util.h"

namespace {

using nst::test::asset;

struct ColourStats {
    std::array<double, 3> mean{};
    std::array<std::array<double, 3>, 3> cov{};
};

// Mean and population covariance of the colours, computed here by hand.
ColourStats stats_of(const nst::Image& img) {
    ColourStats s;
    const std::size_t n = img.rgb.size() / 3;
    for (std::size_t i = 0; i < n; ++i)
        for (int c = 0; c < 3; ++c) s.mean[c] += img.rgb[i * 3 + c] / static_cast<double>(n);
    for (std::size_t i = 0; i < n; ++i)
        for (int a = 0; a < 3; ++a)
            for (int b = 0; b < 3; ++b)
                s.cov[a][b] += (img.rgb[i * 3 + a] - s.mean[a]) * (img.rgb[i * 3 + b] - s.mean[b]) / static_cast<double>(n);
    return s;
}

// Luminance (Y of YIQ) mean and population standard deviation, by hand.
std::pair<double, double> luminance_stats(const nst::Image& img) {
    const std::size_t n = img.rgb.size() / 3;
    double sum = 0, sq = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const double y = 0.299 * img.rgb[i * 3] + 0.587 * img.rgb[i * 3 + 1] + 0.114 * img.rgb[i * 3 + 2];
        sum += y;
        sq += y * y;
    }
    const double mean = sum / static_cast<double>(n);
    return {mean, std::sqrt(sq / static_cast<double>(n) - mean * mean)};
}

TEST(Color, YiqRoundTripIsExactToFloatRounding) {
    const auto photo = asset("content.jpg", 128);
    const auto yiq = nst::color::rgb_to_yiq(photo);
    EXPECT_GT(nst::test::max_abs_diff(yiq, photo), 0.05f) << "the transform did nothing";
    // Y of a pure grey is the grey itself, with no chrominance.
    const auto grey = nst::color::rgb_to_yiq(nst::test::make_constant_image(2, 2, 0.4f, 0.4f, 0.4f));
    EXPECT_NEAR(grey.rgb[0], 0.4f, 1e-6f);
    EXPECT_NEAR(grey.rgb[1], 0.0f, 1e-6f);
    EXPECT_NEAR(grey.rgb[2], 0.0f, 1e-6f);
    EXPECT_LT(nst::test::max_abs_diff(nst::color::yiq_to_rgb(yiq), photo), 1e-6f);
}

TEST(Color, PostKeepsTheContentsChrominanceAndTheResultsLuminance) {
    const auto photo = asset("content.jpg", 128);
    const auto painting = nst::resize_to(asset("style.jpg", 128), photo.width, photo.height);
    const auto out = nst::color::keep_chrominance(painting, photo);
    const auto yiq_out = nst::color::rgb_to_yiq(out), yiq_photo = nst::color::rgb_to_yiq(photo),
               yiq_painting = nst::color::rgb_to_yiq(painting);
    float chroma = 0, luma = 0;
    for (std::size_t i = 0; i < yiq_out.rgb.size(); i += 3) {
        luma = std::max(luma, std::abs(yiq_out.rgb[i] - yiq_painting.rgb[i]));
        for (int c = 1; c < 3; ++c) chroma = std::max(chroma, std::abs(yiq_out.rgb[i + c] - yiq_photo.rgb[i + c]));
    }
    EXPECT_LT(chroma, 1e-6f);
    EXPECT_LT(luma, 1e-6f);
}

TEST(Color, HistogramMatchingGivesTheContentsMeanAndCovariance) {
    const auto photo = asset("content.jpg", 160);
    const auto painting = asset("style.jpg", 160);
    const auto matched = nst::color::match_histogram(painting, photo);
    ASSERT_EQ(matched.width, painting.width);
    ASSERT_EQ(matched.height, painting.height);
    const auto want = stats_of(photo), before = stats_of(painting), got = stats_of(matched);
    double moved = 0;
    for (int a = 0; a < 3; ++a) {
        EXPECT_NEAR(got.mean[a], want.mean[a], 1e-4) << "channel " << a;
        moved = std::max(moved, std::abs(before.mean[a] - want.mean[a]));
        for (int b = 0; b < 3; ++b) EXPECT_NEAR(got.cov[a][b], want.cov[a][b], 1e-4) << a << "," << b;
    }
    EXPECT_GT(moved, 0.05) << "the two images should start with different colours";
}

TEST(Color, LuminanceMatchingGivesTheContentsLuminanceMeanAndDeviation) {
    const auto photo = asset("content.jpg", 160);
    const auto painting = asset("style.jpg", 160);
    const auto matched = nst::color::match_luminance(painting, photo);
    for (std::size_t i = 0; i < matched.rgb.size(); i += 3) {
        ASSERT_EQ(matched.rgb[i], matched.rgb[i + 1]);  // grey: Y in all three channels
        ASSERT_EQ(matched.rgb[i], matched.rgb[i + 2]);
    }
    const auto [mean_c, sd_c] = luminance_stats(photo);
    const auto [mean_m, sd_m] = luminance_stats(matched);
    EXPECT_NEAR(mean_m, mean_c, 1e-5);
    EXPECT_NEAR(sd_m, sd_c, 1e-5);
    const auto only = nst::color::luminance_only(photo);
    EXPECT_NEAR(luminance_stats(only).first, mean_c, 1e-5);
}

TEST(StyleParams, BlendIsNormalisedAndBadWeightsAreNamed) {
    EXPECT_EQ(nst::normalized_blend({3, 1}, 2), (std::vector<float>{0.75f, 0.25f}));
    EXPECT_EQ(nst::normalized_blend({}, 4), (std::vector<float>(4, 0.25f)));
    EXPECT_EQ(nst::parse_blend(" 3, 1 "), (std::vector<float>{3, 1}));
    using nst::test::message_of;
    EXPECT_EQ(message_of<nst::UsageError>([] { nst::normalized_blend({1}, 2); }), "--style-blend has 1 weight for 2 style images");
    EXPECT_EQ(message_of<nst::UsageError>([] { nst::normalized_blend({1, -2}, 2); }), "--style-blend weight -2: must be >= 0");
    EXPECT_EQ(message_of<nst::UsageError>([] { nst::normalized_blend({0, 0}, 2); }),
              "--style-blend: the weights are all zero; at least one must be > 0");
    EXPECT_EQ(message_of<nst::UsageError>([] { nst::normalized_blend({INFINITY, 1}, 2); }), "--style-blend weight inf: must be a finite number");
    EXPECT_EQ(message_of<nst::UsageError>([] { nst::parse_blend("1,,2"); }), "--style-blend 1,,2: '' is not a number");
    EXPECT_EQ(message_of<nst::UsageError>([] { nst::check_style_scale(0); }), "--style-scale 0: must be between 0.1 and 4");
    EXPECT_EQ(message_of<nst::UsageError>([] { nst::parse_color_mode("yes"); }),
              "--preserve-colors yes: expected off, post, luminance or histogram");
    EXPECT_EQ(message_of<nst::UsageError>([] { nst::parse_style_loss("w1"); }), "--style-loss w1: expected gram, w2, sw, remd or nn");
    for (const auto m : {nst::ColorMode::Off, nst::ColorMode::Post, nst::ColorMode::Luminance, nst::ColorMode::Histogram})
        EXPECT_EQ(nst::parse_color_mode(nst::color_mode_name(m)), m);
}

}  // namespace
