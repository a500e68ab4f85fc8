// Spatial control through the engine's public API (Engine::set_spatial): regions with their own
// styles, the background, `none` regions, the content map, and the refusals. With untrained
// features: colour is what random features carry, so "the red style's half turns red" is a real
// effect to assert without pretrained weights.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "nst/nst.h"
#include "support/engine_inputs.h"

namespace {

using nst::test::asset;
using nst::test::cpu_random;
using nst::test::red_minus_blue;
using nst::test::tinted;

constexpr int kW = 64, kH = 48;

nst::Params params() {
    auto p = nst::Params::defaults();
    p.style_weight = nst::kRandomFeaturesStyleWeight;
    return p;
}

nst::Plane constant(float v, int w = kW, int h = kH) {
    return {w, h, std::vector<float>(static_cast<std::size_t>(w) * h, v)};
}

// 1 where x < split (as a fraction of the width), else 0.
nst::Plane left_of(double split, int w = kW, int h = kH) {
    nst::Plane p = constant(0, w, h);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) p.values[static_cast<std::size_t>(y) * w + x] = x < split * w ? 1.f : 0.f;
    return p;
}

nst::Plane inverted(nst::Plane p) {
    for (float& v : p.values) v = 1.f - v;
    return p;
}

// Mid-grey with a faint texture, the same in both halves.
nst::Image grey_content() {
    nst::Image img{kW, kH, std::vector<float>(static_cast<std::size_t>(kW) * kH * 3)};
    for (int y = 0; y < kH; ++y)
        for (int x = 0; x < kW; ++x)
            for (int c = 0; c < 3; ++c)
                img.rgb[(static_cast<std::size_t>(y) * kW + x) * 3 + c] = 0.5f + 0.05f * std::sin(0.7f * y + 1.3f * c);
    return img;
}

nst::SpatialControl halves() {
    nst::SpatialControl c;
    c.regions.push_back({left_of(0.5), 0, 1.0f, "left.png"});
    c.regions.push_back({inverted(left_of(0.5)), 1, 1.0f, "right.png"});
    return c;
}

// The loss at the start (x = content) under a spatial control.
nst::Losses first_losses(const nst::Params& p, const std::vector<nst::Image>& styles, const nst::Image& content,
                         const nst::SpatialControl& c) {
    nst::Engine e(cpu_random(), p);
    e.set_images(content, styles);
    e.set_spatial(c);
    e.step();
    return e.last_losses();
}

TEST(Regions, EachHalfTakesItsOwnStylesColourWithoutRegionsBothTakeTheBlend) {
    const auto red = tinted(kW, kH, 0, 1), blue = tinted(kW, kH, 2, 2), content = grey_content();
    auto p = params();
    p.lr = 0.03f;
    constexpr int kSteps = 40;
    auto run = [&](const nst::SpatialControl& c) {
        nst::Engine e(cpu_random(), p);
        e.set_images(content, {red, blue});
        e.set_spatial(c);
        for (int s = 0; s < kSteps; ++s) e.step();
        return e.image();
    };
    const double start_left = red_minus_blue(content, 0, kW / 2), start_right = red_minus_blue(content, kW / 2, kW);
    const auto with = run(halves());
    const double left = red_minus_blue(with, 0, kW / 2) - start_left;
    const double right = red_minus_blue(with, kW / 2, kW) - start_right;
    const auto without = run({});
    const double plain_left = red_minus_blue(without, 0, kW / 2) - start_left;
    const double plain_right = red_minus_blue(without, kW / 2, kW) - start_right;
    std::printf("red - blue moved: regions left %+.4f right %+.4f; no regions left %+.4f right %+.4f\n", left, right,
                plain_left, plain_right);
    // The red style's half turns redder than bluer, the blue style's half bluer, each by a clear
    // margin; without regions both halves move alike (toward the blend), far less apart.
    EXPECT_GT(left, 0.3);
    EXPECT_LT(right, -0.3);
    EXPECT_LT(std::abs(plain_left - plain_right), 0.25 * (left - right));
}

TEST(Regions, OneRegionOverEverythingIsThatStyleAloneAndNoneHasNoStyleTerm) {
    const auto content = asset("content.jpg", 64), painting = asset("style.jpg", 64);
    nst::Image second = content;
    for (float& v : second.rgb) v = 1.0f - v;
    auto p = params();
    const auto plain_first = first_losses(p, {painting}, content, {});
    auto blend_one = p;
    blend_one.style_blend = {0, 1};
    const auto plain_second = first_losses(blend_one, {painting, second}, content, {});
    const int w = content.width, h = content.height;

    nst::SpatialControl all_second;
    all_second.regions.push_back({constant(1, w, h), 1, 1.0f, "all.png"});
    const auto l = first_losses(p, {painting, second}, content, all_second);
    EXPECT_NEAR(l.style, plain_second.style, 1e-5 * plain_second.style) << "a full region is its style alone";
    EXPECT_NEAR(l.content, plain_second.content, 1e-6 + 1e-5 * plain_second.content);

    all_second.regions[0].weight = 2.5f;
    EXPECT_NEAR(first_losses(p, {painting, second}, content, all_second).style, 2.5 * plain_second.style,
                1e-5 * plain_second.style);

    nst::SpatialControl none;
    none.regions.push_back({constant(1, w, h), nst::kRegionNone, 1.0f, "none.png"});
    EXPECT_EQ(first_losses(p, {painting}, content, none).style, 0.0) << "a none region everywhere leaves no style term";

    // A region that covers nothing leaves the background, which is the blend: the plain loss.
    nst::SpatialControl empty_region;
    empty_region.regions.push_back({constant(0, w, h), 0, 1.0f, "empty.png"});
    EXPECT_NEAR(first_losses(p, {painting}, content, empty_region).style, plain_first.style, 1e-5 * plain_first.style);
}

TEST(Regions, TheContentMapScalesTheContentTermPerPixel) {
    const auto content = asset("content.jpg", 64), painting = asset("style.jpg", 64);
    auto p = params();
    // From noise, so that the content term is not 0 at the start.
    auto run = [&](const nst::SpatialControl& c) {
        nst::Engine e(cpu_random(), p);
        e.set_images(content, {painting}, nst::Init::Noise);
        e.set_spatial(c);
        e.step();
        return e.last_losses();
    };
    const auto plain = run({});
    ASSERT_GT(plain.content, 0);
    const int w = content.width, h = content.height;
    nst::SpatialControl map;
    map.content_map = constant(2, w, h);
    EXPECT_NEAR(run(map).content, 2 * plain.content, 1e-5 * plain.content);
    map.content_map = constant(0, w, h);
    EXPECT_EQ(run(map).content, 0.0);
    // Half 0, half 4: between, and the style and TV terms untouched.
    map.content_map = left_of(0.5, w, h);
    for (float& v : map.content_map.values) v *= 4;
    const auto half = run(map);
    EXPECT_GT(half.content, 0.5 * plain.content);
    EXPECT_LT(half.content, 4 * plain.content);
    EXPECT_NEAR(half.style, plain.style, 1e-6 * plain.style);
    EXPECT_NEAR(half.tv, plain.tv, 1e-6 * plain.tv);
}

TEST(Regions, PaintingIsInstantNoForwardPassAndMasksFollowANewSize) {
    const auto content = asset("content.jpg", 64), painting = asset("style.jpg", 64);
    nst::Engine e(cpu_random(), params());
    e.set_images(content, {painting, tinted(kW, kH, 2, 5)});
    e.step();
    const long passes = e.target_passes();
    const double before = e.last_losses().style;
    nst::SpatialControl c;
    c.regions.push_back({left_of(0.3, content.width, content.height), 1, 1.0f, "stroke"});
    e.set_spatial(c);
    e.step();
    EXPECT_EQ(e.target_passes(), passes) << "a stroke must compute no target";
    EXPECT_NE(e.last_losses().style, before) << "the next step uses the new masks";
    EXPECT_EQ(e.spatial(), c);
    // Coarse-to-fine: a smaller content keeps the masks (resampled to it).
    e.retarget(asset("content.jpg", 32), {painting, tinted(kW, kH, 2, 5)}, e.image());
    e.step();
    EXPECT_TRUE(std::isfinite(e.last_losses().total));
    EXPECT_EQ(e.spatial().regions.size(), 1u);
}

void expect_usage_error(nst::Engine& e, const nst::SpatialControl& c, const std::string& needle) {
    const auto kept = e.spatial();
    try {
        e.set_spatial(c);
        ADD_FAILURE() << "expected a UsageError mentioning " << needle;
    } catch (const nst::UsageError& err) {
        EXPECT_NE(std::string(err.what()).find(needle), std::string::npos) << err.what();
    }
    EXPECT_EQ(e.spatial(), kept) << "a refused control leaves the previous one";
}

TEST(Regions, BadControlsAreRefusedNamingTheRegionAndKeepThePreviousOne) {
    const auto content = asset("content.jpg", 64), painting = asset("style.jpg", 64);
    nst::Engine e(cpu_random(), params());
    e.set_images(content, {painting});
    const int w = content.width, h = content.height;
    nst::SpatialControl good;
    good.regions.push_back({left_of(0.5, w, h), 0, 1.0f, "good.png"});
    e.set_spatial(good);

    auto one = [&](int style, float weight, nst::Plane mask = {}) {
        nst::SpatialControl c;
        c.regions.push_back({mask.empty() ? left_of(0.5, w, h) : mask, style, weight, "m.png"});
        return c;
    };
    expect_usage_error(e, one(1, 1), "style 1 is out of range");
    expect_usage_error(e, one(0, -1), "m.png");
    expect_usage_error(e, one(0, std::nanf("")), "finite");
    expect_usage_error(e, one(0, 1, constant(1, 2 * w, h)), std::to_string(2 * w) + "x" + std::to_string(h));
    nst::SpatialControl many;
    for (int r = 0; r < nst::kMaxRegions + 1; ++r) many.regions.push_back({left_of(0.5, w, h), 0, 1.0f, "r.png"});
    expect_usage_error(e, many, "at most 16");
    nst::SpatialControl bad_map;
    bad_map.content_map = constant(1, w, 3 * h);
    expect_usage_error(e, bad_map, "--content-map");
    e.step();  // the kept control still runs
    EXPECT_TRUE(std::isfinite(e.last_losses().total));
}

}  // namespace
