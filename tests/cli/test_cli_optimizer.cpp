// `nst` with L-BFGS, the moving average and start images: what a run records and writes, carrying
// on from a saved result, and each bad value refused with exit 2 (files: exit 1), no output written.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <vector>

#include "nst/nst.h"
#include "support/cli_fixture.h"
#include "support/test_util.h"

namespace {

namespace fs = std::filesystem;
using nst::test::Cli;
using nst::test::contains;
using nst::test::run_nst;
using nst::test::read_log;

std::vector<double> totals(const std::vector<nlohmann::json>& log) {
    std::vector<double> out;
    for (const auto& l : log)
        if (l.contains("step")) out.push_back(l["total"].get<double>());
    return out;
}

class CliOptimizer : public Cli {
protected:
    fs::path log = dir / "log.json";
    fs::path png = dir / "out.png";
    // A PNG output (lossless) at 48 px.
    std::vector<std::string> args(std::vector<std::string> extra) const {
        auto a = base(content, style);
        a[5] = png.string();
        a[7] = "48";
        a.insert(a.end(), {"--log-json", log.string()});
        a.insert(a.end(), extra.begin(), extra.end());
        return a;
    }
};

TEST_F(CliOptimizer, LbfgsRunsWithItsOwnLearningRateAndIsRecorded) {
    const auto r = run_nst(args({"--optimizer", "lbfgs", "--steps", "15"}), dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_TRUE(contains(r.output, "optimizer: lbfgs lr 1 history 100 | no average | start content"));
    const auto lines = read_log(log);
    EXPECT_EQ(lines.front()["optimizer"], "lbfgs");
    EXPECT_EQ(lines.front()["lr"], 1.0) << "L-BFGS's default learning rate";
    const auto t = totals(lines);
    ASSERT_EQ(t.size(), 15u) << "one step is one evaluation";
    EXPECT_LT(t.back(), 0.5 * t.front());
    for (const float v : nst::load_image(png).rgb) ASSERT_TRUE(v >= 0.0f && v <= 1.0f);
}

TEST_F(CliOptimizer, TheSavedResultIsTheAverage) {
    ASSERT_EQ(run_nst(args({"--steps", "12", "--lr", "0.05"}), dir.path()).exit_code, 0);
    const nst::Image plain = nst::load_image(png);
    const auto r = run_nst(args({"--steps", "12", "--lr", "0.05", "--average", "0.9"}), dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_TRUE(contains(r.output, "optimizer: adam lr 0.05 | average 0.9 | start content"));
    EXPECT_EQ(read_log(log).front()["average"], 0.9f);
    const nst::Image averaged = nst::load_image(png);
    // Same iterates (the losses are the iterate's), a different picture: the average lags.
    double diff = 0;
    for (std::size_t i = 0; i < plain.rgb.size(); ++i) diff = std::max(diff, double(std::abs(plain.rgb[i] - averaged.rgb[i])));
    EXPECT_GT(diff, 2.0 / 255) << "the average should differ from the last iterate";
}

TEST_F(CliOptimizer, InitImageCarriesOnFromASavedResult) {
    // Run A: 21 steps, saving the image after 20 (numbered), logging the loss of step 21: the loss
    // of exactly that image. Run B starts from the saved file: its first loss is that loss, up to
    // the PNG's 8-bit rounding.
    ASSERT_EQ(run_nst(args({"--steps", "21", "--save-every", "20", "--lr", "0.05"}), dir.path()).exit_code, 0);
    const double at_21 = totals(read_log(log)).at(20), at_1 = totals(read_log(log)).at(0);
    const fs::path saved = dir / "out_000020.png";
    ASSERT_TRUE(fs::exists(saved));
    const auto r = run_nst(args({"--steps", "1", "--init-image", saved.string()}), dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_TRUE(contains(r.output, "start out_000020.png"));
    const double first = totals(read_log(log)).at(0);
    EXPECT_NEAR(first, at_21, 0.01 * at_21);
    EXPECT_GT(std::abs(at_1 - at_21), 0.1 * at_21) << "the test needs the run to have moved";
    // Another size is resized to the content's.
    const fs::path small = dir / "small.png";
    nst::save_image(nst::resize_to(nst::load_image(saved), 20, 15), small);
    ASSERT_EQ(run_nst(args({"--steps", "1", "--init-image", small.string()}), dir.path()).exit_code, 0);
    EXPECT_EQ(nst::load_image(png).width, 48);
}

TEST_F(CliOptimizer, GrayStartIsGray) {
    const auto r = run_nst(args({"--steps", "1", "--lr", "1e-6", "--init", "gray"}), dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.output;
    for (const float v : nst::load_image(png).rgb) ASSERT_NEAR(v, 0.5f, 2.0f / 255);
}

TEST_F(CliOptimizer, BadValuesAreRefused) {
    const auto with = [&](std::vector<std::string> extra) {
        auto a = base(content, style);
        a.insert(a.end(), extra.begin(), extra.end());
        return a;
    };
    expect_failure(with({"--optimizer", "sgd"}), 2, {"--optimizer sgd: expected adam or lbfgs"});
    expect_failure(with({"--average", "1"}), 2, {"--average 1:"});
    expect_failure(with({"--average", "-0.1"}), 2, {"--average -0.1:"});
    expect_failure(with({"--average", "nan"}), 2, {"--average nan:"});
    expect_failure(with({"--lbfgs-history", "0"}), 2, {"--lbfgs-history 0: must be between 1 and 10000"});
    expect_failure(with({"--lbfgs-history", "many"}), 2, {"--lbfgs-history many:"});
    expect_failure(with({"--init", "white"}), 2, {"--init white: expected content, noise or gray"});
    expect_failure(with({"--init", "noise", "--init-image", content.string()}), 2,
                   {"--init and --init-image are mutually exclusive"});
    expect_failure(with({"--init-image", (dir / "missing.png").string()}), 1, {"--init-image", "missing.png", "no such file"});
    const fs::path bad = dir / "bad.png";
    nst::test::write_text(bad, "not an image at all");
    expect_failure(with({"--init-image", bad.string()}), 1, {"--init-image", "bad.png", "not a supported image"});
}

}  // namespace
