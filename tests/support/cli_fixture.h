#pragma once
// The `nst` program run as a user runs it (a real process, real files) and the fixture the CLI
// test suites share: scratch inputs, fast settings, and the checks every failed run must pass.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "nst/image.h"
#include "nst/regions.h"
#include "support/test_util.h"

namespace nst::test {

namespace fs = std::filesystem;

struct Result {
    int exit_code = -1;
    std::string output;      // stdout + stderr
    long peak_rss_kb = 0;    // the process's peak resident memory
};

// A shell word: `s` in single quotes.
std::string quote(const std::string& s);

inline constexpr const char* kUnreachableWeightsUrl = "http://127.0.0.1:1/nst-tests-never-download/model.safetensors";

// Hermetic by default: the per-user cache is a fresh directory under `dir`, and a download (when
// no weights are given) goes to a closed loopback port, so no test ever reaches the internet.
// `env` ("NAME=value") is applied after these defaults and may override them.
Result run_nst(const std::vector<std::string>& args, const fs::path& dir, const std::vector<std::string>& env = {});

// The records of a `--log-json` file, one JSON object per line.
std::vector<nlohmann::json> read_log(const fs::path& path);

// A mask whose columns [x0, x1) are white and the rest black.
nst::Plane band(int width, int height, int x0, int x1);

class Cli : public ::testing::Test {
protected:
    TempDir dir;
    fs::path content = dir / "content.png";
    fs::path style = dir / "style.jpg";
    fs::path output = dir / "out.jpg";
    const std::string sentinel = "previous result - must survive a failed run";

    void SetUp() override {
        nst::save_image(nst::test::make_test_image(40, 30, 0), content);
        nst::save_image(nst::test::make_test_image(32, 32, 1), style);
    }

    // Fast settings for a run that is expected to get far.
    std::vector<std::string> base(const fs::path& c, const fs::path& s) const {
        return {"--content", c.string(), "--style", s.string(), "--output", output.string(), "--size", "32",
                "--steps", "3", "--features", "random:1", "--device", "cpu", "--threads", "2"};
    }

    // Runs with a pre-existing output file and checks: exit code, message naming `needle`, old
    // output intact, no stray temporary file.
    Result expect_failure(std::vector<std::string> args, int code, const std::vector<std::string>& needles) {
        nst::test::write_text(output, sentinel);
        const auto r = run_nst(args, dir.path());
        EXPECT_EQ(r.exit_code, code) << r.output;
        for (const auto& n : needles) EXPECT_NE(r.output.find(n), std::string::npos) << "missing '" << n << "' in:\n" << r.output;
        const auto bytes = nst::test::read_bytes(output);
        EXPECT_EQ(std::string(bytes.begin(), bytes.end()), sentinel) << "the old output was clobbered";
        for (const auto& e : fs::directory_iterator(dir.path()))
            EXPECT_EQ(e.path().filename().string().find(".tmp"), std::string::npos) << "stray " << e.path();
        EXPECT_EQ(r.output.find("terminate called"), std::string::npos) << r.output;
        return r;
    }
};


class CliWeights : public Cli {
protected:
    // base() without --features random:1: weights come from the cache or a download.
    std::vector<std::string> default_weights() const {
        auto args = base(content, style);
        args.erase(args.begin() + 10, args.begin() + 12);
        return args;
    }
    std::vector<std::string> with_weights(const fs::path& w) {
        auto args = default_weights();
        args.insert(args.end(), {"--weights", w.string()});
        return args;
    }
};

}  // namespace nst::test
