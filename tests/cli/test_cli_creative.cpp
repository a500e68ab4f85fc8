// `nst` with the creative controls: a texture without --content (--size WxH, --texture), --seamless
// (sizes rounded, refused in tiles), --colors-only (written at once), --normalize-gradients and
// --layer-blend: what a run writes and records, and each bad value refused with exit 2.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>

#include "nst/nst.h"
#include "support/cli_fixture.h"
#include "support/test_util.h"

namespace {

namespace fs = std::filesystem;
using nst::test::Cli;
using nst::test::contains;
using nst::test::read_log;
using nst::test::run_nst;

class CliCreative : public Cli {
protected:
    fs::path log = dir / "log.json";
    fs::path png = dir / "out.png";
    // base() without --content: texture mode.
    std::vector<std::string> texture(std::vector<std::string> extra) const {
        std::vector<std::string> args = {"--style", style.string(), "--output", png.string(), "--steps", "3",
                                         "--features", "random:1", "--device", "cpu", "--threads", "2",
                                         "--log-json", log.string()};
        args.insert(args.end(), extra.begin(), extra.end());
        return args;
    }
};

TEST_F(CliCreative, WithoutContentATextureOfTheGivenSizeWithoutAContentTerm) {
    const auto r = run_nst(texture({"--size", "40x24"}), dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_TRUE(contains(r.output, "texture 40x24 (no content term)")) << r.output;
    EXPECT_TRUE(contains(r.output, "start noise")) << r.output;
    const auto out = nst::load_image(png);
    EXPECT_EQ(out.width, 40);
    EXPECT_EQ(out.height, 24);
    const auto lines = read_log(log);
    ASSERT_EQ(lines.size(), 4u);
    EXPECT_EQ(lines[0].at("texture"), true);
    EXPECT_EQ(lines[0].at("width"), 40);
    EXPECT_EQ(lines[0].at("init"), "noise");
    for (std::size_t i = 1; i < lines.size(); ++i) EXPECT_EQ(lines[i].at("content"), 0.0) << "step " << i;
    // A single size is a square; --texture ignores a --content given with it (and says so).
    auto args = texture({"--size", "32", "--texture", "--content", content.string(), "--init", "gray"});
    const auto square = run_nst(args, dir.path());
    ASSERT_EQ(square.exit_code, 0) << square.output;
    EXPECT_TRUE(contains(square.output, "texture 32x32 (no content term), --content not used")) << square.output;
    EXPECT_TRUE(contains(square.output, "start gray")) << square.output;
    EXPECT_EQ(nst::load_image(png).height, 32);
}

TEST_F(CliCreative, SeamlessRoundsTheSizeToThePoolingGridAndIsRecorded) {
    const auto r = run_nst(texture({"--size", "40x24", "--seamless"}), dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_TRUE(contains(r.output, "--seamless: 40x24 rounded to 48x32 (multiples of 16")) << r.output;
    const auto out = nst::load_image(png);
    EXPECT_EQ(out.width, 48);
    EXPECT_EQ(out.height, 32);
    EXPECT_EQ(read_log(log)[0].at("seamless"), true);
    // With a photo: the content is resized to the rounded size (40x30 -> 48x32 at --size 40).
    auto args = base(content, style);
    args.insert(args.end(), {"--size", "40", "--seamless", "--normalize-gradients", "0.5", "--log-json", log.string()});
    const auto photo = run_nst(args, dir.path());
    ASSERT_EQ(photo.exit_code, 0) << photo.output;
    EXPECT_EQ(nst::load_image(output).width, 48);
    EXPECT_EQ(nst::load_image(output).height, 32);
    EXPECT_EQ(read_log(log)[0].at("normalize_gradients"), 0.5);
}

TEST_F(CliCreative, ColorsOnlyWritesTheRecolouredPhotoAtOnce) {
    // The bundled photo and painting (real colours: the synthetic test images are saturated enough
    // that the clamp to [0,1] would decide the moments).
    const std::string assets = std::string(NST_SOURCE_DIR) + "/assets/";
    const auto r = run_nst({"--content", assets + "content.jpg", "--style", assets + "style.jpg", "--colors-only",
                            "--size", "64", "--output", png.string(), "--log-json", log.string()},
                           dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_TRUE(contains(r.output, "colours only: content.jpg recoloured with the palette of style.jpg, 64x48")) << r.output;
    EXPECT_FALSE(contains(r.output, "steps/s")) << "no optimisation: " << r.output;
    EXPECT_EQ(read_log(log)[0].at("colors_only"), true);
    // The 8-bit file has the painting's colour mean, to rounding (and the few clamped pixels).
    const auto out = nst::load_image(png);
    const auto want = nst::resize_long_side(nst::load_image(assets + "style.jpg"), 64);
    const auto photo = nst::resize_long_side(nst::load_image(assets + "content.jpg"), 64);
    ASSERT_EQ(out.width, 64);
    ASSERT_EQ(out.height, 48);
    for (int c = 0; c < 3; ++c) {
        double a = 0, b = 0, p = 0;
        for (std::size_t i = c; i < out.rgb.size(); i += 3) a += out.rgb[i] / (out.rgb.size() / 3.0);
        for (std::size_t i = c; i < want.rgb.size(); i += 3) b += want.rgb[i] / (want.rgb.size() / 3.0);
        for (std::size_t i = c; i < photo.rgb.size(); i += 3) p += photo.rgb[i] / (photo.rgb.size() / 3.0);
        std::printf("channel %d: photo %.4f, painting %.4f, result %.4f\n", c, p, b, a);
        EXPECT_NEAR(a, b, 2e-3 + 1.0 / 510) << "channel " << c;
    }
}

TEST_F(CliCreative, LayerBlendAndNormalisedGradientsRunAndAreRecorded) {
    const fs::path style2 = dir / "style2.png";
    nst::save_image(nst::test::make_checkerboard(48, 40), style2);
    auto args = base(content, style);
    args.insert(args.end(), {"--style", style2.string(), "--layer-blend", "relu1_1=0/1,relu5_1=1/0",
                             "--normalize-gradients", "1", "--log-json", log.string()});
    const auto r = run_nst(args, dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_TRUE(contains(r.output, "normalised gradients 1 | layer blend relu1_1=0/1,relu5_1=1/0")) << r.output;
    const auto head = read_log(log)[0];
    EXPECT_EQ(head.at("layer_blend"), "relu1_1=0/1,relu5_1=1/0");
    EXPECT_EQ(head.at("normalize_gradients"), 1.0);
}

TEST_F(CliCreative, BadValuesExitTwoNamingThem) {
    const std::vector<std::pair<std::vector<std::string>, std::string>> with_content = {
        {{"--normalize-gradients", "2"}, "--normalize-gradients 2: must be between 0 (off) and 1"},
        {{"--normalize-gradients", "-0.5"}, "--normalize-gradients -0.5: must be between 0 (off) and 1"},
        {{"--normalize-gradients", "abc"}, "--normalize-gradients abc: must be between 0 (off) and 1"},
        {{"--layer-blend", "relu9_9=1"}, "--layer-blend relu9_9=1: 'relu9_9=1' does not name a ReLU layer"},
        {{"--layer-blend", "relu1_1=1/1"}, "--layer-blend relu1_1 has 2 weights for 1 style image"},
        {{"--layer-blend", "relu4_2=1"}, "--layer-blend relu4_2: not one of the style layers"},
        {{"--layer-blend", "relu1_1=0"}, "--layer-blend relu1_1=0: 'relu1_1=0' has only zero weights"},
        {{"--layer-blend", "relu1_1=1", "--style-loss", "remd"}, "--layer-blend does not apply to --style-loss remd"},
        {{"--size", "12xx"}, "--size 12xx: expected a long side N or WxH"},
        {{"--size", "10x5"}, "--size 10x5: each side must be between 16 and 8192"},
        {{"--seamless", "--tile", "16"}, "--seamless cannot run in tiles (--tile 16)"},
        {{"--normalize-gradients", "1", "--tile", "16"}, "--normalize-gradients cannot run in tiles (--tile 16)"},
        {{"--colors-only", "--texture"}, "--colors-only needs --content"},
    };
    for (const auto& [extra, needle] : with_content) {
        SCOPED_TRACE(extra[0] + " " + extra[1]);
        auto args = base(content, style);
        args.insert(args.end(), extra.begin(), extra.end());
        expect_failure(args, 2, {needle});
    }
    // Texture mode: what needs a content is refused naming it.
    const std::vector<std::pair<std::vector<std::string>, std::string>> without = {
        {{"--preserve-colors", "post"}, "--preserve-colors post needs --content (without it nst makes a texture)"},
        {{"--colors-only"}, "--colors-only needs --content (the photo to recolour)"},
        {{"--content-map", content.string()}, "--content-map needs --content"},
    };
    for (const auto& [extra, needle] : without) {
        SCOPED_TRACE(extra[0]);
        std::vector<std::string> args = {"--style", style.string(), "--output", output.string(), "--features", "random:1"};
        args.insert(args.end(), extra.begin(), extra.end());
        expect_failure(args, 2, {needle});
    }
}

}  // namespace
