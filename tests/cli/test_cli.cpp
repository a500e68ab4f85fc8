// The `nst` program driven as a user drives it: a real process, real files, exit codes, messages,
// and the guarantee that a failed run never writes or clobbers the output.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "nst/nst.h"
#include "support/cli_fixture.h"
#include "support/test_util.h"
#include "support/vgg19_weights.h"
#include "support/weights_server.h"

namespace {

namespace fs = std::filesystem;
using nst::test::Cli;
using nst::test::CliWeights;
using nst::test::TempDir;
using nst::test::contains;
using nst::test::kUnreachableWeightsUrl;
using nst::test::quote;
using nst::test::run_nst;

TEST_F(Cli, StylizesAndWritesAValidImageOfTheRightSize) {
    const fs::path log = dir / "log.jsonl";
    auto args = base(content, style);
    args[9] = "8";  // --steps
    args.insert(args.end(), {"--log-json", log.string(), "--save-every", "4"});
    const auto r = run_nst(args, dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("untrained (random) features"), std::string::npos) << r.output;
    const auto img = nst::load_image(output);
    EXPECT_EQ(img.width, 32);  // long side 32 of a 40x30 input
    EXPECT_EQ(img.height, 24);
    EXPECT_TRUE(fs::exists(dir / "out_000004.jpg"));

    std::ifstream in(log);
    std::string line;
    std::vector<nlohmann::json> steps;
    while (std::getline(in, line)) {
        auto j = nlohmann::json::parse(line);
        if (j.contains("step")) steps.push_back(j);
    }
    ASSERT_EQ(steps.size(), 8u);
    for (int k = 0; k < 8; ++k) {
        EXPECT_EQ(steps[k]["step"], k + 1);
        for (const char* key : {"content", "style", "tv", "total", "ms"}) EXPECT_TRUE(steps[k].contains(key)) << key;
    }
    EXPECT_EQ(steps[0]["content"].get<double>(), 0.0);  // step 1 = the content image itself
    EXPECT_LT(steps[7]["total"].get<double>(), steps[0]["total"].get<double>());
}

TEST_F(Cli, CoarseToFineRunsEachLevelAndEndsAtFullSize) {
    const fs::path log = dir / "levels.jsonl";
    auto args = base(content, style);
    args[7] = "128";  // --size: levels 32, 64, 128 (the 4:3 image's short side stays >= 16 for relu5_1)
    args.insert(args.end(), {"--scales", "3", "--coarse-steps", "2", "--log-json", log.string()});
    const auto r = run_nst(args, dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.output;
    std::ifstream in(log);
    std::string line;
    std::vector<int> level_sizes, step_sizes;
    int last_step = 0;
    while (std::getline(in, line)) {
        const auto j = nlohmann::json::parse(line);
        if (j.value("event", "") == "level") level_sizes.push_back(j["size"]);
        if (j.contains("step")) {
            EXPECT_EQ(j["step"], last_step + 1);
            last_step = j["step"];
            step_sizes.push_back(j["size"]);
        }
    }
    EXPECT_EQ(level_sizes, (std::vector<int>{32, 64, 128}));
    EXPECT_EQ(step_sizes, (std::vector<int>{32, 32, 64, 64, 128, 128, 128}));  // 2 + 2 coarse, then --steps 3
    EXPECT_EQ(nst::load_image(output).width, 128);
}

TEST_F(Cli, ImageTooSmallForTheDeepestLayerIsAUsageError) {
    auto args = base(content, style);
    args[7] = "16";  // 16x12: four poolings before relu5_1 leave less than a pixel
    expect_failure(args, 2, {"16x12", "relu5_1", "raise --size"});
}

TEST_F(Cli, PrecisionAndScalesAreChecked) {
    for (const auto& [flag, value] : std::vector<std::pair<std::string, std::string>>{
             {"--precision", "fp16"}, {"--scales", "0"}, {"--scales", "7"}, {"--coarse-steps", "0"}}) {
        SCOPED_TRACE(flag + " " + value);
        auto args = base(content, style);
        args.insert(args.end(), {flag, value});
        expect_failure(args, 2, {flag});
    }
    auto args = base(content, style);
    args[7] = "32";
    args.insert(args.end(), {"--scales", "3"});  // 32/4 = 8 px: too small
    expect_failure(args, 2, {"--scales 3", "under 16 px"});
    if (!nst::cuda_available()) {
        args = base(content, style);
        args.insert(args.end(), {"--precision", "tf32"});
        expect_failure(args, 2, {"tf32", "CUDA"});
    }
}

TEST_F(Cli, Bf16RunsOnCpuAndTracksFp32) {
    auto final_total = [&](const std::string& precision) {
        const fs::path log = dir / ("p-" + precision + ".jsonl");
        auto args = base(content, style);
        args[9] = "6";
        args.insert(args.end(), {"--precision", precision, "--log-json", log.string()});
        const auto r = run_nst(args, dir.path());
        EXPECT_EQ(r.exit_code, 0) << r.output;
        std::ifstream in(log);
        std::string line;
        double total = 0;
        while (std::getline(in, line))
            if (const auto j = nlohmann::json::parse(line); j.contains("step")) total = j["total"];
        return total;
    };
    const double fp32 = final_total("fp32"), bf16 = final_total("bf16");
    EXPECT_GT(fp32, 0.0);
    EXPECT_NEAR(bf16, fp32, 0.05 * fp32);  // bfloat16 keeps ~3 significant digits per activation
}

TEST_F(Cli, HelpListsEveryFlagWithDefaultsAndVersionNamesLibTorch) {
    auto r = run_nst({"--help"}, dir.path());
    EXPECT_EQ(r.exit_code, 0);
    for (const char* flag : {"--content", "--style", "--output", "--size", "--steps", "--lr", "--content-weight",
                             "--style-weight", "--tv-weight", "--content-layers", "--style-layers", "--init",
                             "--pooling", "--weights", "--features", "--device", "--seed", "--threads", "--save-every",
                             "--log-json", "--max-pixels", "--weights-url", "--offline", "--fetch-weights",
                             "relu4_2:1"})
        EXPECT_NE(r.output.find(flag), std::string::npos) << flag;
    r = run_nst({"--version"}, dir.path());
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_NE(r.output.find("LibTorch " + nst::libtorch_version()), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("CUDA compiled in:"), std::string::npos) << r.output;
}

TEST_F(Cli, MissingContentFile) { expect_failure(base(dir / "nope.jpg", style), 1, {"nope.jpg"}); }

TEST_F(Cli, DirectoryAsStyle) { expect_failure(base(content, dir.path()), 1, {dir.path().string(), "directory"}); }

TEST_F(Cli, EmptyFile) {
    nst::test::write_text(dir / "empty.png", "");
    expect_failure(base(dir / "empty.png", style), 1, {"empty.png", "empty"});
}

TEST_F(Cli, TruncatedJpeg) {
    auto bytes = nst::test::read_bytes(style);
    bytes.resize(bytes.size() / 2);
    nst::test::write_bytes(dir / "cut.jpg", bytes);
    expect_failure(base(content, dir / "cut.jpg"), 1, {"cut.jpg", "truncated"});
}

TEST_F(Cli, TruncatedPng) {
    auto bytes = nst::test::read_bytes(content);
    bytes.resize(bytes.size() * 2 / 3);
    nst::test::write_bytes(dir / "cut.png", bytes);
    expect_failure(base(dir / "cut.png", style), 1, {"cut.png"});
}

TEST_F(Cli, TextFileNamedJpg) {
    nst::test::write_text(dir / "notes.jpg", "these are my holiday notes, not a picture\n");
    expect_failure(base(dir / "notes.jpg", style), 1, {"notes.jpg", "not a supported image"});
}

TEST_F(Cli, ImageOverThePixelLimit) {
    expect_failure([&] { auto a = base(content, style); a.insert(a.end(), {"--max-pixels", "1000"}); return a; }(), 1,
                   {"content.png", "over the limit"});
}

TEST_F(Cli, UnwritableOutputDirectory) {
    auto args = base(content, style);
    args[5] = (dir / "no-such-dir" / "out.jpg").string();
    const auto r = run_nst(args, dir.path());
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("no-such-dir"), std::string::npos) << r.output;
    EXPECT_FALSE(fs::exists(dir / "no-such-dir"));
    args[5] = "/proc/nst-out.jpg";  // not writable even for root
    EXPECT_EQ(run_nst(args, dir.path()).exit_code, 1);
}

TEST_F(Cli, OutputExtensionNotAnImageFormat) {
    auto args = base(content, style);
    args[5] = (dir / "out.txt").string();
    const auto r = run_nst(args, dir.path());
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_NE(r.output.find("out.txt"), std::string::npos) << r.output;
    EXPECT_FALSE(fs::exists(dir / "out.txt"));
}

TEST_F(Cli, UnknownLayerName) {
    auto args = base(content, style);
    args.insert(args.end(), {"--style-layers", "relu1_1:1,relu9_9:2"});
    expect_failure(args, 2, {"--style-layers", "relu9_9"});
}

TEST_F(Cli, BadNumbersAreUsageErrors) {
    const std::vector<std::pair<std::string, std::string>> bad = {
        {"--lr", "abc"}, {"--lr", "-1"},          {"--lr", "0"},           {"--size", "5"},
        {"--steps", "0"}, {"--style-weight", "nan"}, {"--tv-weight", "-2"}, {"--threads", "x"},
        {"--content-layers", "relu4_2:-1"}, {"--features", "random:abc"}, {"--init", "zeros"}, {"--pooling", "min"}};
    for (const auto& [flag, value] : bad) {
        SCOPED_TRACE(flag + " " + value);
        auto args = base(content, style);
        args.insert(args.end(), {flag, value});
        expect_failure(args, 2, {flag});
    }
}

TEST_F(Cli, CudaWithoutAGpu) {
    auto args = base(content, style);
    args[13] = "cuda:99";
    expect_failure(args, 1, {"cuda:99"});
    if (!nst::cuda_available()) {
        args[13] = "cuda";
        expect_failure(args, 1, {"--device cuda", "CUDA is not usable"});
    }
}


TEST_F(CliWeights, GeneratedWeightsFileWorks) {
    const auto w = dir / "vgg19.safetensors";
    nst::test::write_vgg19(w, 3);
    const auto r = run_nst(with_weights(w), dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(r.output.find("untrained"), std::string::npos) << r.output;
    EXPECT_EQ(nst::load_image(output).width, 32);
}

TEST_F(CliWeights, EachBrokenWeightsFileIsNamed) {
    const auto good = dir / "good.safetensors";
    nst::test::write_vgg19(good, 3);
    const auto bytes = nst::test::read_bytes(good);

    auto truncated = bytes;
    truncated.resize(bytes.size() - 1000);
    nst::test::write_bytes(dir / "truncated.safetensors", truncated);
    expect_failure(with_weights(dir / "truncated.safetensors"), 1, {"truncated.safetensors", "truncated"});

    auto corrupt = bytes;
    for (int i = 8; i < 40; ++i) corrupt[i] = '#';
    nst::test::write_bytes(dir / "corrupt.safetensors", corrupt);
    expect_failure(with_weights(dir / "corrupt.safetensors"), 1, {"corrupt.safetensors", "JSON"});

    nst::test::write_vgg19(dir / "shapes.safetensors", 3, [](auto& t) {
        for (auto& x : t)
            if (x.name == "features.0.weight") x.shape = {3, 64, 3, 3};
    });
    expect_failure(with_weights(dir / "shapes.safetensors"), 1, {"shapes.safetensors", "features.0.weight"});

    nst::test::write_vgg19(dir / "keys.safetensors", 3,
                           [](auto& t) { std::erase_if(t, [](const auto& x) { return x.name == "features.2.bias"; }); });
    expect_failure(with_weights(dir / "keys.safetensors"), 1, {"keys.safetensors", "features.2.bias"});

    nst::test::write_vgg19(dir / "nan.safetensors", 3, [](auto& t) {
        const float nan = std::nanf("");
        std::memcpy(t[2].bytes.data(), &nan, 4);  // features.2.weight
    });
    expect_failure(with_weights(dir / "nan.safetensors"), 1, {"nan.safetensors", "NaN"});

    expect_failure(with_weights(dir / "absent.safetensors"), 1, {"absent.safetensors"});
}

TEST_F(CliWeights, FetchWeightsThenARunUsesTheCachedFile) {
    const auto model = dir / "model.safetensors";
    nst::safetensors::write(model, nst::test::vgg19_full_layout_tensors(5), nst::test::kFullLayoutMetadata);
    const nst::test::WeightsServer server(model);
    const auto cache = dir / "cache";
    const auto cached = cache / "nst" / "vgg19-features.safetensors";

    auto r = run_nst({"--fetch-weights", "--weights-url", server.url("normal")}, dir.path(),
                     {"XDG_CACHE_HOME=" + cache.string()});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_TRUE(contains(r.output, cached.string()));
    EXPECT_TRUE(contains(r.output, "downloaded"));
    ASSERT_TRUE(fs::exists(cached));
    EXPECT_LT(server.bytes_sent("normal"), fs::file_size(model) - 30'000'000) << "the classifier was downloaded";

    // A normal run now finds the cached weights without --weights (and the download URL is unreachable).
    r = run_nst(default_weights(), dir.path(), {"XDG_CACHE_HOME=" + cache.string()});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(r.output.find("untrained"), std::string::npos) << r.output;
    EXPECT_EQ(r.output.find("download"), std::string::npos) << r.output;
    EXPECT_TRUE(contains(r.output, "features: " + cached.string()));
    EXPECT_EQ(nst::load_image(output).width, 32);
}

// A full disk, for real: a 1 MB tmpfs as the cache, mounted in a private user + mount namespace
// (no root needed; skipped where the system does not allow unprivileged namespaces).
TEST_F(CliWeights, NoSpaceLeftInTheCacheIsReported) {
    if (std::system("unshare -Urm true > /dev/null 2>&1") != 0) GTEST_SKIP() << "unshare -Urm is not available here";
    const auto model = dir / "model.safetensors";
    nst::safetensors::write(model, nst::test::vgg19_full_layout_tensors(5), nst::test::kFullLayoutMetadata);
    const nst::test::WeightsServer server(model);
    const auto small = dir / "small";
    fs::create_directories(small);
    const auto out = dir / "enospc-output.txt";
    const auto listing = dir / "enospc-listing.txt";
    const std::string inner = "mount -t tmpfs -o size=1m tmpfs " + quote(small.string()) + " && XDG_CACHE_HOME=" +
                              quote(small.string()) + " " + quote(NST_CLI_PATH) + " --fetch-weights --weights-url " +
                              quote(server.url("normal")) + " > " + quote(out.string()) + " 2>&1; rc=$?; ls -A " +
                              quote(small.string()) + "/nst > " + quote(listing.string()) + " 2>&1; exit $rc";
    const int status = std::system(("unshare -Urm sh -c " + quote(inner)).c_str());
    ASSERT_TRUE(WIFEXITED(status));
    const auto text = nst::test::read_bytes(out);
    const std::string output(text.begin(), text.end());
    EXPECT_EQ(WEXITSTATUS(status), 1) << output;
    EXPECT_TRUE(contains(output, "No space left on device"));
    EXPECT_TRUE(contains(output, server.url("normal")));
    const auto left = nst::test::read_bytes(listing);
    EXPECT_TRUE(left.empty()) << "left in the cache: " << std::string(left.begin(), left.end());
}

TEST_F(CliWeights, FailedDownloadFallsBackToUntrainedFeaturesAndSaysWhy) {
    const auto r = run_nst(default_weights(), dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_TRUE(contains(r.output, "could not be downloaded"));
    EXPECT_TRUE(contains(r.output, kUnreachableWeightsUrl));
    EXPECT_TRUE(contains(r.output, "cannot connect"));
    EXPECT_TRUE(contains(r.output, nst::kRandomFeaturesWarning));
    EXPECT_EQ(nst::load_image(output).width, 32);
    EXPECT_FALSE(fs::exists(dir / "xdg-cache" / "nst" / "vgg19-features.safetensors"));
}

TEST_F(CliWeights, OfflineNeverDownloads) {
    auto args = default_weights();
    args.push_back("--offline");
    const auto r = run_nst(args, dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_TRUE(contains(r.output, "--offline and no cached weights"));
    EXPECT_EQ(r.output.find("download"), std::string::npos) << r.output;
    EXPECT_TRUE(contains(r.output, nst::kRandomFeaturesWarning));
}

TEST_F(CliWeights, FetchWeightsFailuresAndRefusedUrls) {
    auto r = run_nst({"--fetch-weights"}, dir.path());
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_TRUE(contains(r.output, kUnreachableWeightsUrl));
    EXPECT_FALSE(fs::exists(dir / "xdg-cache" / "nst" / "vgg19-features.safetensors"));

    r = run_nst({"--fetch-weights", "--weights-url", "http://example.com/model.safetensors"}, dir.path());
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_TRUE(contains(r.output, "only https://"));

    // A refused URL is a usage error in a batch run too, not a silent fallback.
    r = run_nst(default_weights(), dir.path(), {"NST_WEIGHTS_URL=http://example.com/model.safetensors"});
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_TRUE(contains(r.output, "http://example.com/model.safetensors"));

    r = run_nst({"--fetch-weights", "--offline"}, dir.path());
    EXPECT_EQ(r.exit_code, 2) << r.output;
}

}  // namespace
