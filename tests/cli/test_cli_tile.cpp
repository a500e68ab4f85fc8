// `nst --tile N` and `--max-memory SIZE` (issue 13): a tiled run writes the untiled run's image
// (same size, the same pixels to float rounding) and its loss falls; --tile is rounded to the
// pooling grid and says so; a budget between the tiled and the untiled estimates tiles by itself;
// with --scales the coarse level runs untiled; and each bad value is refused before any work with
// exit 2, one line naming it (and the smallest that works), the previous output intact.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <regex>
#include <string>
#include <vector>

#include "nst/nst.h"
#include "nst/tiling.h"
#include "support/cli_fixture.h"
#include "support/test_util.h"

namespace {

namespace fs = std::filesystem;
using nst::test::Cli;
using nst::test::contains;
using nst::test::read_log;
using nst::test::run_nst;

// Layers up to relu3_1 (a 4 px grid, a 16 px halo): at 192 px a 64 px tile with its halo is
// 96 px, a real part of the image, and the runs stay quick on a CPU. (Up to relu5_1 the 96 px halo
// would make every tile of a 192 px image the whole image.)
const std::vector<std::string> kShallow = {"--content-layers", "relu3_1", "--style-layers", "relu1_1,relu2_1,relu3_1"};

nst::Params shallow_params() {
    nst::Params p = nst::Params::defaults();
    p.content_layers = nst::parse_layer_spec("relu3_1", "--content-layers");
    p.style_layers = nst::parse_layer_spec("relu1_1,relu2_1,relu3_1", "--style-layers");
    return p;
}

class CliTile : public Cli {
protected:
    fs::path png = dir / "out.png";
    fs::path log = dir / "log.json";

    // base() at `size`, shallow layers, a PNG output (exact pixels) and a log; `extra` after them.
    std::vector<std::string> args(int size, std::vector<std::string> extra) const {
        auto a = base(content, style);
        a[5] = png.string();
        a[7] = std::to_string(size);
        a.insert(a.end(), kShallow.begin(), kShallow.end());
        a.insert(a.end(), {"--log-json", log.string()});
        a.insert(a.end(), extra.begin(), extra.end());
        return a;
    }

    // The step lines' total losses.
    std::vector<double> totals() const {
        std::vector<double> out;
        for (const auto& line : read_log(log))
            if (line.contains("step")) out.push_back(line["total"].get<double>());
        return out;
    }
};

TEST_F(CliTile, ATiledRunWritesTheFullImageAndItsLossFalls) {
    const auto r = run_nst(args(192, {"--tile", "64", "--steps", "4"}), dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_TRUE(contains(r.output, "nst: 192x144: 9 tiles of 64 px + 16 px halo (estimated peak ")) << r.output;
    const nst::Image out = nst::load_image(png);
    EXPECT_EQ(out.width, 192);
    EXPECT_EQ(out.height, 144);
    const auto lines = read_log(log);
    ASSERT_FALSE(lines.empty());
    EXPECT_EQ(lines[0]["event"], "start");
    EXPECT_EQ(lines[0]["tiling"], (nlohmann::json{{"tile", 64}, {"halo", 16}, {"tiles", 9}}));
    const std::vector<double> t = totals();
    ASSERT_EQ(t.size(), 4u);
    EXPECT_LT(t.back(), t.front()) << "the loss did not fall";
}

TEST_F(CliTile, TiledAndUntiledRunsMakeTheSameImage) {
    // The same loss to float rounding; Adam amplifies rounding (a step is about lr whatever the
    // gradient's size, so a ~1e-7 difference in a near-zero gradient can flip a pixel's step),
    // hence a small lr and few steps. Measured (CPU, 2 threads): identical 8-bit pixels here; 7/255
    // at most after 3 steps at lr 0.02, 1/255 after 20 at lr 0.005.
    const std::vector<std::string> common = {"--steps", "3", "--lr", "0.005"};
    auto untiled = args(192, common);
    ASSERT_EQ(run_nst(untiled, dir.path()).exit_code, 0);
    const nst::Image plain = nst::load_image(png);
    const std::vector<double> plain_totals = totals();
    auto tiled = untiled;
    tiled.insert(tiled.end(), {"--tile", "64"});
    const auto r = run_nst(tiled, dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.output;
    ASSERT_TRUE(contains(r.output, "9 tiles of 64 px")) << r.output;
    const nst::Image cut = nst::load_image(png);
    ASSERT_EQ(cut.width, plain.width);
    ASSERT_EQ(cut.height, plain.height);
    const float diff = nst::test::max_abs_diff(cut, plain);
    EXPECT_LE(diff, 2.0f / 255) << "max difference " << diff * 255 << "/255";
    EXPECT_LE(nst::test::mean_abs_diff(cut, plain), 0.05f / 255);
    const std::vector<double> cut_totals = totals();
    ASSERT_EQ(cut_totals.size(), plain_totals.size());
    for (std::size_t i = 0; i < cut_totals.size(); ++i)
        EXPECT_NEAR(cut_totals[i], plain_totals[i], 1e-4 * std::abs(plain_totals[i])) << "step " << i + 1;
}

TEST_F(CliTile, ATileOffTheGridIsRoundedAndSaidSo) {
    // The default layers reach relu5_1: a 16 px grid.
    auto a = base(content, style);
    a.insert(a.end(), {"--tile", "100"});
    const auto r = run_nst(a, dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_TRUE(contains(r.output, "nst: --tile 100 is not on the 16 px pooling grid; using 96")) << r.output;
    // 96 px holds the whole 32x24 image: no tiles.
    EXPECT_FALSE(contains(r.output, "tiles of")) << r.output;
    EXPECT_TRUE(fs::exists(output));
}

TEST_F(CliTile, BadTilesAreRefusedNamingTheValue) {
    const auto with = [&](const std::string& value) {
        auto a = base(content, style);
        a.insert(a.end(), {"--tile", value});
        return a;
    };
    expect_failure(with("8"), 2,
                   {"nst: --tile 8: the smallest tile is 16 px (the pooling grid up to relu5_1; each tile also "
                    "carries a 96 px halo)"});
    expect_failure(with("abc"), 2, {"--tile abc: expected an integer >= 0"});
    expect_failure(with("-5"), 2, {"--tile -5: must be >= 0"});
    // The grid is the deepest layer's: up to relu3_1 it is 4 px.
    auto shallow = with("2");
    shallow.insert(shallow.end(), kShallow.begin(), kShallow.end());
    expect_failure(shallow, 2, {"--tile 2: the smallest tile is 4 px (the pooling grid up to relu3_1; each tile "
                                "also carries a 16 px halo)"});
}

TEST_F(CliTile, BadMemoryBudgetsAreRefusedNamingTheValue) {
    const auto with = [&](const std::string& value) {
        auto a = base(content, style);
        a.insert(a.end(), {"--max-memory", value});
        return a;
    };
    expect_failure(with("lots"), 2, {"--max-memory 'lots': not a size"});
    expect_failure(with("0"), 2, {"--max-memory '0': must be a positive size"});
    const auto r = expect_failure(with("10K"), 2,
                                  {"nst: --max-memory 10K (10.0 KiB) is too small for even one tile at 32x24: the "
                                   "smallest that works is "});
    // The smallest that works, as printed, does work (typed back as a flag: "37.5M").
    std::smatch m;
    const std::regex smallest("the smallest that works is ([0-9.]+) (KiB|MiB|GiB)");
    ASSERT_TRUE(std::regex_search(r.output, m, smallest)) << r.output;
    const std::string printed = m[1].str() + m[2].str().substr(0, 1);
    const double bytes = std::stod(m[1].str()) * std::pow(1024.0, m[2].str() == "KiB" ? 1 : m[2].str() == "MiB" ? 2 : 3);
    EXPECT_GE(bytes, static_cast<double>(nst::estimate_step_bytes(32, 24, 16, nst::Params::defaults(),
                                                                  nst::Precision::FP32)));
    const auto ok = run_nst(with(printed), dir.path());
    EXPECT_EQ(ok.exit_code, 0) << printed << "\n" << ok.output;
}

TEST_F(CliTile, ABudgetBelowTheUntiledEstimateTilesByItself) {
    const nst::Params p = shallow_params();
    const std::uint64_t tiled = nst::estimate_step_bytes(192, 144, 64, p, nst::Precision::FP32);
    const std::uint64_t untiled = nst::estimate_step_bytes(192, 144, 0, p, nst::Precision::FP32);
    ASSERT_LT(tiled, untiled);
    const std::uint64_t budget = tiled + (untiled - tiled) / 2;
    const int chosen = nst::choose_tile(192, 144, budget, p, nst::Precision::FP32);
    ASSERT_GE(chosen, 64);
    const auto r = run_nst(args(192, {"--max-memory", std::to_string(budget), "--steps", "2"}), dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const nst::TilePlan plan = nst::plan_tiles(192, 144, chosen, p);
    ASSERT_TRUE(plan.tiled());
    EXPECT_TRUE(contains(r.output, "nst: 192x144: " + std::to_string(plan.count()) + " tiles of " +
                                       std::to_string(chosen) + " px"))
        << r.output;
    const auto head = read_log(log).at(0);
    EXPECT_EQ(head["max_memory"], budget);
    EXPECT_EQ(head["tiling"]["tile"], chosen);
    EXPECT_EQ(nst::load_image(png).width, 192);
    // The same run with the untiled estimate as the budget does not tile.
    const auto whole = run_nst(args(192, {"--max-memory", std::to_string(untiled), "--steps", "1"}), dir.path());
    ASSERT_EQ(whole.exit_code, 0) << whole.output;
    EXPECT_FALSE(contains(whole.output, "tiles of")) << whole.output;
    EXPECT_EQ(read_log(log).at(0)["tiling"]["tiles"], 1);
}

TEST_F(CliTile, CoarseLevelsRunUntiledAndTheFullSizeTiled) {
    // --tile 96: the 96x72 level fits in one interior; the 192x144 level is 2x2 tiles.
    const auto r = run_nst(args(192, {"--scales", "2", "--coarse-steps", "1", "--steps", "1", "--tile", "96"}),
                           dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_FALSE(contains(r.output, "96x72: ")) << r.output;
    EXPECT_TRUE(contains(r.output, "nst: 192x144: 4 tiles of 96 px + 16 px halo")) << r.output;
    std::vector<nlohmann::json> levels;
    for (const auto& line : read_log(log))
        if (line.value("event", "") == "level") levels.push_back(line);
    ASSERT_EQ(levels.size(), 2u);
    EXPECT_EQ(levels[0]["tiling"], (nlohmann::json{{"tile", 0}, {"halo", 0}, {"tiles", 1}}));
    EXPECT_EQ(levels[1]["tiling"], (nlohmann::json{{"tile", 96}, {"halo", 16}, {"tiles", 4}}));
    EXPECT_EQ(nst::load_image(png).width, 192);
}

}  // namespace
