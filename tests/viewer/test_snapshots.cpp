// The snapshot side of the viewer without a display or LibTorch: the settings bridge
// (settings_of: the viewer's state as nst's run parameters), "copy as command" (nst's schedule for
// the viewer's step count, shell quoting read back by a real shell, the masks written beside it
// and read back by nst's loader) and the snapshot model.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "control/run_settings.h"
#include "nst/param_table.h"
#include "nst/regions.h"
#include "session/copy_command.h"
#include "session/snapshots.h"

namespace nstv {
namespace {

namespace fs = std::filesystem;

// A viewer state as the panels leave it: inputs applied, a style layer switched off, two styles
// blended 3:1, random features with seed 3, avg pooling, two levels.
ControlState viewer_state() {
    ControlState st;
    st.params = nst::Params::defaults();
    st.params.style_weight = 5e7f;
    st.params.lr = 0.05f;
    st.params.tv_weight = 0.25f;
    st.params.colors = nst::ColorMode::Post;
    st.style_enabled.assign(st.params.style_layers.size(), true);
    st.style_enabled[1] = false;
    st.styles = {{"s1.jpg", 3.0f}, {"/abs/s2.png", 1.0f}};
    st.applied.content_path = "c.jpg";
    st.applied.style_paths = {"s1.jpg", "/abs/s2.png"};
    st.applied.size = 128;
    st.applied.scales = 2;
    st.applied.coarse_steps = 10;
    st.applied.options.pooling = nst::Pooling::Avg;
    st.applied.options.features.random_seed = 3;
    st.applied.options.threads = 7;  // resolved by the viewer: not what the user asked for
    // Edits not applied yet: not what runs, so not in the settings.
    st.content_path = "other.jpg";
    st.size = 999;
    return st;
}

nst::RunSettings viewer_flags() {
    nst::RunSettings f;
    f.size = 384;  // the viewer's defaults differ from nst's
    f.steps = 0;
    f.log_json = "/tmp/viewer-log.jsonl";
    f.threads = 2;
    f.styles = {"ignored.jpg"};
    return f;
}

TEST(SettingsOf, DescribesWhatRunsAsNstFlags) {
    const nst::RunSettings s = settings_of(viewer_state(), viewer_flags(), 42);
    // Through the table and back, as a command line or a session would carry it.
    const std::vector<std::string> args = nst::to_args(s, nst::RunSettings{});
    const nst::RunSettings r = nst::parse_args(args);
    EXPECT_EQ(r.content, (fs::current_path() / "c.jpg").string());
    ASSERT_EQ(r.styles.size(), 2u);
    EXPECT_EQ(r.styles[0], (fs::current_path() / "s1.jpg").string());
    EXPECT_EQ(r.styles[1], "/abs/s2.png");
    EXPECT_EQ(r.params.style_blend, (std::vector<float>{3.0f, 1.0f}));
    EXPECT_EQ(r.size, 128);
    EXPECT_EQ(r.steps, 42);
    EXPECT_EQ(r.scales, 2);
    EXPECT_EQ(r.coarse_steps, 10);
    EXPECT_EQ(r.pooling, nst::Pooling::Avg);
    EXPECT_EQ(r.features, "random:3");
    EXPECT_TRUE(r.weights.empty());
    EXPECT_EQ(r.threads, 2);          // as asked for, not the viewer's resolved count
    EXPECT_TRUE(r.log_json.empty());  // never the viewer's own log
    EXPECT_FLOAT_EQ(r.params.style_weight, 5e7f);
    EXPECT_TRUE(r.style_weight_given);
    EXPECT_FLOAT_EQ(r.params.lr, 0.05f);
    EXPECT_TRUE(r.lr_given);
    EXPECT_FLOAT_EQ(r.params.tv_weight, 0.25f);
    EXPECT_EQ(r.params.colors, nst::ColorMode::Post);
    // The switched-off layer keeps its place with weight 0; the others keep theirs.
    const auto defaults = nst::Params::defaults().style_layers;
    ASSERT_EQ(r.params.style_layers.size(), defaults.size());
    EXPECT_EQ(r.params.style_layers[1].weight, 0.0f);
    EXPECT_EQ(r.params.style_layers[0].weight, defaults[0].weight);
    // The flags that are written are exactly those that differ from nst's defaults.
    EXPECT_EQ(std::count(args.begin(), args.end(), "--size"), 1);
    EXPECT_EQ(std::count(args.begin(), args.end(), "--init"), 0);
    EXPECT_EQ(std::count(args.begin(), args.end(), "--log-json"), 0);
}

TEST(SettingsOf, EqualBlendWeightsAreNstsDefault) {
    ControlState st = viewer_state();
    st.styles = {{"s1.jpg", 0.5f}, {"s2.jpg", 0.5f}};
    const nst::RunSettings s = settings_of(st, viewer_flags(), 1);
    EXPECT_TRUE(s.params.style_blend.empty());
    const auto args = nst::to_args(s, nst::RunSettings{});
    EXPECT_EQ(std::count(args.begin(), args.end(), "--style-blend"), 0);
    st.styles[1].weight = 0.25f;
    EXPECT_EQ(settings_of(st, viewer_flags(), 1).params.style_blend, (std::vector<float>{0.5f, 0.25f}));
}

TEST(SettingsOf, RealWeightsAreNamedAsTheViewerFoundThem) {
    ControlState st = viewer_state();
    st.applied.options.features.weights_path = "/cache/vgg19.safetensors";
    const nst::RunSettings s = settings_of(st, viewer_flags(), 5);
    EXPECT_TRUE(s.features.empty());
    EXPECT_EQ(s.weights, "/cache/vgg19.safetensors");
    const auto args = nst::to_args(s, nst::RunSettings{});
    EXPECT_NE(std::find(args.begin(), args.end(), "/cache/vgg19.safetensors"), args.end());
    EXPECT_NO_THROW(nst::validate(s, nst::Use::Batch));
}

TEST(CopyCommand, ScheduleMatchesTheViewersLevels) {
    // 3 levels of 10 coarse steps at 256: steps 1-10 at 64 px, 11-20 at 128, then 256.
    const Schedule full = nst_schedule(256, 3, 10, 35);
    EXPECT_EQ(full.size, 256);
    EXPECT_EQ(full.scales, 3);
    EXPECT_EQ(full.steps, 15);
    const Schedule mid = nst_schedule(256, 3, 10, 15);
    EXPECT_EQ(mid.size, 128);
    EXPECT_EQ(mid.scales, 2);
    EXPECT_EQ(mid.steps, 5);
    const Schedule first = nst_schedule(256, 3, 10, 10);
    EXPECT_EQ(first.size, 64);
    EXPECT_EQ(first.scales, 1);
    EXPECT_EQ(first.steps, 10);
    const Schedule plain = nst_schedule(64, 1, 100, 7);
    EXPECT_EQ(plain.size, 64);
    EXPECT_EQ(plain.steps, 7);
    EXPECT_TRUE(plain.exact);
    const Schedule none = nst_schedule(64, 1, 100, 0);
    EXPECT_EQ(none.steps, 1);
    EXPECT_FALSE(none.exact);
}

TEST(CopyCommand, WordsAreNstsFlagsWithTheOutputLast) {
    nst::RunSettings s = settings_of(viewer_state(), viewer_flags(), 15);  // level 2 of 2 after 10 coarse steps
    const auto words = command_words(s, "/out/r.png");
    ASSERT_GE(words.size(), 4u);
    EXPECT_EQ(words.front(), "nst");
    EXPECT_EQ(words[words.size() - 2], "--output");
    EXPECT_EQ(words.back(), "/out/r.png");
    const nst::RunSettings r = nst::parse_args(std::vector<std::string>(words.begin() + 1, words.end() - 2));
    EXPECT_EQ(r.steps, 5);
    EXPECT_EQ(r.scales, 2);
    EXPECT_EQ(r.size, 128);
    EXPECT_EQ(r.coarse_steps, 10);
    EXPECT_NO_THROW(nst::validate(r, nst::Use::Batch));
    // Still at the coarse level: one level, its size, the steps so far.
    const auto coarse = command_words(settings_of(viewer_state(), viewer_flags(), 4), "o.png");
    const nst::RunSettings c = nst::parse_args(std::vector<std::string>(coarse.begin() + 1, coarse.end() - 2));
    EXPECT_EQ(c.size, 64);
    EXPECT_EQ(c.scales, 1);
    EXPECT_EQ(c.steps, 4);
}

// What /bin/sh makes of `line`: one word per output line.
std::vector<std::string> shell_words(const std::string& line) {
    const std::string cmd = "for w in " + line + "; do printf '%s\\n' \"$w\"; done";
    const std::string quoted = shell_quote(cmd);
    FILE* p = popen(("sh -c " + quoted).c_str(), "r");
    std::vector<std::string> out;
    if (!p) return out;
    std::string cur;
    for (int c; (c = std::fgetc(p)) != EOF;) {
        if (c == '\n') out.push_back(std::exchange(cur, {}));
        else cur += static_cast<char>(c);
    }
    pclose(p);
    return out;
}

TEST(CopyCommand, ShellReadsTheQuotedWordsBack) {
    EXPECT_EQ(shell_quote("/a/b-c_d.png"), "/a/b-c_d.png");
    EXPECT_EQ(shell_quote("a b"), "'a b'");
    EXPECT_EQ(shell_quote(""), "''");
    const std::vector<std::string> nasty = {"nst", "--content", "/my photos/it's $HOME `x` \"q\" *.jpg",
                                            "--style-layers", "relu1_1:0.5,relu2_1:1", "semi;colon&amp|pipe",
                                            "back\\slash", "tab\there"};
    EXPECT_EQ(shell_words(shell_join(nasty)), nasty);
}

TEST(CopyCommand, MasksAreWrittenForNstToReadBack) {
    const fs::path dir = fs::temp_directory_path() / ("nst-copy-test-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    nst::SpatialControl spatial;
    nst::Region r;
    r.mask = {8, 4, std::vector<float>(32, 0.0f)};
    for (int x = 0; x < 4; ++x)
        for (int y = 0; y < 4; ++y) r.mask.values[static_cast<std::size_t>(y * 8 + x)] = 1.0f;
    r.style = 1;
    r.weight = 2.5f;
    spatial.regions.push_back(r);
    r.style = nst::kRegionNone;
    r.weight = 1.0f;
    for (auto& v : r.mask.values) v = 1.0f - v;
    spatial.regions.push_back(r);
    spatial.content_map = {8, 4, std::vector<float>(32, 2.0f)};

    // Nothing painted: nothing written, no flags.
    const nst::RunSettings none = with_mask_files(settings_of(viewer_state(), viewer_flags(), 3), {}, dir);
    EXPECT_TRUE(none.regions.empty());
    EXPECT_FALSE(fs::exists(dir));

    const nst::RunSettings s = with_mask_files(settings_of(viewer_state(), viewer_flags(), 3), spatial, dir);
    ASSERT_EQ(s.regions.size(), 2u);
    EXPECT_EQ(s.regions[0].mask, (dir / "region1.png").string());
    EXPECT_EQ(s.regions[0].style, 1);
    EXPECT_FLOAT_EQ(s.regions[0].weight, 2.5f);
    EXPECT_EQ(s.regions[1].style, nst::kRegionNone);
    EXPECT_EQ(s.content_map, (dir / "content.png").string());
    // The command's flags name them; nst reads them back as they were painted.
    const auto words = command_words(s, "o.png");
    const nst::RunSettings parsed = nst::parse_args(std::vector<std::string>(words.begin() + 1, words.end() - 2));
    EXPECT_EQ(parsed.regions, s.regions);
    const nst::SpatialControl back = nst::load_spatial(parsed.regions, parsed.content_map, 8, 4);
    ASSERT_EQ(back.regions.size(), 2u);
    for (std::size_t i = 0; i < 2; ++i)
        for (std::size_t k = 0; k < 32; ++k)
            EXPECT_NEAR(back.regions[i].mask.values[k], spatial.regions[i].mask.values[k], 1.0f / 255) << i << " " << k;
    for (std::size_t k = 0; k < 32; ++k) EXPECT_NEAR(back.content_map.values[k], 2.0f, 0.05f) << k;
    fs::remove_all(dir);
}

TEST(Snapshots, VersionMovesOnEveryChange) {
    Snapshots m;
    const auto v0 = m.version();
    nst::Snapshot a;
    a.step = 10;
    m.add(a);
    a.step = 20;
    m.add(a);
    EXPECT_EQ(m.all().size(), 2u);
    EXPECT_GT(m.version(), v0);
    const auto v1 = m.version();
    m.remove(5);  // out of range: nothing
    EXPECT_EQ(m.version(), v1);
    m.remove(0);
    ASSERT_EQ(m.all().size(), 1u);
    EXPECT_EQ(m.all()[0].step, 20);
    EXPECT_GT(m.version(), v1);
    const auto v2 = m.version();
    m.set_all({});
    EXPECT_TRUE(m.all().empty());
    EXPECT_GT(m.version(), v2);
}

TEST(Snapshots, PixelsRoundTripExactly) {
    Rgba8 px;
    px.width = 16;
    px.height = 16;
    for (int i = 0; i < 256; ++i) {
        const auto v = static_cast<std::uint8_t>(i);
        px.pixels.insert(px.pixels.end(), {v, static_cast<std::uint8_t>(255 - v), static_cast<std::uint8_t>(v / 2), 255});
    }
    const nst::Image img = image_of(px);
    EXPECT_EQ(img.width, 16);
    EXPECT_FLOAT_EQ(img.rgb[3 * 200], 200.0f / 255.0f);
    EXPECT_EQ(rgba8_of(img).pixels, px.pixels);
    EXPECT_FALSE(nst::utc_timestamp().empty());
    EXPECT_EQ(nst::utc_timestamp().back(), 'Z');
}

}  // namespace
}  // namespace nstv
