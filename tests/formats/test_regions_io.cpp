// Spatial control without LibTorch (nst/regions.h): --region values read from the right, the
// content map's grey mapping and its inverse, mask resampling, the aspect check, and masks and maps
// written and read back as the PNGs nst takes.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "nst/error.h"
#include "nst/image.h"
#include "nst/regions.h"
#include "support/test_util.h"

namespace {

using nst::Plane;
using nst::RegionSpec;
using nst::test::message_of;

Plane constant_plane(int width, int height, float v) {
    return {width, height, std::vector<float>(static_cast<std::size_t>(width) * height, v)};
}

// Left half 1, right half 0 (the masks the CLI tests paint too).
Plane left_half(int width, int height) {
    Plane p = constant_plane(width, height, 0.0f);
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width / 2; ++x) p.values[static_cast<std::size_t>(y) * width + x] = 1.0f;
    return p;
}

TEST(Regions, ParseReadsFromTheRight) {
    EXPECT_EQ(nst::parse_region("m.png:1"), (RegionSpec{"m.png", 1, 1.0f}));
    EXPECT_EQ(nst::parse_region("m.png:0:2.5"), (RegionSpec{"m.png", 0, 2.5f}));
    EXPECT_EQ(nst::parse_region("m.png:none"), (RegionSpec{"m.png", nst::kRegionNone, 1.0f}));
    EXPECT_EQ(nst::parse_region("m.png:none:2"), (RegionSpec{"m.png", nst::kRegionNone, 2.0f}));
    EXPECT_EQ(nst::parse_region("m.png:3:0"), (RegionSpec{"m.png", 3, 0.0f})) << "weight 0 switches it off";
    // Paths with ':' (a drive, a timestamp in a name): the last fields are STYLE[:WEIGHT].
    EXPECT_EQ(nst::parse_region("a:b:1"), (RegionSpec{"a:b", 1, 1.0f}));
    EXPECT_EQ(nst::parse_region("C:/masks/sky.png:2:0.5"), (RegionSpec{"C:/masks/sky.png", 2, 0.5f}));
    EXPECT_EQ(nst::parse_region("12:30:00.png:0"), (RegionSpec{"12:30:00.png", 0, 1.0f}));
    EXPECT_EQ(nst::parse_region("dir with space/m.png:1"), (RegionSpec{"dir with space/m.png", 1, 1.0f}));
}

TEST(Regions, FormatIsParsesInverse) {
    for (const RegionSpec& r : {RegionSpec{"m.png", 0, 1.0f}, RegionSpec{"m.png", nst::kRegionNone, 2.0f},
                                RegionSpec{"a:b", 1, 1.0f}, RegionSpec{"x:1", 2, 1.0f},
                                RegionSpec{"x:none", nst::kRegionNone, 0.1f}, RegionSpec{"m.png", 15, 1e-7f}}) {
        SCOPED_TRACE(r.mask);
        EXPECT_EQ(nst::parse_region(nst::format_region(r)), r) << nst::format_region(r);
    }
    EXPECT_EQ(nst::format_region({"m.png", 0, 1.0f}), "m.png:0") << "the default weight is left out";
    EXPECT_EQ(nst::format_region({"m.png", nst::kRegionNone, 2.0f}), "m.png:none:2");
}

TEST(Regions, BadValuesNameTheValueOnOneLine) {
    const auto message = [](const std::string& value) {
        return message_of<nst::UsageError>([&] { static_cast<void>(nst::parse_region(value)); });
    };
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"m.png", "expected MASK.png:STYLE[:WEIGHT]"},
        {":0", "an empty mask path"},
        {":none:2", "an empty mask path"},
        {"m.png:", "style '' is not an index"},
        {"m.png:x", "style 'x' is not an index"},
        {"m.png:0x", "style '0x' is not an index"},
        {"m.png:1.5", "style '1.5' is not an index"},
        {"m.png:-1", "style -1: must be >= 0 or none"},
        {"m.png:-1:2", "style -1: must be >= 0 or none"},
        {"m.png:99999999999", "is not an index"},
        {"m.png:0:", "weight '' is not a number"},
        {"m.png:0:abc", "weight 'abc' is not a number"},
        {"m.png:0:1:junk", "weight 'junk' is not a number"},
        {"m.png:0:-1", "the weight must be a finite number >= 0"},
        {"m.png:0:nan", "the weight must be a finite number >= 0"},
        {"m.png:0:inf", "the weight must be a finite number >= 0"},
        {"m.png:0:1e99", "the weight must be a finite number >= 0"},
    };
    for (const auto& [value, why] : cases) {
        SCOPED_TRACE(value);
        const std::string m = message(value);
        EXPECT_TRUE(m.starts_with("--region " + value + ": ")) << m;
        EXPECT_TRUE(nst::test::contains(m, why));
        EXPECT_EQ(m.find('\n'), std::string::npos) << m;
    }
    EXPECT_TRUE(message("").starts_with("--region '': ")) << message("");
}

TEST(Regions, CheckRegionsCountAndStyleRange) {
    std::vector<RegionSpec> regions = {{"a.png", 0, 1.0f}, {"b.png", nst::kRegionNone, 1.0f}, {"c.png", 1, 1.0f}};
    EXPECT_NO_THROW(nst::check_regions(regions, 2));
    EXPECT_EQ(message_of<nst::UsageError>([&] { nst::check_regions(regions, 1); }),
              "--region c.png:1: style 1 is out of range: 1 style image given (indices from 0)");
    regions.assign(nst::kMaxRegions, RegionSpec{"m.png", 0, 1.0f});
    EXPECT_NO_THROW(nst::check_regions(regions, 1));
    regions.push_back(regions.back());
    EXPECT_EQ(message_of<nst::UsageError>([&] { nst::check_regions(regions, 1); }),
              "--region: 17 regions given, at most 16");
}

TEST(Regions, ContentMultiplierMapping) {
    EXPECT_EQ(nst::content_multiplier(0.0f), 0.0f);
    EXPECT_EQ(nst::content_multiplier(128.0f / 255), 1.0f) << "grey 128 leaves the content term as it is";
    EXPECT_EQ(nst::content_multiplier(1.0f), nst::kMaxContentMultiplier);
    EXPECT_FLOAT_EQ(nst::content_multiplier(64.0f / 255), 0.5f);
    EXPECT_FLOAT_EQ(nst::content_multiplier(191.5f / 255), 2.5f);
    EXPECT_EQ(nst::content_multiplier(-1.0f), 0.0f);
    EXPECT_EQ(nst::content_multiplier(2.0f), nst::kMaxContentMultiplier);
    // Monotone over the bytes, and the inverse gives each byte back.
    float previous = -1;
    for (int b = 0; b <= 255; ++b) {
        const float m = nst::content_multiplier(b / 255.0f);
        EXPECT_GT(m, previous) << b;
        previous = m;
        EXPECT_NEAR(nst::content_grey(m) * 255, b, 1e-3) << b;
    }
    EXPECT_EQ(nst::content_grey(1.0f) * 255, 128.0f);
    EXPECT_EQ(nst::content_grey(-3.0f), 0.0f) << "clamped";
    EXPECT_EQ(nst::content_grey(100.0f), 1.0f) << "clamped";
}

TEST(Regions, PlanesFromAndToImages) {
    const nst::Image grey = nst::test::make_constant_image(3, 2, 0.25f, 0.25f, 0.25f);
    const Plane p = nst::plane_from_image(grey);
    ASSERT_EQ(p.width, 3);
    ASSERT_EQ(p.height, 2);
    for (const float v : p.values) EXPECT_NEAR(v, 0.25f, 1e-6f);
    // Luminance (Rec. 601): pure green is brighter than pure red, pure blue the darkest.
    const float r = nst::plane_from_image(nst::test::make_constant_image(1, 1, 1, 0, 0)).values[0];
    const float g = nst::plane_from_image(nst::test::make_constant_image(1, 1, 0, 1, 0)).values[0];
    const float b = nst::plane_from_image(nst::test::make_constant_image(1, 1, 0, 0, 1)).values[0];
    EXPECT_NEAR(r, 0.299f, 1e-6f);
    EXPECT_NEAR(g, 0.587f, 1e-6f);
    EXPECT_NEAR(b, 0.114f, 1e-6f);
    const nst::Image back = nst::image_from_plane(p);
    EXPECT_EQ(back.width, 3);
    EXPECT_EQ(back.rgb.size(), 18u);
    EXPECT_EQ(nst::test::max_abs_diff(back, grey), 0.0f);
}

TEST(Regions, ResizeKeepsAConstantConstant) {
    for (const auto& [w, h] : std::vector<std::pair<int, int>>{{7, 5}, {64, 48}, {3, 200}, {1, 1}, {13, 13}}) {
        SCOPED_TRACE(std::to_string(w) + "x" + std::to_string(h));
        const Plane r = nst::resize_plane(constant_plane(13, 11, 0.7f), w, h);
        ASSERT_EQ(r.width, w);
        ASSERT_EQ(r.height, h);
        ASSERT_EQ(r.values.size(), static_cast<std::size_t>(w) * h);
        for (const float v : r.values) ASSERT_NEAR(v, 0.7f, 1e-6f);
    }
}

TEST(Regions, ShrinkingAveragesTheArea) {
    // 4x2 -> 2x1: each output is the mean of its 2x2 block.
    const Plane p{4, 2, {0, 1, 0.2f, 0.4f, 1, 0, 0.6f, 0.8f}};
    const Plane r = nst::resize_plane(p, 2, 1);
    EXPECT_FLOAT_EQ(r.values[0], 0.5f);
    EXPECT_FLOAT_EQ(r.values[1], 0.5f);
    // A non-integer ratio: 3 -> 2 columns, each output covers 1.5 source columns.
    const Plane q = nst::resize_plane(Plane{3, 1, {0, 1, 0.5f}}, 2, 1);
    EXPECT_FLOAT_EQ(q.values[0], (0 + 0.5f * 1) / 1.5f);
    EXPECT_FLOAT_EQ(q.values[1], (0.5f * 1 + 0.5f) / 1.5f);
    // The mean is kept, and a half mask stays half covered with a soft column at most.
    const Plane half = nst::resize_plane(left_half(40, 30), 15, 10);
    double sum = 0;
    for (const float v : half.values) sum += v;
    EXPECT_NEAR(sum / half.values.size(), 0.5, 1e-5);
    EXPECT_EQ(half.values[0], 1.0f);
    EXPECT_EQ(half.values[14], 0.0f);
}

TEST(Regions, GrowingIsBilinear) {
    const Plane r = nst::resize_plane(Plane{2, 1, {0, 1}}, 4, 1);
    // Cell centres of the output at 0.25, 0.75, 1.25, 1.75 source px; clamped at the edges.
    EXPECT_FLOAT_EQ(r.values[0], 0.0f);
    EXPECT_FLOAT_EQ(r.values[1], 0.25f);
    EXPECT_FLOAT_EQ(r.values[2], 0.75f);
    EXPECT_FLOAT_EQ(r.values[3], 1.0f);
    EXPECT_EQ(nst::resize_plane(r, 4, 1), r) << "the same size is a copy";
    EXPECT_THROW(static_cast<void>(nst::resize_plane(Plane{}, 4, 1)), nst::Error);
    EXPECT_THROW(static_cast<void>(nst::resize_plane(r, 0, 1)), nst::Error);
}

TEST(Regions, AspectWithinOnePercent) {
    EXPECT_NO_THROW(nst::check_mask_aspect(constant_plane(1000, 1000, 1), 500, 500, "--region m.png"));
    EXPECT_NO_THROW(nst::check_mask_aspect(constant_plane(1005, 1000, 1), 1000, 1000, "--region m.png"));
    EXPECT_NO_THROW(nst::check_mask_aspect(constant_plane(40, 30, 1), 32, 24, "--region m.png"));
    // A photo's own size is always fine at a small --size, whose short side was rounded.
    EXPECT_NO_THROW(nst::check_mask_aspect(constant_plane(1000, 333, 1), 64, 21, "--region m.png"));
    const std::string m = message_of<nst::UsageError>(
        [] { nst::check_mask_aspect(constant_plane(1020, 1000, 1), 1000, 1000, "--region m.png"); });
    EXPECT_EQ(m, "--region m.png: the mask is 1020x1000 but the content is 1000x1000: aspect ratios differ by more "
                 "than 1%");
    EXPECT_THROW(nst::check_mask_aspect(constant_plane(1000, 1020, 1), 1000, 1000, "x"), nst::UsageError);
    EXPECT_THROW(nst::check_mask_aspect(constant_plane(40, 20, 1), 32, 24, "x"), nst::UsageError);
}

class RegionFiles : public ::testing::Test {
protected:
    nst::test::TempDir dir;
};

TEST_F(RegionFiles, MaskRoundTripWithinOneLevel) {
    Plane mask{33, 17, {}};
    for (int i = 0; i < 33 * 17; ++i) mask.values.push_back(static_cast<float>((i * 37) % 256) / 255.0f * 0.999f);
    const auto path = dir / "mask.png";
    nst::save_mask(mask, path);
    const nst::SpatialControl back = nst::load_spatial({{path.string(), 0, 2.0f}}, {}, 33, 17);
    ASSERT_EQ(back.regions.size(), 1u);
    const nst::Region& r = back.regions[0];
    EXPECT_EQ(r.style, 0);
    EXPECT_EQ(r.weight, 2.0f);
    EXPECT_EQ(r.source, path.string());
    ASSERT_EQ(r.mask.values.size(), mask.values.size());
    for (std::size_t i = 0; i < mask.values.size(); ++i) ASSERT_NEAR(r.mask.values[i], mask.values[i], 1.0f / 255) << i;
    EXPECT_TRUE(back.content_map.empty());
    EXPECT_EQ(nst::test::list_dir(dir.path()), (std::vector<std::string>{"mask.png"})) << "no temporary file left";
}

TEST_F(RegionFiles, ContentMapRoundTripWithinOneLevel) {
    Plane map{20, 10, {}};
    for (int i = 0; i < 200; ++i) map.values.push_back(nst::kMaxContentMultiplier * static_cast<float>(i) / 199);
    const auto path = dir / "map.png";
    nst::save_content_map(map, path);
    const nst::SpatialControl back = nst::load_spatial({}, path, 20, 10);
    EXPECT_TRUE(back.regions.empty());
    ASSERT_EQ(back.content_map.values.size(), map.values.size());
    for (std::size_t i = 0; i < map.values.size(); ++i)
        ASSERT_NEAR(nst::content_grey(back.content_map.values[i]), nst::content_grey(map.values[i]), 1.0f / 255) << i;
    // Grey 128 reads back as exactly 1 (the plain content term there).
    nst::save_content_map(constant_plane(4, 4, 1.0f), path);
    for (const float v : nst::load_spatial({}, path, 4, 4).content_map.values) EXPECT_EQ(v, 1.0f);
}

TEST_F(RegionFiles, LoadResizesToTheContentAndChecksEachFile) {
    const auto a = dir / "a.png", b = dir / "b.png", wide = dir / "wide.png";
    nst::save_mask(left_half(40, 30), a);
    nst::save_mask(constant_plane(8, 6, 1.0f), b);
    nst::save_mask(constant_plane(40, 20, 1.0f), wide);
    const nst::SpatialControl s =
        nst::load_spatial({{a.string(), 0, 1.0f}, {b.string(), nst::kRegionNone, 0.5f}}, a, 20, 15);
    ASSERT_EQ(s.regions.size(), 2u);
    for (const nst::Region& r : s.regions) EXPECT_EQ(r.mask.width * 100 + r.mask.height, 2015);
    EXPECT_EQ(s.regions[1].style, nst::kRegionNone);
    EXPECT_EQ(s.content_map.width, 20);
    EXPECT_EQ(s.content_map.values[0], nst::kMaxContentMultiplier) << "white: photographic";
    EXPECT_EQ(s.content_map.values[19], 0.0f) << "black: pure style";

    const auto missing = (dir / "missing.png").string();
    EXPECT_EQ(message_of<nst::Error>([&] { static_cast<void>(nst::load_spatial({{missing, 0, 1}}, {}, 20, 15)); }),
              "--region " + missing + ": no such file");
    EXPECT_EQ(message_of<nst::Error>([&] { static_cast<void>(nst::load_spatial({}, missing, 20, 15)); }),
              "--content-map " + missing + ": no such file");
    nst::test::write_text(dir / "text.png", "not an image");
    EXPECT_TRUE(message_of<nst::Error>([&] {
                    static_cast<void>(nst::load_spatial({{(dir / "text.png").string(), 0, 1}}, {}, 20, 15));
                }).starts_with("--region " + (dir / "text.png").string() + ": "));
    EXPECT_EQ(message_of<nst::UsageError>(
                  [&] { static_cast<void>(nst::load_spatial({{wide.string(), 0, 1}}, {}, 20, 15)); }),
              "--region " + wide.string() + ": the mask is 40x20 but the content is 20x15: aspect ratios differ by "
                                            "more than 1%");
    EXPECT_TRUE(message_of<nst::UsageError>([&] { static_cast<void>(nst::load_spatial({}, wide, 20, 15)); })
                    .starts_with("--content-map " + wide.string() + ": the mask is 40x20"));
    // Masks are lossless files.
    EXPECT_THROW(nst::save_mask(constant_plane(2, 2, 1), dir / "m.jpg"), nst::UsageError);
}

}  // namespace
