// The creative controls through the engine's public API, on untrained features: a texture from
// the styles alone, seams of --seamless, colours only, per-layer style blends and gradient
// normalisation, each with its refusals. Their formulas are checked against
// tests/parity_reference.py; the units themselves in test_creative_units.cpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <string>
#include <utility>

#include "nst/nst.h"
#include "support/engine_inputs.h"
#include "support/test_util.h"

namespace {

using nst::test::asset;
using nst::test::cpu_random;

nst::Params random_params() {
    auto p = nst::Params::defaults();
    p.style_weight = nst::kRandomFeaturesStyleWeight;
    return p;
}

template <class F>
std::string usage_message(F&& f) {
    return nst::test::message_of<nst::UsageError>(std::forward<F>(f));
}

// Mean |difference| of horizontally and vertically neighbouring pixels: inside the image, and
// across the wrap-around seam (the last column with the first, the last row with the first).
struct Seams {
    double interior = 0, seam = 0;
};
Seams seams(const nst::Image& img) {
    const auto at = [&](int x, int y, int c) { return img.rgb[(static_cast<std::size_t>(y) * img.width + x) * 3 + c]; };
    double inner = 0, across = 0;
    long n_inner = 0, n_across = 0;
    for (int y = 0; y < img.height; ++y)
        for (int x = 0; x < img.width; ++x)
            for (int c = 0; c < 3; ++c) {
                const int xr = (x + 1) % img.width, yd = (y + 1) % img.height;
                const double dx = std::abs(at(xr, y, c) - at(x, y, c)), dy = std::abs(at(x, yd, c) - at(x, y, c));
                (xr == 0 ? across : inner) += dx;
                (xr == 0 ? n_across : n_inner) += 1;
                (yd == 0 ? across : inner) += dy;
                (yd == 0 ? n_across : n_inner) += 1;
            }
    return {inner / n_inner, across / n_across};
}

TEST(Texture, AnImageOfTheGivenSizeFromTheStylesAloneWithoutAContentTerm) {
    nst::Engine e(cpu_random(), random_params());
    e.set_texture(48, 32, {asset("style.jpg", 48)}, nst::Init::Noise);
    EXPECT_TRUE(e.texture());
    EXPECT_EQ(e.target_passes(), 1) << "one pass of the style, none of a content";
    double first = 0, last = 0;
    for (int i = 0; i < 15; ++i) {
        e.step();
        const auto l = e.last_losses();
        EXPECT_EQ(l.content, 0.0) << "step " << i;
        (i == 0 ? first : last) = l.total;
    }
    EXPECT_LT(last, 0.5 * first);
    const auto out = e.result();
    EXPECT_EQ(out.width, 48);
    EXPECT_EQ(out.height, 32);
    // What needs a content is refused naming it, and the texture goes on.
    auto post = random_params();
    post.colors = nst::ColorMode::Post;
    EXPECT_EQ(usage_message([&] { e.set_params(post); }), "--preserve-colors post needs a content image (texture mode has none)");
    auto only = random_params();
    only.colors_only = true;
    EXPECT_EQ(usage_message([&] { e.set_params(only); }), "--colors-only needs a content image (texture mode has none)");
    EXPECT_EQ(usage_message([&] { e.restart(nst::Init::Content); }),
              "--init content needs a content image: texture mode starts from noise or gray");
    EXPECT_NO_THROW(e.step());
    // A photo leaves texture mode.
    e.set_images(asset("content.jpg", 48), {asset("style.jpg", 48)});
    EXPECT_FALSE(e.texture());
}

TEST(Seamless, TheSeamsDifferNoMoreThanNeighboursInside) {
    // A texture of the painting from noise: without --seamless nothing ties the last column to the
    // first, so across the seam two unrelated pixels meet; with it the loss sees a torus.
    const auto painting = asset("style.jpg", 64);
    std::array<Seams, 2> s;
    for (const bool seamless : {false, true}) {
        auto p = random_params();
        p.seamless = seamless;
        nst::Engine e(cpu_random(), p);
        e.set_texture(64, 64, {painting}, nst::Init::Noise);
        for (int i = 0; i < 40; ++i) e.step();
        s[seamless] = seams(e.result());
        std::printf("seamless %d: neighbours inside %.4f, across the seam %.4f (%.2fx)\n", seamless,
                    s[seamless].interior, s[seamless].seam, s[seamless].seam / s[seamless].interior);
    }
    EXPECT_LT(s[1].seam, 1.25 * s[1].interior);
    EXPECT_GT(s[0].seam, 1.8 * s[0].interior);
}

TEST(Seamless, IsRefusedOffTheGridAndInTilesNamingBoth) {
    auto p = random_params();
    p.seamless = true;
    nst::Engine e(cpu_random(), p);
    EXPECT_EQ(usage_message([&] { e.set_texture(50, 48, {asset("style.jpg", 48)}); }),
              "--seamless needs both sides a multiple of 16 (the poolings before the deepest layer), not 50x48: e.g. "
              "48x48");
    EXPECT_EQ(nst::seamless_size(50, 40, p), (std::pair{48, 48}));
    EXPECT_EQ(nst::seamless_size(5, 300, p), (std::pair{16, 304}));
    auto o = cpu_random();
    o.tile = 32;
    nst::Engine tiled(o, p);
    const std::string m = usage_message([&] { tiled.set_texture(64, 64, {asset("style.jpg", 64)}); });
    EXPECT_NE(m.find("--seamless"), std::string::npos) << m;
    EXPECT_NE(m.find("--tile 32"), std::string::npos) << m;
    // Live: switching it on in a tiled run is refused and the run goes on as it was.
    auto plain = random_params();
    nst::Engine live(o, plain);
    live.set_texture(64, 64, {asset("style.jpg", 64)});
    EXPECT_NE(usage_message([&] { live.set_params(p); }).find("--tile 32"), std::string::npos);
    EXPECT_NO_THROW(live.step());
}

// Colour mean and population covariance of an image.
struct Moments {
    std::array<double, 3> mean{};
    std::array<double, 9> cov{};
};
Moments moments(const nst::Image& img) {
    Moments m;
    const double n = static_cast<double>(img.width) * img.height;
    for (std::size_t i = 0; i < img.rgb.size(); ++i) m.mean[i % 3] += img.rgb[i] / n;
    for (std::size_t i = 0; i < img.rgb.size(); i += 3)
        for (int a = 0; a < 3; ++a)
            for (int b = 0; b < 3; ++b) m.cov[a * 3 + b] += (img.rgb[i + a] - m.mean[a]) * (img.rgb[i + b] - m.mean[b]) / n;
    return m;
}

std::vector<double> luminance(const nst::Image& img) {
    std::vector<double> y;
    for (std::size_t i = 0; i < img.rgb.size(); i += 3)
        y.push_back(0.299 * img.rgb[i] + 0.587 * img.rgb[i + 1] + 0.114 * img.rgb[i + 2]);
    return y;
}

double correlation(const std::vector<double>& a, const std::vector<double>& b) {
    double ma = 0, mb = 0;
    for (std::size_t i = 0; i < a.size(); ++i) ma += a[i] / a.size(), mb += b[i] / b.size();
    double ab = 0, aa = 0, bb = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        ab += (a[i] - ma) * (b[i] - mb);
        aa += (a[i] - ma) * (a[i] - ma);
        bb += (b[i] - mb) * (b[i] - mb);
    }
    return ab / std::sqrt(aa * bb);
}

TEST(ColorsOnly, ThePhotoTakesThePaintingsColourMomentsAndKeepsItsLuminance) {
    const auto photo = asset("content.jpg", 128), painting = asset("style.jpg", 128);
    const auto out = nst::color::colors_only(photo, {painting}, {});
    ASSERT_EQ(out.width, photo.width);
    ASSERT_EQ(out.height, photo.height);
    const Moments want = moments(painting), got = moments(out), before = moments(photo);
    double mean_err = 0, cov_err = 0, moved = 0;
    for (int c = 0; c < 3; ++c) mean_err = std::max(mean_err, std::abs(got.mean[c] - want.mean[c]));
    for (int c = 0; c < 9; ++c) {
        cov_err = std::max(cov_err, std::abs(got.cov[c] - want.cov[c]));
        moved = std::max(moved, std::abs(before.cov[c] - want.cov[c]));
    }
    std::printf("mean error %.2e, covariance error %.2e (the photo's was %.2e off); luminance r %.3f\n", mean_err,
                cov_err, moved, correlation(luminance(out), luminance(photo)));
    // Exact before the clamp to [0,1] (test_creative_units.cpp); the pixels the clamp meets move
    // the moments by a little of the way they came.
    EXPECT_LT(mean_err, 2e-3);
    EXPECT_LT(cov_err, 0.05 * moved);
    EXPECT_GT(correlation(luminance(out), luminance(photo)), 0.85);
    // The engine shows the same picture while colors_only is on (and takes no step for it).
    auto p = random_params();
    p.colors_only = true;
    nst::Engine e(cpu_random(), p);
    e.set_images(photo, {painting});
    const auto shown = e.result();
    double diff = 0;
    for (std::size_t i = 0; i < out.rgb.size(); ++i) diff = std::max(diff, double(std::abs(shown.rgb[i] - out.rgb[i])));
    EXPECT_LT(diff, 1e-5);
    // Two paintings: the mix of their moments by the blend (the mean is the blend of the means).
    const auto photo2 = asset("content.jpg", 64), a = asset("style.jpg", 64), b = asset("content.jpg", 48);
    const auto mixed = moments(nst::color::colors_only(photo2, {a, b}, {3, 1}));
    const auto ma = moments(a), mb = moments(b);
    for (int c = 0; c < 3; ++c) EXPECT_NEAR(mixed.mean[c], 0.75 * ma.mean[c] + 0.25 * mb.mean[c], 4e-3) << c;
}

// The first step's style loss (at the start, x = the content) with style layer relu1_1 only.
double relu1_1_style(const nst::Image& content, const std::vector<nst::Image>& styles, const std::string& layer_blend,
                     nst::StyleLoss loss = nst::StyleLoss::Gram) {
    auto p = random_params();
    p.style_loss = loss;
    p.style_layers = nst::parse_layer_spec("relu1_1:1", "--style-layers");
    p.layer_blend = nst::parse_layer_blend(layer_blend);
    nst::Engine e(cpu_random(), p);
    e.set_images(content, styles);
    e.step();
    return e.last_losses().style;
}

TEST(LayerBlend, ALayerFedByOneStyleHasThatStylesTarget) {
    // The photo is the second style: a layer fed by it alone has the photo's own target, so the
    // style loss at the start (x = the photo) is zero there; fed by the painting it is not.
    const auto photo = asset("content.jpg", 40), painting = asset("style.jpg", 40);
    for (const auto loss : {nst::StyleLoss::Gram, nst::StyleLoss::W2, nst::StyleLoss::SW}) {
        SCOPED_TRACE(nst::style_loss_name(loss));
        const double own = relu1_1_style(photo, {painting, photo}, "relu1_1=0/1", loss);
        const double other = relu1_1_style(photo, {painting, photo}, "relu1_1=1/0", loss);
        const double both = relu1_1_style(photo, {painting, photo}, "", loss);
        std::printf("%s at relu1_1: the photo's own %.3g, the painting's %.3g, the equal blend %.3g\n",
                    nst::style_loss_name(loss), own, other, both);
        EXPECT_LT(std::abs(own), 1e-5 * other);
        EXPECT_GT(both, std::abs(own));
        EXPECT_LT(both, other);
    }
}

TEST(LayerBlend, ChangesLiveWithoutATargetPassAndIsCheckedAgainstTheStyles) {
    const auto photo = asset("content.jpg", 40), painting = asset("style.jpg", 40);
    auto p = random_params();
    nst::Engine e(cpu_random(), p);
    e.set_images(photo, {painting, photo});
    e.step();
    const long passes = e.target_passes();
    p.layer_blend = nst::parse_layer_blend("relu1_1=0/1,relu5_1=1/0");
    EXPECT_FALSE(e.needs_rebuild(p));
    e.set_params(p);
    e.step();
    EXPECT_EQ(e.target_passes(), passes) << "a per-layer blend recombines the kept sums";
    // Refusals name the flag and the part.
    EXPECT_EQ(usage_message([] { (void)nst::parse_layer_blend("relu1_1=0/1,relu1_1=1/0"); }),
              "--layer-blend relu1_1=0/1,relu1_1=1/0: 'relu1_1=1/0' names relu1_1 a second time");
    EXPECT_EQ(usage_message([] { (void)nst::parse_layer_blend("conv1_1=1"); }),
              "--layer-blend conv1_1=1: 'conv1_1=1' does not name a ReLU layer (relu1_1 ... relu5_4)");
    EXPECT_EQ(usage_message([] { (void)nst::parse_layer_blend("relu1_1=1/x"); }),
              "--layer-blend relu1_1=1/x: 'relu1_1=1/x' has a weight 'x' that is not a number");
    EXPECT_EQ(usage_message([] { (void)nst::parse_layer_blend("relu1_1"); }),
              "--layer-blend relu1_1: 'relu1_1' is not LAYER=W1/W2/... (e.g. relu1_1=0/1)");
    EXPECT_EQ(nst::format_layer_blend(nst::parse_layer_blend("relu1_1=0/1, relu4_1 = 2/0.5")), "relu1_1=0/1,relu4_1=2/0.5");
    p.layer_blend = nst::parse_layer_blend("relu1_1=1/1/1");
    e.set_params(p);
    EXPECT_EQ(usage_message([&] { e.step(); }), "--layer-blend relu1_1 has 3 weights for 2 style images");
    p.layer_blend = nst::parse_layer_blend("relu4_2=1/0");
    e.set_params(p);
    EXPECT_NE(usage_message([&] { e.step(); }).find("--layer-blend relu4_2: not one of the style layers"), std::string::npos);
    p.layer_blend = nst::parse_layer_blend("relu1_1=1/0");
    p.style_loss = nst::StyleLoss::REMD;
    EXPECT_NE(usage_message([&] { e.set_params(p); }).find("--layer-blend does not apply to --style-loss remd"),
              std::string::npos);
}

TEST(NormalizeGradients, KeepsTheLossesChangesTheStepsAndRefusesTiles) {
    const auto photo = asset("content.jpg", 40), painting = asset("style.jpg", 40);
    std::array<nst::Image, 2> images;
    std::array<nst::Losses, 2> first, last;
    for (const int on : {0, 1}) {
        auto p = random_params();
        p.normalize_gradients = on ? 1.0f : 0.0f;
        nst::Engine e(cpu_random(), p);
        e.set_images(photo, {painting});
        for (int i = 0; i < 10; ++i) {
            e.step();
            if (i == 0) first[on] = e.last_losses();
        }
        last[on] = e.last_losses();
        images[on] = e.image();
    }
    EXPECT_NEAR(first[1].total, first[0].total, 1e-6 * first[0].total) << "the loss is the plain terms'";
    EXPECT_LT(last[1].total, first[1].total);
    double diff = 0;
    for (std::size_t i = 0; i < images[0].rgb.size(); ++i)
        diff = std::max(diff, double(std::abs(images[0].rgb[i] - images[1].rgb[i])));
    EXPECT_GT(diff, 1e-3) << "normalised gradients take other steps";
    auto bad = random_params();
    bad.normalize_gradients = 1.5f;
    EXPECT_EQ(usage_message([&] { nst::Engine e(cpu_random(), bad); }),
              "--normalize-gradients 1.5: must be between 0 (off) and 1");
    auto p = random_params();
    p.normalize_gradients = 0.5f;
    auto o = cpu_random();
    o.tile = 32;
    nst::Engine tiled(o, p);
    const std::string m = usage_message([&] { tiled.set_images(asset("content.jpg", 64), {painting}); });
    EXPECT_NE(m.find("--normalize-gradients cannot run in tiles (--tile 32)"), std::string::npos) << m;
}

}  // namespace
