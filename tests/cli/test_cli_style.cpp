// `nst` with several styles, a blend, colour control, a style scale and the W2 statistic: what a
// run records, what it writes, and each bad value refused with exit 2 (files: exit 1).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>

#include "nst/nst.h"
#include "support/cli_fixture.h"
#include "support/test_util.h"

namespace {

namespace fs = std::filesystem;
using nst::test::Cli;
using nst::test::contains;
using nst::test::run_nst;

class CliStyle : public Cli {
protected:
    fs::path style2 = dir / "style2.png";
    fs::path log = dir / "log.json";
    void SetUp() override {
        Cli::SetUp();
        nst::save_image(nst::test::make_checkerboard(48, 40), style2);
    }
    std::vector<std::string> two_styles(std::vector<std::string> extra) const {
        auto args = base(content, style);
        args.insert(args.end(), {"--style", style2.string()});
        args.insert(args.end(), extra.begin(), extra.end());
        return args;
    }
};

TEST_F(CliStyle, TwoBlendedStylesAreRecordedInTheLogAndTheTerminal) {
    for (const bool comma : {false, true}) {
        auto args = comma ? base(content, fs::path(style.string() + "," + style2.string())) : two_styles({});
        args.insert(args.end(), {"--style-blend", "3,1", "--style-scale", "1.5", "--style-loss", "w2",
                                 "--preserve-colors", "histogram", "--log-json", log.string()});
        const auto r = run_nst(args, dir.path());
        ASSERT_EQ(r.exit_code, 0) << r.output;
        EXPECT_TRUE(contains(r.output, "style: style.jpg x0.75 + style2.png x0.25 | colours histogram | scale 1.5 | statistic w2"));
        std::ifstream in(log);
        std::string first;
        std::getline(in, first);
        const auto head = nlohmann::json::parse(first);
        EXPECT_EQ(head["styles"], (nlohmann::json{style.string(), style2.string()}));
        EXPECT_EQ(head["style_blend"], (nlohmann::json{0.75, 0.25}));
        EXPECT_EQ(head["preserve_colors"], "histogram");
        EXPECT_EQ(head["style_scale"], 1.5);
        EXPECT_EQ(head["style_loss"], "w2");
        EXPECT_EQ(nst::load_image(output).width, 32);
    }
}

TEST_F(CliStyle, PostWritesTheContentsChrominance) {
    const fs::path png = dir / "post.png";
    auto args = base(content, style);
    args[5] = png.string();  // --output
    args.insert(args.end(), {"--preserve-colors", "post", "--steps", "10"});
    const auto r = run_nst(args, dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const auto saved = nst::load_image(png);
    const auto out = nst::color::rgb_to_yiq(saved);
    const auto want = nst::color::rgb_to_yiq(nst::resize_long_side(nst::load_image(content), 32));
    ASSERT_EQ(out.rgb.size(), want.rgb.size());
    // 8-bit rounding of R, G and B moves I or Q by at most (0.596 + 0.274 + 0.321) / 2 / 255 = 0.0023.
    // Pixels with a channel at 0 or 255 were clamped (their colour left the gamut) and are skipped.
    float worst = 0;
    std::size_t clamped = 0;
    for (std::size_t i = 0; i < out.rgb.size(); i += 3) {
        const float lo = std::min({saved.rgb[i], saved.rgb[i + 1], saved.rgb[i + 2]});
        const float hi = std::max({saved.rgb[i], saved.rgb[i + 1], saved.rgb[i + 2]});
        if (lo <= 0.f || hi >= 1.f) {
            ++clamped;
            continue;
        }
        for (int c = 1; c < 3; ++c) worst = std::max(worst, std::abs(out.rgb[i + c] - want.rgb[i + c]));
    }
    EXPECT_LT(worst, 0.0024f);
    EXPECT_LT(clamped, out.rgb.size() / 3 / 4) << "too few pixels left to compare";
    // Without post the style's colours come through.
    args.insert(args.end(), {"--preserve-colors", "off"});
    ASSERT_EQ(run_nst(args, dir.path()).exit_code, 0);
    const auto plain = nst::color::rgb_to_yiq(nst::load_image(png));
    float moved = 0;
    for (std::size_t i = 0; i < plain.rgb.size(); i += 3) moved = std::max(moved, std::abs(plain.rgb[i + 1] - want.rgb[i + 1]));
    EXPECT_GT(moved, 0.01f);
}

TEST_F(CliStyle, BadValuesAreUsageErrorsNamingTheValue) {
    const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
        {{"--style-blend", "1"}, "--style-blend has 1 weight for 2 style images"},
        {{"--style-blend", "1,2,3"}, "--style-blend has 3 weights for 2 style images"},
        {{"--style-blend", "-1,2"}, "--style-blend weight -1: must be >= 0"},
        {{"--style-blend", "nan,1"}, "--style-blend weight nan: must be a finite number"},
        {{"--style-blend", "0,0"}, "--style-blend: the weights are all zero"},
        {{"--style-blend", "1,x"}, "--style-blend 1,x: 'x' is not a number"},
        {{"--preserve-colors", "yes"}, "--preserve-colors yes: expected off, post, luminance or histogram"},
        {{"--style-loss", "w1"}, "--style-loss w1: expected gram, w2, sw, remd or nn"},
        {{"--content-loss", "l1"}, "--content-loss l1: expected mse or self-similarity"},
        {{"--samples", "0"}, "--samples 0: must be between 2 and 8192"},
        {{"--samples", "-5"}, "--samples -5: must be between 2 and 8192"},
        {{"--sw-directions", "0"}, "--sw-directions 0: must be between 1 and 4096"},
        {{"--sw-directions", "many"}, "--sw-directions many:"},
        {{"--style-scale", "0"}, "--style-scale 0: must be between 0.1 and 4"},
        {{"--style-scale", "-2"}, "--style-scale -2: must be between 0.1 and 4"},
        {{"--style-scale", "inf"}, "--style-scale inf: must be between 0.1 and 4"},
        {{"--style-scale", "nan"}, "--style-scale nan: must be between 0.1 and 4"},
    };
    for (const auto& [extra, needle] : cases) {
        SCOPED_TRACE(extra[0] + " " + extra[1]);
        expect_failure(two_styles(extra), 2, {needle});
    }
}

TEST_F(CliStyle, TheMatchingLossesRunAreRecordedAndRefuseTiles) {
    const auto args = two_styles({"--style-loss", "nn", "--content-loss", "self-similarity", "--samples", "64",
                                  "--log-json", log.string()});
    const auto r = run_nst(args, dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_TRUE(contains(r.output, "statistic nn | content self-similarity")) << r.output;
    std::ifstream in(log);
    std::string first;
    std::getline(in, first);
    const auto head = nlohmann::json::parse(first);
    EXPECT_EQ(head.at("style_loss"), "nn");
    EXPECT_EQ(head.at("content_loss"), "self-similarity");
    EXPECT_EQ(head.at("samples"), 64);
    EXPECT_TRUE(nst::load_image(output).width > 0);
    // Tiles cannot compute a loss that compares every position with every other: refused, naming both.
    expect_failure(two_styles({"--style-loss", "sw", "--size", "96", "--tile", "32", "--style-layers",
                               "relu1_1:1,relu2_1:1", "--content-layers", "relu2_2:1"}),
                   2, {"--style-loss sw cannot run in tiles (--tile 32"});
}

TEST_F(CliStyle, AnUnreadableSecondStyleIsARuntimeErrorNamingTheFile) {
    const fs::path missing = dir / "missing.jpg";
    auto args = base(content, style);
    args.insert(args.end(), {"--style", missing.string()});
    expect_failure(args, 1, {missing.string() + ": no such file"});
    const fs::path text = dir / "notes.png";
    nst::test::write_text(text, "not an image");
    args.back() = text.string();
    expect_failure(args, 1, {text.string()});
}

}  // namespace
