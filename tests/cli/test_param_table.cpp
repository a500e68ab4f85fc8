// The table of run parameters (nst/param_table.h): every entry reads back what it wrote, command
// lines and session JSON made from settings give the same settings back, bad values name their
// flag, and nst and nst-viewer take the same shared flags.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "nst/nst.h"
#include "nst/param_cli.h"
#include "nst/param_table.h"
#include "support/cli_fixture.h"
#include "support/test_util.h"

namespace {

using nst::ParamKind;
using nst::ParamSpec;
using nst::RunSettings;
using nst::test::message_of;

// A value other than the default for every entry. A new entry without one fails
// EveryEntryHasASample, so that the tests below cover it.
const std::map<std::string, std::string>& samples() {
    static const std::map<std::string, std::string> m = {
        {"content", "photos/content.png"},
        {"style", "a.jpg,b dir/b.png"},
        {"style-blend", "3,1"},
        {"preserve-colors", "histogram"},
        {"style-scale", "1.5"},
        {"style-loss", "w2"},
        {"size", "512"},
        {"steps", "42"},
        {"scales", "3"},
        {"coarse-steps", "7"},
        {"video", "clips/a clip.mp4"},
        {"frames", "2:9"},
        {"frame-steps", "25"},
        {"frame-lr", "0.005"},
        {"temporal-frames", "1,3"},
        {"temporal-weight", "500"},
        {"max-frames", "300"},
        {"precision", "bf16"},
        {"lr", "0.125"},
        {"content-weight", "0.3"},
        {"style-weight", "2.5e7"},
        {"tv-weight", "0"},
        {"content-layers", "relu3_1:0.5,relu4_2:1"},
        {"style-layers", "relu1_1:2"},
        {"region", "sky.png:0,C:/face.png:none:2.5,x:1:2:1"},
        {"content-map", "masks/strength.png"},
        {"init", "gray"},
        {"init-image", "previous result.png"},
        {"optimizer", "lbfgs"},
        {"lbfgs-history", "7"},
        {"content-loss", "self-similarity"},
        {"sw-directions", "48"},
        {"samples", "300"},
        {"average", "0.99"},
        {"pooling", "avg"},
        {"weights", "w.safetensors"},
        {"weights-url", "https://example.org/model.safetensors"},
        {"offline", "true"},
        {"features", "random:7"},
        {"device", "cpu"},
        {"seed", "18446744073709551615"},
        {"threads", "3"},
        {"tile", "256"},
        {"max-memory", "1.5G"},
        {"log-json", "log.jsonl"},
        {"max-pixels", "1000"},
        {"layer-blend", "relu1_1=0/1,relu5_1=2/0.5"},
        {"colors-only", "true"},
        {"normalize-gradients", "0.25"},
        {"seamless", "true"},
        {"texture", "true"},
    };
    return m;
}

// Every sample set (not a valid run: --weights and --features together, for one).
RunSettings all_samples() {
    RunSettings s;
    for (const ParamSpec& p : nst::param_table()) p.set(s, samples().at(p.name));
    return s;
}

void expect_same(const RunSettings& a, const RunSettings& b) {
    EXPECT_EQ(a.content, b.content);
    EXPECT_EQ(a.styles, b.styles);
    EXPECT_EQ(a.size, b.size);
    EXPECT_EQ(a.width, b.width);
    EXPECT_EQ(a.height, b.height);
    EXPECT_EQ(a.texture, b.texture);
    EXPECT_EQ(a.steps, b.steps);
    EXPECT_EQ(a.scales, b.scales);
    EXPECT_EQ(a.coarse_steps, b.coarse_steps);
    EXPECT_EQ(a.video, b.video);
    EXPECT_EQ(a.frames, b.frames);
    EXPECT_EQ(a.frame_steps, b.frame_steps);
    EXPECT_EQ(a.frame_lr, b.frame_lr);
    EXPECT_EQ(a.temporal_frames, b.temporal_frames);
    EXPECT_EQ(a.max_frames, b.max_frames);
    EXPECT_EQ(a.init, b.init);
    EXPECT_EQ(a.init_image, b.init_image);
    EXPECT_EQ(a.lr_given, b.lr_given);
    EXPECT_EQ(a.pooling, b.pooling);
    EXPECT_EQ(a.weights, b.weights);
    EXPECT_EQ(a.features, b.features);
    EXPECT_EQ(a.weights_url, b.weights_url);
    EXPECT_EQ(a.offline, b.offline);
    EXPECT_EQ(a.device, b.device);
    EXPECT_EQ(a.seed, b.seed);
    EXPECT_EQ(a.threads, b.threads);
    EXPECT_EQ(a.precision, b.precision);
    EXPECT_EQ(a.max_pixels, b.max_pixels);
    EXPECT_EQ(a.tile, b.tile);
    EXPECT_EQ(a.max_memory, b.max_memory);
    EXPECT_EQ(a.log_json, b.log_json);
    EXPECT_EQ(a.regions, b.regions);
    EXPECT_EQ(a.content_map, b.content_map);
    EXPECT_EQ(a.style_weight_given, b.style_weight_given);
    const nst::Params &p = a.params, &q = b.params;
    EXPECT_EQ(p.content_weight, q.content_weight);
    EXPECT_EQ(p.style_weight, q.style_weight);
    EXPECT_EQ(p.tv_weight, q.tv_weight);
    EXPECT_EQ(p.lr, q.lr);
    EXPECT_EQ(p.content_layers, q.content_layers);
    EXPECT_EQ(p.style_layers, q.style_layers);
    EXPECT_EQ(p.style_blend, q.style_blend);
    EXPECT_EQ(p.colors, q.colors);
    EXPECT_EQ(p.style_scale, q.style_scale);
    EXPECT_EQ(p.style_loss, q.style_loss);
    EXPECT_EQ(p.optimizer, q.optimizer);
    EXPECT_EQ(p.lbfgs_history, q.lbfgs_history);
    EXPECT_EQ(p.average, q.average);
    EXPECT_EQ(p.temporal_weight, q.temporal_weight);
    EXPECT_EQ(p.layer_blend, q.layer_blend);
    EXPECT_EQ(p.colors_only, q.colors_only);
    EXPECT_EQ(p.normalize_gradients, q.normalize_gradients);
    EXPECT_EQ(p.seamless, q.seamless);
}

TEST(ParamTable, SizeIsALongSideOrWidthByHeightInCommandsAndSessions) {
    RunSettings s;
    nst::param("size").set(s, "64x48");
    EXPECT_EQ(s.size, 64);
    EXPECT_EQ(nst::exact_size(s), (std::pair{64, 48}));
    EXPECT_EQ(nst::to_json(s).at("size"), "64x48") << "a session keeps the exact size as text";
    EXPECT_EQ(nst::exact_size(nst::from_json(nst::to_json(s))), (std::pair{64, 48}));
    EXPECT_EQ(nst::parse_args(nst::to_args(s)).width, 64);
    nst::param("size").set(s, "48");
    EXPECT_EQ(nst::exact_size(s), std::nullopt);
    EXPECT_EQ(nst::to_json(s).at("size"), 48) << "a long side stays a number";
    // A slider that moves the long side leaves the exact size behind.
    nst::param("size").set(s, "40x100");
    s.size = 128;
    EXPECT_EQ(nst::exact_size(s), std::nullopt);
    EXPECT_EQ(nst::param("size").get(s), "128");
    // Texture sizes: square without an x, rounded to the grid with --seamless.
    RunSettings t;
    t.size = 50;
    EXPECT_EQ(nst::texture_size(t), (std::pair{50, 50}));
    t.params.seamless = true;
    EXPECT_EQ(nst::texture_size(t), (std::pair{48, 48}));
}

TEST(ParamTable, EveryEntryHasASampleAndAUniqueName) {
    std::set<std::string> names;
    for (const ParamSpec& p : nst::param_table()) {
        EXPECT_TRUE(samples().contains(p.name)) << "no sample value for --" << p.name;
        EXPECT_TRUE(names.insert(p.name).second) << "--" << p.name << " twice";
        EXPECT_FALSE(p.help.empty()) << p.name;
        EXPECT_EQ(&nst::param(p.name), &p);
    }
    EXPECT_EQ(names.size(), samples().size());
    EXPECT_THROW(static_cast<void>(nst::param("no-such-flag")), std::out_of_range);
}

TEST(ParamTable, EveryEntryRoundTrips) {
    const RunSettings defaults;
    for (const ParamSpec& p : nst::param_table()) {
        SCOPED_TRACE(p.name);
        RunSettings x;
        p.set(x, samples().at(p.name));
        EXPECT_NE(p.get(x), p.get(defaults)) << "the sample is the default";
        RunSettings y;
        p.set(y, p.get(x));
        expect_same(x, y);
        p.set(y, p.get(y));  // and again from its own text
        expect_same(x, y);
    }
    // Values that need the shortest round-trip form to come back exactly.
    RunSettings x;
    nst::param("lr").set(x, "0.1");
    nst::param("style-weight").set(x, "16777217");  // not a float: rounds once, then stays
    nst::param("style-blend").set(x, "0.3,0.7,1e-7");
    RunSettings y;
    for (const char* name : {"lr", "style-weight", "style-blend"}) nst::param(name).set(y, nst::param(name).get(x));
    expect_same(x, y);
}

TEST(ParamTable, ToArgsIsOnlyTheChangedFlagsAndParsesBack) {
    EXPECT_TRUE(nst::to_args(RunSettings{}).empty());
    const RunSettings x = all_samples();
    const std::vector<std::string> args = nst::to_args(x);
    expect_same(nst::parse_args(args), x);
    // Table order, each flag once (a list as one comma list).
    std::vector<std::string> flags;
    for (const auto& a : args)
        if (a.starts_with("--")) flags.push_back(a.substr(0, a.find('=')));
    std::vector<std::string> want;
    for (const ParamSpec& p : nst::param_table()) want.push_back(p.flag());
    EXPECT_EQ(flags, want);

    // Relative to other defaults (the viewer's): what differs from those.
    RunSettings viewer;
    viewer.size = 384;
    viewer.steps = 0;
    RunSettings smaller = viewer;
    smaller.size = 256;
    EXPECT_EQ(nst::to_args(smaller, viewer), (std::vector<std::string>{"--size", "256"}));
    expect_same(nst::parse_args(nst::to_args(smaller, viewer), viewer), smaller);
    // ...and for an nst command line (copy as command), what differs from nst's.
    EXPECT_EQ(nst::to_args(smaller), (std::vector<std::string>{"--steps", "0"}));
}

TEST(ParamTable, ToArgsGoesThroughTheProgramsParserToo) {
    const RunSettings x = all_samples();
    std::vector<std::string> args = nst::to_args(x);
    RunSettings y;
    CLI::App app;
    nst::add_to_cli(app, y);
    std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 takes them last first
    app.parse(reversed);
    expect_same(x, y);
}

TEST(ParamTable, ComputedDefaultsAreWrittenOnlyWhenGiven) {
    RunSettings s;
    s.params.style_weight = 500;  // a program's computed default, not the user's
    EXPECT_TRUE(nst::to_args(s).empty());
    EXPECT_FALSE(nst::to_json(s).contains("style-weight"));
    RunSettings given;
    nst::param("style-weight").set(given, "1e6");  // the default value, but given
    EXPECT_EQ(nst::to_args(given), (std::vector<std::string>{"--style-weight", "1e+06"}));
    EXPECT_TRUE(nst::parse_args(nst::to_args(given)).style_weight_given);
    EXPECT_TRUE(nst::from_json(nst::to_json(given)).style_weight_given);
    // The learning rate likewise: its default is the optimiser's.
    RunSettings lbfgs;
    nst::param("optimizer").set(lbfgs, "lbfgs");
    EXPECT_EQ(nst::to_args(lbfgs), (std::vector<std::string>{"--optimizer", "lbfgs"}));
    EXPECT_EQ(nst::engine_params(lbfgs, true).lr, nst::default_lr(nst::Optimizer::LBFGS));
    nst::param("lr").set(lbfgs, "0.02");
    EXPECT_EQ(nst::to_args(lbfgs), (std::vector<std::string>{"--optimizer", "lbfgs", "--lr", "0.02"}));
    EXPECT_EQ(nst::engine_params(lbfgs, true).lr, 0.02f);
    // The content weight: its default is the content loss's.
    RunSettings ss;
    nst::param("content-loss").set(ss, "self-similarity");
    EXPECT_EQ(nst::to_args(ss), (std::vector<std::string>{"--content-loss", "self-similarity"}));
    EXPECT_EQ(nst::engine_params(ss, true).content_weight, nst::kSelfSimilarityContentWeight);
    nst::param("content-weight").set(ss, "1");
    EXPECT_EQ(nst::engine_params(ss, true).content_weight, 1.0f);
    EXPECT_TRUE(nst::from_json(nst::to_json(ss)).content_weight_given);
    // Each style loss has its beta.
    RunSettings sw;
    nst::param("style-loss").set(sw, "sw");
    EXPECT_EQ(nst::engine_params(sw, true).style_weight, nst::kSwStyleWeight);
}

TEST(ParamTable, ValuesThatLookLikeFlagsStayValues) {
    RunSettings x;
    nst::param("content").set(x, "-dash.png");
    nst::param("log-json").set(x, "");
    RunSettings base;
    base.log_json = "log.jsonl";
    const auto args = nst::to_args(x, base);
    EXPECT_EQ(args, (std::vector<std::string>{"--content=-dash.png", "--log-json="}));
    expect_same(nst::parse_args(args, base), x);
    EXPECT_THROW(static_cast<void>(nst::parse_args(std::vector<std::string>{"--no-such-flag", "1"})), nst::UsageError);
    EXPECT_THROW(static_cast<void>(nst::parse_args(std::vector<std::string>{"--size"})), nst::UsageError);
}

TEST(ParamTable, JsonRoundTripWithFlagNamesAsKeys) {
    const RunSettings x = all_samples();
    const nlohmann::json j = nst::to_json(x);
    for (const ParamSpec& p : nst::param_table()) EXPECT_TRUE(j.contains(p.name)) << p.name;
    EXPECT_EQ(j.at("size"), 512);
    EXPECT_EQ(j.at("lr"), 0.125);
    EXPECT_EQ(j.at("offline"), true);
    EXPECT_EQ(j.at("style"), (nlohmann::json{"a.jpg", "b dir/b.png"}));
    EXPECT_EQ(j.at("seed"), 18446744073709551615ull);
    EXPECT_EQ(j.at("preserve-colors"), "histogram");
    EXPECT_EQ(j.at("region"), (nlohmann::json{"sky.png:0", "C:/face.png:none:2.5", "x:1:2:1"}));
    expect_same(nst::from_json(j), x);
    expect_same(nst::from_json(nlohmann::json::parse(j.dump())), x);  // through the file's text
    expect_same(nst::from_json(nst::to_json(RunSettings{})), RunSettings{});
    // Text is accepted for every kind (hand-written files).
    EXPECT_EQ(nst::from_json(nlohmann::json{{"size", "100"}, {"offline", "true"}}).size, 100);
}

TEST(ParamTable, JsonErrorsNameTheKey) {
    const auto message = [](const nlohmann::json& j) {
        return message_of<nst::UsageError>([&] { static_cast<void>(nst::from_json(j)); });
    };
    EXPECT_EQ(message({{"sizes", 3}}), "settings key 'sizes': not a parameter");
    EXPECT_EQ(message({{"size", 1.5}}), "settings key 'size': expected an integer");
    EXPECT_EQ(message({{"lr", true}}), "settings key 'lr': expected a number");
    EXPECT_EQ(message({{"offline", 1}}), "settings key 'offline': expected true or false");
    EXPECT_EQ(nst::from_json({{"style", "a.jpg,b.jpg"}}).styles, (std::vector<std::string>{"a.jpg", "b.jpg"}));
    EXPECT_EQ(message({{"style", {"a.jpg", ""}}}), "--style: an empty file name in the list");
    EXPECT_EQ(message({{"style", {1, 2}}}), "settings key 'style': expected an array of strings");
    EXPECT_EQ(message({{"size", 5}}), "--size 5: must be between 16 and 8192");
    EXPECT_EQ(message(nlohmann::json::array()), "settings: expected a JSON object of parameters");
}

TEST(ParamTable, ABadValueOfEachKindNamesTheFlag) {
    // Every Int, Float, Choice and Flag entry refuses a word; Text entries that check their value
    // refuse these.
    const std::map<std::string, std::string> bad_text = {{"style", "a.jpg,,b.jpg"},
                                                         {"style-blend", "1,x"},
                                                         {"content-layers", "relu9_9"},
                                                         {"style-layers", "conv1_1"},
                                                         {"features", "random:abc"},
                                                         {"max-memory", "lots"},
                                                         {"region", "a.png:0,b.png:x"},
                                                         {"frames", "x:2"},
                                                         {"temporal-frames", "1,x"}};
    for (const ParamSpec& p : nst::param_table()) {
        std::string bad = "bogus";
        if (p.kind == ParamKind::Text || p.kind == ParamKind::List) {
            if (!bad_text.contains(p.name)) continue;  // file names, URLs, devices: checked where used
            bad = bad_text.at(p.name);
        }
        SCOPED_TRACE(p.name + " " + bad);
        RunSettings s;
        const std::string m = message_of<nst::UsageError>([&] { p.set(s, bad); });
        EXPECT_TRUE(m.starts_with(p.flag())) << m;
        EXPECT_EQ(m.find('\n'), std::string::npos) << m;
        if (p.kind != ParamKind::List) EXPECT_NE(m.find(bad.substr(bad.find(',') + 1)), std::string::npos) << m;
    }
}

TEST(ParamTable, MessagesAreTheProgramsOldOnes) {
    const auto message = [](const char* name, const char* value) {
        RunSettings s;
        return message_of<nst::UsageError>([&] { nst::param(name).set(s, value); });
    };
    EXPECT_EQ(message("size", "5"), "--size 5: must be between 16 and 8192");
    EXPECT_EQ(message("scales", "7"), "--scales 7: must be between 1 and 6");
    EXPECT_EQ(message("coarse-steps", "0"), "--coarse-steps 0: must be between 1 and 1000000");
    EXPECT_EQ(message("threads", "2000"), "--threads 2000: must be between 0 and 1024");
    EXPECT_EQ(message("max-pixels", "0"), "--max-pixels 0: must be > 0");
    EXPECT_EQ(message("threads", "x"), "--threads x: expected an integer between 0 and 1024");
    EXPECT_EQ(message("lr", "0"), "--lr 0: must be a finite number > 0");
    EXPECT_EQ(message("style-weight", "nan"), "--style-weight nan: must be a finite number >= 0");
    EXPECT_EQ(message("tv-weight", "-2"), "--tv-weight -2: must be a finite number >= 0");
    EXPECT_EQ(message("content-weight", "1e99"), "--content-weight 1e99: must be a finite number >= 0");
    EXPECT_EQ(message("style-scale", "0"), "--style-scale 0: must be between 0.1 and 4");
    EXPECT_EQ(message("style-scale", "inf"), "--style-scale inf: must be between 0.1 and 4");
    EXPECT_EQ(message("preserve-colors", "yes"), "--preserve-colors yes: expected off, post, luminance or histogram");
    EXPECT_EQ(message("style-loss", "w1"), "--style-loss w1: expected gram, w2, sw, remd or nn");
    EXPECT_EQ(message("content-loss", "l2"), "--content-loss l2: expected mse or self-similarity");
    EXPECT_EQ(message("samples", "1"), "--samples 1: must be between 2 and 8192");
    EXPECT_EQ(message("sw-directions", "0"), "--sw-directions 0: must be between 1 and 4096");
    EXPECT_EQ(message("precision", "fp16"), "--precision fp16: expected fp32, bf16 or tf32");
    EXPECT_EQ(message("init", "zeros"), "--init zeros: expected content, noise or gray");
    EXPECT_EQ(message("pooling", "min"), "--pooling min: expected max or avg");
    EXPECT_EQ(message("style", ""), "--style: an empty file name in the list");
    EXPECT_EQ(message("style-blend", "1,x"), "--style-blend 1,x: 'x' is not a number");
    EXPECT_EQ(message("region", "m.png:0:-1"), "--region m.png:0:-1: the weight must be a finite number >= 0");
    EXPECT_EQ(message("region", "m.png"),
              "--region m.png: expected MASK.png:STYLE[:WEIGHT] (STYLE an index into the --style list from 0, or "
              "none)");
    // The video flags, once nst's own.
    EXPECT_EQ(message("frame-steps", "0"), "--frame-steps 0: must be between 1 and 1000000");
    EXPECT_EQ(message("frame-lr", "0"), "--frame-lr 0: must be a finite number > 0");
    EXPECT_EQ(message("temporal-weight", "-1"), "--temporal-weight -1: must be a finite number >= 0");
    EXPECT_EQ(message("max-frames", "0"), "--max-frames 0: must be >= 1");
    EXPECT_EQ(message("temporal-frames", "2,x"),
              "--temporal-frames 2,x: 'x' is not an offset between 1 and 64 (e.g. 1,2,4: the frames 1, 2 and 4 "
              "before)");
    EXPECT_EQ(message("temporal-frames", "2,4"), "--temporal-frames 2,4: must include 1 (the previous frame)");
    EXPECT_EQ(message("frames", "5:2"),
              "--frames 5:2: expected frame numbers (A:B, A:, :B or N, numbered from 1, A <= B)");
}

// The video flags: --frames is checked against the clip when it is opened (here its syntax only),
// --temporal-frames kept as given, --frame-lr's default computed ("auto": written only when given).
TEST(ParamTable, VideoEntries) {
    RunSettings s;
    for (const char* range : {"2:9", "3:", ":4", "7", "1:1"}) {
        nst::param("frames").set(s, range);
        EXPECT_EQ(s.frames, range);
    }
    for (const char* bad : {"0:3", "a:b", ":", "2:x", "1:2:3"})
        EXPECT_THROW(nst::param("frames").set(s, bad), nst::UsageError) << bad;
    nst::param("frames").set(s, "");
    EXPECT_TRUE(s.frames.empty()) << "empty: every frame";
    nst::param("temporal-frames").set(s, "4,1");
    EXPECT_EQ(s.temporal_frames, "4,1");
    nst::param("temporal-weight").set(s, "0");
    EXPECT_EQ(s.params.temporal_weight, 0.0f) << "0: independent frames";

    const RunSettings defaults;
    EXPECT_EQ(defaults.frame_lr, 0.0f);
    EXPECT_EQ(nst::param("frame-lr").get(defaults), "auto");
    EXPECT_FALSE(nst::to_json(defaults).contains("frame-lr"));
    EXPECT_EQ(nst::to_json(defaults).at("temporal-weight"), nst::kDefaultTemporalWeight);
    EXPECT_EQ(nst::to_json(defaults).at("max-frames"), nst::video::kDefaultMaxFrames);
    RunSettings lr;
    nst::param("frame-lr").set(lr, "0.005");
    EXPECT_EQ(nst::to_args(lr), (std::vector<std::string>{"--frame-lr", "0.005"}));
    EXPECT_EQ(nst::to_json(lr).at("frame-lr"), 0.005);
    nst::param("frame-lr").set(lr, "auto");
    EXPECT_EQ(lr.frame_lr, 0.0f);
    EXPECT_TRUE(nst::to_args(lr).empty());

    // A clip's command line and session keys.
    RunSettings clip;
    nst::param("video").set(clip, "in.mp4");
    nst::param("frames").set(clip, "3:");
    nst::param("frame-steps").set(clip, "40");
    nst::param("temporal-weight").set(clip, "0");
    const std::vector<std::string> args = nst::to_args(clip);
    EXPECT_EQ(args, (std::vector<std::string>{"--video", "in.mp4", "--frames", "3:", "--frame-steps", "40",
                                              "--temporal-weight", "0"}));
    expect_same(nst::parse_args(args), clip);
    expect_same(nst::from_json(nst::to_json(clip)), clip);
    EXPECT_EQ(nst::to_json(clip).at("frame-steps"), 40);

    // Not live: the viewer does not change them during a run.
    for (const char* name : {"video", "frames", "frame-steps", "frame-lr", "temporal-frames", "temporal-weight",
                             "max-frames"})
        EXPECT_FALSE(nst::param(name).live) << name;
    EXPECT_EQ(nst::param("temporal-weight").label, "temporal weight");
    EXPECT_TRUE(nst::param("temporal-weight").ui && nst::param("temporal-weight").ui->log);
    EXPECT_EQ(nst::param("frame-lr").label, "frame lr");
}

// --max-memory: "auto" is the default (0, decided when the run starts); a size is written back in
// the largest unit that keeps it exact, so commands and session files stay readable.
TEST(ParamTable, MemoryBudgetsAsText) {
    const auto text = [](const char* value) {
        RunSettings s;
        nst::param("max-memory").set(s, value);
        return std::make_pair(s.max_memory, nst::param("max-memory").get(s));
    };
    EXPECT_EQ(text("auto"), std::make_pair(std::uint64_t{0}, std::string("auto")));
    EXPECT_EQ(text("4G"), std::make_pair(std::uint64_t{4} << 30, std::string("4G")));
    EXPECT_EQ(text("1.5GiB"), std::make_pair(std::uint64_t{1536} << 20, std::string("1536M")));
    EXPECT_EQ(text("10KB"), std::make_pair(std::uint64_t{10240}, std::string("10K")));
    EXPECT_EQ(text("1000"), std::make_pair(std::uint64_t{1000}, std::string("1000")));
    EXPECT_EQ(text("2T"), std::make_pair(std::uint64_t{2} << 40, std::string("2T")));
    RunSettings s;
    nst::param("max-memory").set(s, "512M");
    nst::param("tile").set(s, "128");
    EXPECT_EQ(nst::to_args(s), (std::vector<std::string>{"--tile", "128", "--max-memory", "512M"}));
    EXPECT_EQ(nst::to_json(s).at("max-memory"), "512M");
    EXPECT_EQ(nst::to_json(s).at("tile"), 128);
    EXPECT_EQ(nst::to_json(RunSettings{}).at("max-memory"), "auto");
    EXPECT_EQ(nst::from_json(nst::to_json(s)).max_memory, std::uint64_t{512} << 20);
    const auto message = [](const char* name, const char* value) {
        RunSettings r;
        return message_of<nst::UsageError>([&] { nst::param(name).set(r, value); });
    };
    EXPECT_EQ(message("tile", "-5"), "--tile -5: must be >= 0");
    EXPECT_EQ(message("tile", "abc"), "--tile abc: expected an integer >= 0");
    EXPECT_TRUE(message("max-memory", "0").starts_with("--max-memory '0': must be a positive size")) << message("max-memory", "0");
    EXPECT_TRUE(message("max-memory", "").starts_with("--max-memory '': not a size")) << message("max-memory", "");
}

TEST(ParamTable, CrossChecksAreInValidate) {
    const auto message = [](const RunSettings& s, nst::Use use) {
        return message_of<nst::UsageError>([&] { nst::validate(s, use); });
    };
    RunSettings s;
    EXPECT_EQ(message(s, nst::Use::Batch), "--style is required");
    s.styles = {"a.jpg"};
    EXPECT_NO_THROW(nst::validate(s, nst::Use::Batch)) << "no --content: a texture";
    EXPECT_TRUE(nst::texture_mode(s));
    EXPECT_EQ(nst::start_init(s), nst::Init::Noise);
    s.params.colors = nst::ColorMode::Histogram;
    EXPECT_EQ(message(s, nst::Use::Batch), "--preserve-colors histogram needs --content (without it nst makes a texture)");
    s.params.colors = nst::ColorMode::Off;
    s.styles.clear();
    s.content = "c.png";
    EXPECT_FALSE(nst::texture_mode(s));
    EXPECT_EQ(message(s, nst::Use::Batch), "--style is required");
    s.styles = {"a.jpg", "b.jpg"};
    EXPECT_NO_THROW(nst::validate(s, nst::Use::Batch));
    s.steps = 0;
    EXPECT_EQ(message(s, nst::Use::Batch), "--steps 0: must be between 1 and 1000000");
    EXPECT_NO_THROW(nst::validate(s, nst::Use::Live)) << "the viewer's --steps 0: never pause";
    s.params.style_blend = {1};
    EXPECT_EQ(message(s, nst::Use::Live), "--style-blend has 1 weight for 2 style images");
    s.params.style_blend = {};
    s.size = 32;
    s.scales = 3;
    EXPECT_EQ(message(s, nst::Use::Live), "--scales 3: the coarsest level would be under 16 px at --size 32");
    s.scales = 1;
    s.weights = "w.safetensors";
    s.features = "random";
    EXPECT_EQ(message(s, nst::Use::Live), "--weights and --features are mutually exclusive");
    s.features.clear();
    s.init_image = "start.png";
    EXPECT_NO_THROW(nst::validate(s, nst::Use::Live));
    s.init = nst::Init::Noise;
    EXPECT_EQ(message(s, nst::Use::Live),
              "--init and --init-image are mutually exclusive (--init-image is the start image)");
    s.init = nst::Init::Content;
    // Regions: a style index within the list (none always), at most 16.
    nst::param("region").set(s, "a.png:1,b.png:none");
    EXPECT_NO_THROW(nst::validate(s, nst::Use::Live));
    nst::param("region").set(s, "a.png:2:0.5");
    EXPECT_EQ(message(s, nst::Use::Live),
              "--region a.png:2:0.5: style 2 is out of range: 2 style images given (indices from 0)");
    s.styles.clear();
    EXPECT_NO_THROW(nst::validate(s, nst::Use::Live)) << "no style list yet: checked once there is one";
    s.regions.assign(17, nst::RegionSpec{"m.png", nst::kRegionNone, 1.0f});
    EXPECT_EQ(message(s, nst::Use::Live), "--region: 17 regions given, at most 16");

    // nst --video: the clip's frames are the content.
    RunSettings v;
    v.styles = {"a.jpg"};
    v.video = "clip.mp4";
    EXPECT_NO_THROW(nst::validate(v, nst::Use::Batch));
    v.content = "c.png";
    EXPECT_EQ(message(v, nst::Use::Batch),
              "--video and --content are mutually exclusive (the clip's frames are the content)");
    v.content.clear();
    v.styles.clear();
    EXPECT_EQ(message(v, nst::Use::Batch), "--style is required");
}

TEST(ParamTable, EngineOptionsAndParamsFromSettings) {
    RunSettings s = all_samples();
    s.weights.clear();
    const nst::EngineOptions e = nst::engine_options(s);
    EXPECT_TRUE(e.features.random());
    EXPECT_EQ(e.features.random_seed, 7u);
    EXPECT_EQ(e.pooling, nst::Pooling::Avg);
    EXPECT_EQ(e.precision, nst::Precision::BF16);
    EXPECT_EQ(e.threads, 3);
    EXPECT_EQ(e.device, "cpu");
    EXPECT_EQ(e.tile, 256);
    EXPECT_EQ(e.max_memory, std::uint64_t{1536} << 20);
    const nst::Params given = nst::engine_params(s, true);
    EXPECT_EQ(given.style_blend, (std::vector<float>{0.75f, 0.25f}));
    EXPECT_EQ(given.style_weight, 2.5e7f);
    s.style_weight_given = false;
    EXPECT_EQ(nst::engine_params(s, true).style_weight, nst::kW2StyleWeight);
    s.params.style_loss = nst::StyleLoss::Gram;
    EXPECT_EQ(nst::engine_params(s, true).style_weight, nst::kRandomFeaturesStyleWeight);
}

// The table's choices spell each value as the engine's name functions do (logs, the viewer).
TEST(ParamTable, AgreesWithTheEngine) {
    for (const nst::Precision v : {nst::Precision::FP32, nst::Precision::BF16, nst::Precision::TF32}) {
        RunSettings s;
        s.precision = v;
        EXPECT_EQ(nst::param("precision").get(s), nst::precision_name(v));
    }
    for (const nst::ColorMode v : {nst::ColorMode::Off, nst::ColorMode::Post, nst::ColorMode::Luminance, nst::ColorMode::Histogram}) {
        RunSettings s;
        s.params.colors = v;
        EXPECT_EQ(nst::param("preserve-colors").get(s), nst::color_mode_name(v));
    }
    for (const nst::StyleLoss v : {nst::StyleLoss::Gram, nst::StyleLoss::W2}) {
        RunSettings s;
        s.params.style_loss = v;
        EXPECT_EQ(nst::param("style-loss").get(s), nst::style_loss_name(v));
    }
    for (const nst::Optimizer v : {nst::Optimizer::Adam, nst::Optimizer::LBFGS}) {
        RunSettings s;
        s.params.optimizer = v;
        EXPECT_EQ(nst::param("optimizer").get(s), nst::optimizer_name(v));
    }
    for (const nst::Init v : {nst::Init::Content, nst::Init::Noise, nst::Init::Gray}) {
        RunSettings s;
        s.init = v;
        EXPECT_EQ(nst::param("init").get(s), nst::init_name(v));
    }
}

TEST(ParamTable, SliderRangesAreUsable) {
    for (const ParamSpec& p : nst::param_table()) {
        if (!p.ui) continue;
        SCOPED_TRACE(p.name);
        EXPECT_TRUE(p.kind == ParamKind::Int || p.kind == ParamKind::Float);
        EXPECT_FALSE(p.label.empty());
        EXPECT_LT(p.ui->lo, p.ui->hi);
        if (p.ui->log) EXPECT_GT(p.ui->lo, 0);
        // Both ends are values the setter takes.
        RunSettings s;
        for (const float v : {p.ui->lo, p.ui->hi}) {
            const std::string text = p.kind == ParamKind::Int ? std::to_string(static_cast<long>(v)) : std::to_string(v);
            EXPECT_NO_THROW(p.set(s, text)) << text;
        }
    }
    for (const char* name : {"content-weight", "style-weight", "tv-weight", "lr", "style-scale"})
        EXPECT_TRUE(nst::param(name).ui && nst::param(name).live) << name;
}

// ---- both programs ---------------------------------------------------------------------------
#ifdef NST_VIEWER_PATH  // built with the viewer

// The viewer without a display: parsing happens before any window.
nst::test::Result run_viewer(const std::string& args) {
    nst::test::Result r;
    const std::string cmd = std::string("env -u DISPLAY -u WAYLAND_DISPLAY ") + NST_VIEWER_PATH + " " + args + " 2>&1";
    FILE* f = popen(cmd.c_str(), "r");
    if (!f) return r;
    char buf[4096];
    for (std::size_t n; (n = fread(buf, 1, sizeof buf, f)) > 0;) r.output.append(buf, n);
    const int status = pclose(f);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

std::string last_line(const std::string& text) {
    std::string t = text;
    while (!t.empty() && t.back() == '\n') t.pop_back();
    return t.substr(t.rfind('\n') + 1);
}

class BothPrograms : public ::testing::Test {
protected:
    nst::test::TempDir dir;
};

TEST_F(BothPrograms, HelpListsEveryTableFlag) {
    const auto nst_help = nst::test::run_nst({"--help"}, dir.path());
    const auto viewer_help = run_viewer("--help");
    ASSERT_EQ(nst_help.exit_code, 0) << nst_help.output;
    ASSERT_EQ(viewer_help.exit_code, 0) << viewer_help.output;
    for (const ParamSpec& p : nst::param_table()) {
        EXPECT_NE(nst_help.output.find(p.flag() + " "), std::string::npos) << p.flag();
        EXPECT_NE(viewer_help.output.find(p.flag() + " "), std::string::npos) << p.flag();
    }
    // Each program shows its own defaults.
    EXPECT_NE(nst_help.output.find("--size N|WxH=256"), std::string::npos) << nst_help.output;
    EXPECT_NE(viewer_help.output.find("--size N|WxH=384"), std::string::npos) << viewer_help.output;
}

TEST_F(BothPrograms, SayTheSameAboutABadSharedValue) {
    for (const std::string bad : {"--size 5", "--lr abc", "--pooling min", "--threads -1", "--features random:x",
                                  "--content-layers relu9_9"}) {
        SCOPED_TRACE(bad);
        const auto viewer = run_viewer("--features random:1 " + bad);
        std::vector<std::string> args = {"--content", "c.png", "--style", "s.png"};
        for (std::size_t start = 0; start < bad.size();) {
            const std::size_t space = std::min(bad.find(' ', start), bad.size());
            args.push_back(bad.substr(start, space - start));
            start = space + 1;
        }
        const auto batch = nst::test::run_nst(args, dir.path());
        EXPECT_EQ(viewer.exit_code, 2) << viewer.output;
        EXPECT_EQ(batch.exit_code, 2) << batch.output;
        const std::string flag = bad.substr(0, bad.find(' '));
        EXPECT_NE(last_line(batch.output).find(flag), std::string::npos) << batch.output;
        EXPECT_EQ(last_line(viewer.output).substr(sizeof "nst-viewer: " - 1),
                  last_line(batch.output).substr(sizeof "nst: " - 1));
    }
}

#endif  // NST_VIEWER_PATH

}  // namespace
