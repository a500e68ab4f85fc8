// `nst --region MASK.png:STYLE[:WEIGHT]` and `--content-map MAP.png`: a run with two regions and a
// content map writes its output and says what it used (terminal, --log-json), and each bad input
// of issue 11 is refused before any work with its exit code and one line naming it, leaving the
// previous output as it was.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <string>
#include <vector>

#include "nst/nst.h"
#include "nst/regions.h"
#include "support/cli_fixture.h"
#include "support/test_util.h"

namespace {

namespace fs = std::filesystem;
using nst::test::Cli;
using nst::test::contains;
using nst::test::run_nst;
using nst::test::band;

class CliRegions : public Cli {
protected:
    fs::path style2 = dir / "style2.png";
    fs::path left = dir / "left.png";    // the fixture's content is 40x30
    fs::path right = dir / "right.png";
    fs::path map = dir / "map.png";
    fs::path log = dir / "log.json";

    void SetUp() override {
        Cli::SetUp();
        nst::save_image(nst::test::make_test_image(32, 32, 2), style2);
        nst::save_mask(band(40, 30, 0, 20), left);
        nst::save_mask(band(20, 15, 10, 20), right);  // another size, the same aspect
        nst::Plane strength{40, 30, std::vector<float>(40 * 30, 1.0f)};
        for (int x = 0; x < 10; ++x) strength.values[static_cast<std::size_t>(x)] = 4.0f;
        nst::save_content_map(strength, map);
    }

    // Two styles, fast settings; `extra` after them.
    std::vector<std::string> args(std::vector<std::string> extra) const {
        auto a = base(content, style);
        a[3] = style.string() + "," + style2.string();
        a.insert(a.end(), extra.begin(), extra.end());
        return a;
    }
};

TEST_F(CliRegions, TwoRegionsAndAContentMapWriteTheOutput) {
    const fs::path png = dir / "out.png";
    auto a = args({"--region", left.string() + ":0", "--region", right.string() + ":1:2", "--content-map",
                   map.string(), "--log-json", log.string()});
    a[5] = png.string();
    const auto r = run_nst(a, dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_TRUE(
        contains(r.output, "regions: 2 (left.png → style 0 ×1, right.png → style 1 ×2), content map: map.png"));
    const nst::Image out = nst::load_image(png);
    EXPECT_EQ(out.width, 32);
    EXPECT_EQ(out.height, 24);
    std::ifstream in(log);
    std::string first;
    ASSERT_TRUE(std::getline(in, first));
    const nlohmann::json head = nlohmann::json::parse(first);
    EXPECT_EQ(head["regions"], (nlohmann::json{{{"mask", left.string()}, {"style", 0}, {"weight", 1.0}},
                                               {{"mask", right.string()}, {"style", 1}, {"weight", 2.0}}}));
    EXPECT_EQ(head["content_map"], map.string());
}

TEST_F(CliRegions, ARegionWithoutStyleAndCoarseToFine) {
    // The masks are set once at the coarse level's size; the engine resamples them for the next.
    const auto r = run_nst(args({"--region", left.string() + ":none", "--size", "64", "--scales", "2",
                                 "--coarse-steps", "2", "--steps", "2"}),
                           dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_TRUE(contains(r.output, "regions: 1 (left.png → none ×1), content map: none"));
    EXPECT_EQ(nst::load_image(output).width, 64);
}

TEST_F(CliRegions, WithoutRegionsNothingIsSaidAboutThem) {
    const auto r = run_nst(args({"--log-json", log.string()}), dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_FALSE(contains(r.output, "regions:"));
    std::ifstream in(log);
    std::string first;
    ASSERT_TRUE(std::getline(in, first));
    EXPECT_EQ(nlohmann::json::parse(first)["regions"], nlohmann::json::array());
}

TEST_F(CliRegions, BadValuesAreRefusedNamingThem) {
    const std::string l = left.string();
    expect_failure(args({"--region", l + ":2"}), 2, {"--region " + l + ":2: style 2 is out of range: 2 style images"});
    expect_failure(args({"--region", l + ":-1"}), 2, {"--region " + l + ":-1: style -1: must be >= 0 or none"});
    expect_failure(args({"--region", l + ":sky"}), 2, {"--region " + l + ":sky: style 'sky'"});
    expect_failure(args({"--region", l + ":0:-1"}), 2, {"--region " + l + ":0:-1: the weight must be a finite"});
    expect_failure(args({"--region", l + ":0:nan"}), 2, {"--region " + l + ":0:nan: the weight must be a finite"});
    expect_failure(args({"--region", l + ":0:inf"}), 2, {"--region " + l + ":0:inf: the weight must be a finite"});
    expect_failure(args({"--region", l + ":0:1:extra"}), 2, {"--region " + l + ":0:1:extra: weight 'extra'"});
    expect_failure(args({"--region", l}), 2, {"--region " + l + ": expected MASK.png:STYLE[:WEIGHT]"});
    expect_failure(args({"--region", ":0"}), 2, {"--region :0: an empty mask path"});
    std::vector<std::string> many = args({});
    for (int k = 0; k <= nst::kMaxRegions; ++k) many.insert(many.end(), {"--region", l + ":0"});
    expect_failure(many, 2, {"--region: 17 regions given, at most 16"});
}

TEST_F(CliRegions, BadMaskFilesAreRefusedNamingThem) {
    const std::string missing = (dir / "missing.png").string();
    expect_failure(args({"--region", missing + ":0"}), 1, {"--region " + missing + ": no such file"});
    expect_failure(args({"--content-map", missing}), 1, {"--content-map " + missing + ": no such file"});
    const fs::path text = dir / "text.png";
    nst::test::write_text(text, "not an image at all");
    expect_failure(args({"--region", text.string() + ":0"}), 1,
                   {"--region " + text.string() + ":", "not a supported image"});
    // 40x20 against the content's 40x30, run at 32x24: both sizes named.
    const fs::path wide = dir / "wide.png";
    nst::save_mask(band(40, 20, 0, 20), wide);
    expect_failure(args({"--region", wide.string() + ":1"}), 2,
                   {"--region " + wide.string() + ": the mask is 40x20 but the content is 32x24: aspect ratios "
                                                  "differ"});
    expect_failure(args({"--content-map", wide.string()}), 2,
                   {"--content-map " + wide.string() + ": the mask is 40x20"});
    // A mask over --max-pixels (the inputs are 40x30 and 32x32) is a file that cannot be read.
    const fs::path big = dir / "big.png";
    nst::save_mask(band(80, 60, 0, 40), big);
    const auto r = expect_failure(args({"--region", big.string() + ":0", "--max-pixels", "2000"}), 1,
                                  {"--region " + big.string() + ":"});
    EXPECT_FALSE(contains(r.output, "regions:")) << "refused before the run starts";
}

}  // namespace
