// "Render final..." and "Render video..." refuse before any work: an output that cannot be written (named with its
// problem, nothing created), sizes, steps and tiles out of range. Real files in a temporary folder.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include "run/render_check.h"

namespace nstv {
namespace {

namespace fs = std::filesystem;

class RenderCheck : public ::testing::Test {
protected:
    void SetUp() override {
        std::string templ = (fs::temp_directory_path() / "nst-render-check-XXXXXX").string();
        ASSERT_NE(::mkdtemp(templ.data()), nullptr);
        dir_ = templ;
    }
    void TearDown() override { fs::remove_all(dir_); }
    [[nodiscard]] std::size_t entries() const {
        return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()));
    }
    fs::path dir_;
};

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST_F(RenderCheck, AWritablePngOrJpegPasses) {
    EXPECT_EQ(render_output_problem((dir_ / "out.png").string()), "");
    EXPECT_EQ(render_output_problem((dir_ / "out.JPG").string()), "");
    EXPECT_EQ(render_output_problem((dir_ / "out.jpeg").string()), "");
    EXPECT_EQ(entries(), 0u) << "the write probe left a file behind";
}

TEST_F(RenderCheck, AMissingFolderIsNamed) {
    const fs::path out = dir_ / "missing" / "out.png";
    const std::string why = render_output_problem(out.string());
    EXPECT_TRUE(contains(why, out.string()) && contains(why, "does not exist")) << why;
    EXPECT_FALSE(fs::exists(dir_ / "missing")) << "the check created the folder";
}

TEST_F(RenderCheck, AFileInPlaceOfTheFolderIsNamed) {
    std::ofstream(dir_ / "plain") << "x";
    const std::string why = render_output_problem((dir_ / "plain" / "out.png").string());
    EXPECT_TRUE(contains(why, "is not a directory")) << why;
}

TEST_F(RenderCheck, AFolderOrAnUnknownExtensionIsRefused) {
    fs::create_directory(dir_ / "a.png");
    std::string why = render_output_problem((dir_ / "a.png").string());
    EXPECT_TRUE(contains(why, "is a directory")) << why;
    why = render_output_problem((dir_ / "out.webp").string());
    EXPECT_TRUE(contains(why, "out.webp") && contains(why, "'.webp'")) << why;
    why = render_output_problem((dir_ / "noext").string());
    EXPECT_TRUE(contains(why, "no file extension")) << why;
    EXPECT_TRUE(contains(render_output_problem("   "), "no output file"));
}

TEST_F(RenderCheck, RelativePathsAreNamedInFull) {
    const fs::path cwd = fs::current_path();
    fs::current_path(dir_);
    const std::string why = render_output_problem("missing/out.png");
    fs::current_path(cwd);
    EXPECT_TRUE(contains(why, (dir_ / "missing" / "out.png").string())) << why;
}

TEST_F(RenderCheck, SizeStepsAndTileRanges) {
    RenderSetup s;
    s.output = (dir_ / "out.png").string();
    EXPECT_EQ(render_setup_problem(s), "");
    s.size = 8193;
    EXPECT_TRUE(contains(render_setup_problem(s), "render size 8193")) << render_setup_problem(s);
    s.size = 15;
    EXPECT_TRUE(contains(render_setup_problem(s), "render size 15"));
    s.size = 8192;
    s.steps = 0;
    EXPECT_TRUE(contains(render_setup_problem(s), "render steps 0"));
    s.steps = 1;
    s.tile = -1;
    EXPECT_TRUE(contains(render_setup_problem(s), "tile -1"));
    s.tile = 64;
    s.output = (dir_ / "nowhere" / "out.png").string();
    EXPECT_TRUE(contains(render_setup_problem(s), "does not exist"));
}

}  // namespace
}  // namespace nstv

namespace nstv {
namespace {

// "Render video...": the same checks nst --video makes, before any work, each naming its field.
RenderSetup video_setup(const std::filesystem::path& output) {
    RenderSetup r;
    r.size = 64;
    r.steps = 10;
    r.output = output.string();
    r.video.on = true;
    return r;
}

TEST_F(RenderCheck, AVideoOrAFramePatternPasses) {
    EXPECT_EQ(video_render_problem(video_setup(dir_ / "out.mp4"), 12), "");
    EXPECT_EQ(video_render_problem(video_setup(dir_ / "out.webm"), 12), "");
    EXPECT_EQ(video_render_problem(video_setup(dir_ / "out_%04d.png"), 12), "");
    RenderSetup r = video_setup(dir_ / "out.mkv");
    r.video.frames = "3:7";
    r.video.temporal_frames = "1,4";
    EXPECT_EQ(video_render_problem(r, 12), "");
    EXPECT_EQ(entries(), 0u) << "the checks left a file behind";
}

TEST_F(RenderCheck, ABadVideoRenderIsRefusedNamingTheProblem) {
    const std::string still = video_render_problem(video_setup(dir_ / "out.png"), 12);
    EXPECT_TRUE(contains(still, "out.png")) << still;
    const std::string missing = video_render_problem(video_setup(dir_ / "no" / "out.mp4"), 12);
    EXPECT_TRUE(contains(missing, "no/out.mp4") || contains(missing, (dir_ / "no").string())) << missing;
    RenderSetup range = video_setup(dir_ / "out.mp4");
    range.video.frames = "5:20";
    const std::string past = video_render_problem(range, 12);
    EXPECT_TRUE(contains(past, "--frames") && contains(past, "5:20")) << past;
    RenderSetup offsets = video_setup(dir_ / "out.mp4");
    offsets.video.temporal_frames = "0,2";
    EXPECT_TRUE(contains(video_render_problem(offsets, 12), "--temporal-frames")) << video_render_problem(offsets, 12);
    RenderSetup steps = video_setup(dir_ / "out.mp4");
    steps.video.frame_steps = 0;
    EXPECT_TRUE(contains(video_render_problem(steps, 12), "steps per frame")) << video_render_problem(steps, 12);
    RenderSetup weight = video_setup(dir_ / "out.mp4");
    weight.video.temporal_weight = -1;
    EXPECT_TRUE(contains(video_render_problem(weight, 12), "temporal weight")) << video_render_problem(weight, 12);
    EXPECT_TRUE(contains(video_render_problem(video_setup(""), 12), "no output")) << video_render_problem(video_setup(""), 12);
    EXPECT_EQ(entries(), 0u) << "a refused render created something";
}

}  // namespace
}  // namespace nstv
