// The losses that match features (--style-loss sw|remd|nn, --content-loss self-similarity) through
// the engine's public API, on untrained features: a style against itself, a short run, flat
// colours under nn, regions, what a switch computes, reproducible draws and the tiled refusal.
// Their formulas are checked against tests/parity_reference.py.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "nst/nst.h"
#include "nst/tiling.h"
#include "support/engine_inputs.h"

namespace {

using nst::test::asset;
using nst::test::cpu_random;
using nst::test::red_minus_blue;
using nst::test::tinted;

constexpr nst::StyleLoss kMatching[] = {nst::StyleLoss::SW, nst::StyleLoss::REMD, nst::StyleLoss::NN};

nst::Params params(nst::StyleLoss loss) {
    auto p = nst::Params::defaults();
    p.style_loss = loss;
    p.style_weight = nst::default_style_weight(loss, true);
    return p;
}

// The losses of the first step (evaluated at the start image).
nst::Losses first_losses(const nst::Params& p, const nst::Image& content, const std::vector<nst::Image>& styles,
                         const nst::SpatialControl& c = {}, std::uint64_t seed = 0) {
    auto o = cpu_random();
    o.seed = seed;
    nst::Engine e(o, p);
    e.set_images(content, styles);
    e.set_spatial(c);
    e.step();
    return e.last_losses();
}

nst::Image flat(int w, int h, float r, float g, float b) {
    nst::Image img{w, h, std::vector<float>(static_cast<std::size_t>(w) * h * 3)};
    for (std::size_t i = 0; i < img.rgb.size(); i += 3) {
        img.rgb[i] = r;
        img.rgb[i + 1] = g;
        img.rgb[i + 2] = b;
    }
    return img;
}

TEST(MatchLosses, AStyleAgainstItselfIsZeroAndAnotherImageIsNot) {
    // 32 px: fewer pixels and positions than --samples, so nothing is sampled and the comparison
    // is of every position with every position.
    const auto painting = asset("style.jpg", 32), photo = asset("content.jpg", 32);
    for (const auto loss : kMatching) {
        SCOPED_TRACE(nst::style_loss_name(loss));
        const auto p = params(loss);
        const double itself = first_losses(p, painting, {painting}).style;
        const double other = first_losses(p, photo, {painting}).style;
        std::printf("%s: itself %.3g, the photo %.3g\n", nst::style_loss_name(loss), itself, other);
        EXPECT_GT(other, 0.0);
        EXPECT_LT(std::abs(itself), 1e-4 * other);
    }
    auto p = params(nst::StyleLoss::Gram);
    p.content_loss = nst::ContentLoss::SelfSimilarity;
    EXPECT_LT(std::abs(first_losses(p, photo, {painting}).content), 1e-6) << "x = content: no content loss";
}

TEST(MatchLosses, EachFallsInAShortRunWithItsDraws) {
    const auto painting = asset("style.jpg", 40), photo = asset("content.jpg", 40);
    for (const auto loss : kMatching) {
        for (const auto content : {nst::ContentLoss::MSE, nst::ContentLoss::SelfSimilarity}) {
            SCOPED_TRACE(std::string(nst::style_loss_name(loss)) + " + " + nst::content_loss_name(content));
            auto p = params(loss);
            p.content_loss = content;
            p.samples = 128;  // 40x30 px: remd, nn and self-similarity (relu4_2 is 5x3: not) sample
            nst::Engine e(cpu_random(), p);
            e.set_images(photo, {painting}, nst::Init::Noise);
            std::vector<double> totals;
            for (int s = 0; s < 10; ++s) {
                e.step();
                totals.push_back(e.last_losses().total);
                ASSERT_TRUE(std::isfinite(totals.back()));
            }
            const double last3 = (totals[7] + totals[8] + totals[9]) / 3;
            std::printf("%s + %s: total %.4g -> %.4g\n", nst::style_loss_name(loss), nst::content_loss_name(content),
                        totals.front(), last3);
            EXPECT_LT(last3, 0.9 * totals.front());
        }
    }
}

TEST(MatchLosses, DrawsAreTheSeedsTheSameRunTwiceIsIdenticalAnotherSeedIsNot) {
    const auto painting = asset("style.jpg", 48), photo = asset("content.jpg", 48);
    auto p = params(nst::StyleLoss::REMD);
    p.samples = 128;
    const double a = first_losses(p, photo, {painting}, {}, 1).style;
    EXPECT_EQ(a, first_losses(p, photo, {painting}, {}, 1).style);
    EXPECT_NE(a, first_losses(p, photo, {painting}, {}, 2).style);
}

TEST(MatchLosses, NeuralNeighboursWithTwoFlatColoursLeaveEveryPixelNearOneOfThem) {
    // The style: red on the left, blue on the right. Only the style term (relu1_1, where the
    // untrained features still carry colour), from the photo.
    nst::Image style = flat(32, 32, 0.9f, 0.1f, 0.1f);
    for (int y = 0; y < 32; ++y)
        for (int x = 16; x < 32; ++x) {
            const std::size_t i = (static_cast<std::size_t>(y) * 32 + x) * 3;
            style.rgb[i] = 0.1f;
            style.rgb[i + 2] = 0.9f;
        }
    auto p = params(nst::StyleLoss::NN);
    p.style_layers = nst::parse_layer_spec("relu1_1:1", "--style-layers");
    p.content_layers = {};
    p.content_weight = 0;
    p.tv_weight = 0;
    p.style_weight = 1;
    p.lr = 0.05f;
    nst::Engine e(cpu_random(), p);
    const auto photo = asset("content.jpg", 32);
    e.set_images(photo, {style});
    for (int s = 0; s < 150; ++s) e.step();
    // Cosine matching is blind to a feature's length, and untrained features have no biases: a
    // patch scaled about the network's mean, mean + t·(red − mean), has red's features times t.
    // So "near one of them" is measured as the network sees colours: the angle between the
    // pixel's normalised colour (x − mean)/std and red's or blue's.
    const float mean[3] = {0.485f, 0.456f, 0.406f}, sd[3] = {0.229f, 0.224f, 0.225f};
    const auto angle_to = [&](const float* px, const float* colour) {
        double dot = 0, a = 0, b = 0;
        for (int c = 0; c < 3; ++c) {
            const double u = (px[c] - mean[c]) / sd[c], v = (colour[c] - mean[c]) / sd[c];
            dot += u * v;
            a += u * u;
            b += v * v;
        }
        return std::acos(std::clamp(dot / std::sqrt(a * b + 1e-20), -1.0, 1.0)) * 180 / 3.14159265358979;
    };
    const float red[3] = {0.9f, 0.1f, 0.1f}, blue[3] = {0.1f, 0.1f, 0.9f};
    const auto angles = [&](const nst::Image& img) {
        std::vector<double> out;
        for (std::size_t i = 0; i < img.rgb.size(); i += 3)
            out.push_back(std::min(angle_to(&img.rgb[i], red), angle_to(&img.rgb[i], blue)));
        std::sort(out.begin(), out.end());
        return out;
    };
    const auto after = angles(e.image()), before = angles(photo);
    const auto at = [](const std::vector<double>& v, double q) { return v[static_cast<std::size_t>(q * (v.size() - 1))]; };
    std::printf("nn, two flat colours: angle to red or blue, median %.1f p90 %.1f p99 %.1f max %.1f deg (the photo: "
                "median %.1f, max %.1f); loss %.4g\n",
                at(after, 0.5), at(after, 0.9), at(after, 0.99), after.back(), at(before, 0.5), before.back(),
                e.last_losses().style);
    // Half the pixels within 1 degree of one of the colours, nine in ten within 10 (the photo's
    // median is ~66); the rest sit where red and blue meet.
    EXPECT_LT(at(after, 0.5), 1.0);
    EXPECT_LT(at(after, 0.9), 10.0);
}

TEST(MatchLosses, RegionsKeepEachRegionToItsOwnStyle) {
    constexpr int kW = 48, kH = 32;
    const auto red = tinted(kW, kH, 0, 1), blue = tinted(kW, kH, 2, 2);
    const auto grey = flat(kW, kH, 0.5f, 0.5f, 0.5f);
    nst::Plane left{kW, kH, std::vector<float>(static_cast<std::size_t>(kW) * kH, 0.f)};
    for (int y = 0; y < kH; ++y)
        for (int x = 0; x < kW / 2; ++x) left.values[static_cast<std::size_t>(y) * kW + x] = 1.f;
    nst::Plane right = left;
    for (float& v : right.values) v = 1.f - v;
    nst::SpatialControl halves;
    halves.regions.push_back({left, 0, 1.0f, "left.png"});
    halves.regions.push_back({right, 1, 1.0f, "right.png"});
    for (const auto loss : kMatching) {
        SCOPED_TRACE(nst::style_loss_name(loss));
        auto p = params(loss);
        p.lr = 0.03f;
        nst::Engine e(cpu_random(), p);
        e.set_images(grey, {red, blue});
        e.set_spatial(halves);
        for (int s = 0; s < 30; ++s) e.step();
        const auto out = e.image();
        const double l = red_minus_blue(out, 0, kW / 2), r = red_minus_blue(out, kW / 2, kW);
        std::printf("%s with regions: red - blue left %+.3f, right %+.3f\n", nst::style_loss_name(loss), l, r);
        EXPECT_GT(l, 0.2);
        EXPECT_LT(r, -0.2);
    }
}

TEST(MatchLosses, SwitchingComputesTheStylesActivationsOnceAndNothingElse) {
    const auto painting = asset("style.jpg", 32), photo = asset("content.jpg", 32);
    nst::Engine e(cpu_random(), params(nst::StyleLoss::Gram));
    e.set_images(photo, {painting, photo});
    e.step();
    const long start = e.target_passes();
    const auto go = [&](nst::StyleLoss loss, nst::ContentLoss content = nst::ContentLoss::MSE) {
        auto p = params(loss);
        p.content_loss = content;
        const bool rebuild = e.needs_rebuild(p);
        e.set_params(p);
        e.step();
        EXPECT_TRUE(std::isfinite(e.last_losses().total));
        EXPECT_FALSE(e.needs_rebuild(p));
        return rebuild;
    };
    EXPECT_FALSE(go(nst::StyleLoss::W2));
    EXPECT_EQ(e.target_passes(), start) << "gram -> w2";
    EXPECT_TRUE(go(nst::StyleLoss::SW)) << "the first matching loss needs the styles' activations";
    EXPECT_EQ(e.target_passes(), start + 2) << "one pass per style";
    EXPECT_FALSE(go(nst::StyleLoss::REMD));
    EXPECT_FALSE(go(nst::StyleLoss::NN));
    EXPECT_FALSE(go(nst::StyleLoss::Gram));
    EXPECT_FALSE(go(nst::StyleLoss::NN, nst::ContentLoss::SelfSimilarity));
    EXPECT_EQ(e.target_passes(), start + 2) << "remd, nn, gram and self-similarity computed nothing more";
}

TEST(MatchLosses, TiledStepsRefuseThemNamingBothAndKeepTheRun) {
    const auto painting = asset("style.jpg", 96), photo = asset("content.jpg", 96);
    auto o = cpu_random();
    o.tile = 32;
    auto p = params(nst::StyleLoss::SW);
    p.style_layers = nst::parse_layer_spec("relu1_1:1,relu2_1:1", "--style-layers");
    p.content_layers = nst::parse_layer_spec("relu2_2:1", "--content-layers");
    {
        nst::Engine e(o, p);
        try {
            e.set_images(photo, {painting});
            FAIL() << "sw ran tiled";
        } catch (const nst::UsageError& err) {
            const std::string what = err.what();
            EXPECT_NE(what.find("--style-loss sw"), std::string::npos) << what;
            EXPECT_NE(what.find("--tile 32"), std::string::npos) << what;
        }
    }
    // A tiled gram run refuses a switch to self-similarity and carries on as it was.
    auto gram = p;
    gram.style_loss = nst::StyleLoss::Gram;
    nst::Engine e(o, gram);
    e.set_images(photo, {painting});
    e.step();
    auto ss = gram;
    ss.content_loss = nst::ContentLoss::SelfSimilarity;
    try {
        e.set_params(ss);
        FAIL() << "self-similarity ran tiled";
    } catch (const nst::UsageError& err) {
        EXPECT_NE(std::string(err.what()).find("--content-loss self-similarity"), std::string::npos) << err.what();
    }
    e.step();
    EXPECT_TRUE(e.tiling().tiled());
    EXPECT_TRUE(std::isfinite(e.last_losses().total));
}

}  // namespace
