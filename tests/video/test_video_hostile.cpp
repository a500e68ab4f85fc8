// Video files as untrusted input (video_io.h): every bad clip is refused with one nst::Error that
// names the file and the problem — missing, not a video, truncated, corrupted, a container outside
// the whitelist, frames too large or too many, no video at all, a frame size that changes — and
// never crashes or hangs. Clips are made at test time with the ffmpeg command-line tool.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>

#include "nst/error.h"
#include "nst/image.h"
#include "nst/video/video_io.h"
#include "clips/ffmpeg_tool.h"
#include "support/test_util.h"

namespace {

namespace fs = std::filesystem;
namespace v = nst::video;
using nst::test::contains;
using nst::test::TempDir;

using nst::test::ffmpeg;
using nst::test::q;

const std::string kSource = "-f lavfi -i testsrc=size=64x48:rate=12:duration=0.5 ";

// Opens `input` and decodes every frame; returns the one-line nst::Error (not a UsageError) it
// throws, which must name the input first.
std::string refusal(const fs::path& input, const v::Limits& limits = {}) {
    const auto start = std::chrono::steady_clock::now();
    const std::string msg = nst::test::message_of<nst::Error>([&] {
        auto src = v::open_frames(input, limits);
        for (int i = 0; i < src->info().frames; ++i) src->frame(i);
    });
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5)) << "too slow: " << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
    EXPECT_TRUE(msg.starts_with(input.string() + ": ")) << msg;
    return msg;
}

TEST(VideoHostile, MissingFileIsNamed) {
    TempDir dir;
    EXPECT_EQ(refusal(dir / "none.mp4"), (dir / "none.mp4").string() + ": no such file");
    EXPECT_TRUE(contains(refusal(dir / "none_%04d.png"), "no video frames"));
}

TEST(VideoHostile, TextFileRenamedMp4IsNotAVideo) {
    TempDir dir;
    nst::test::write_text(dir / "notes.mp4", "These are my notes, not a video.\n");
    EXPECT_TRUE(contains(refusal(dir / "notes.mp4"), "not"));
    nst::test::write_text(dir / "empty.mp4", "");
    EXPECT_TRUE(contains(refusal(dir / "empty.mp4"), "empty file"));
}

TEST(VideoHostile, TruncatedFilesAreRefused) {
    TempDir dir;
    ASSERT_NO_FATAL_FAILURE(ffmpeg(kSource + "-c:v libx264 " + q(dir / "a.mp4")));
    ASSERT_NO_FATAL_FAILURE(ffmpeg(kSource + "-c:v libx264 -movflags +faststart " + q(dir / "fast.mp4")));
    ASSERT_NO_FATAL_FAILURE(ffmpeg(kSource + "-c:v ffv1 " + q(dir / "a.mkv")));
    for (const char* name : {"a.mp4", "fast.mp4", "a.mkv"}) {
        SCOPED_TRACE(name);
        auto bytes = nst::test::read_bytes(dir / name);
        for (const double keep : {0.3, 0.7, 0.95}) {
            std::vector<std::uint8_t> cut(bytes.begin(), bytes.begin() + static_cast<long>(bytes.size() * keep));
            const fs::path p = dir / ("cut_" + std::to_string(int(keep * 100)) + "_" + name);
            nst::test::write_bytes(p, cut);
            SCOPED_TRACE(keep);
            refusal(p);
        }
    }
}

TEST(VideoHostile, CorruptedBytesInTheMiddleAreRefused) {
    TempDir dir;
    ASSERT_NO_FATAL_FAILURE(ffmpeg(kSource + "-c:v libx264 -movflags +faststart " + q(dir / "a.mp4")));
    ASSERT_NO_FATAL_FAILURE(ffmpeg(kSource + "-c:v ffv1 -slicecrc 1 " + q(dir / "a.mkv")));
    for (const char* name : {"a.mp4", "a.mkv"}) {
        SCOPED_TRACE(name);
        auto bytes = nst::test::read_bytes(dir / name);
        std::mt19937 rng(7);
        for (std::size_t i = bytes.size() * 2 / 5; i < bytes.size() * 4 / 5; ++i) bytes[i] = static_cast<std::uint8_t>(rng());
        nst::test::write_bytes(dir / ("bad_" + std::string(name)), bytes);
        const std::string msg = refusal(dir / ("bad_" + std::string(name)));
        EXPECT_TRUE(contains(msg, "corrupt") || contains(msg, "truncated")) << msg;
    }
}

TEST(VideoHostile, ContainersOutsideTheWhitelistAreRefusedByName) {
    TempDir dir;
    ASSERT_NO_FATAL_FAILURE(ffmpeg(kSource + q(dir / "a.flv")));
    ASSERT_NO_FATAL_FAILURE(ffmpeg(kSource + q(dir / "a.gif")));
    EXPECT_TRUE(contains(refusal(dir / "a.flv"), "'flv' format is not supported"));
    EXPECT_TRUE(contains(refusal(dir / "a.gif"), "'gif' format is not supported"));
    // The bytes decide, not the name.
    fs::copy_file(dir / "a.flv", dir / "renamed.mp4");
    EXPECT_TRUE(contains(refusal(dir / "renamed.mp4"), "'flv' format is not supported"));
    // A whitelisted container with a codec outside the whitelist.
    ASSERT_NO_FATAL_FAILURE(ffmpeg(kSource + "-c:v mpeg2video " + q(dir / "m2.mkv")));
    EXPECT_TRUE(contains(refusal(dir / "m2.mkv"), "'mpeg2video' video codec is not supported"));
}

TEST(VideoHostile, LimitsOnFrameSizeAndCountAreEnforcedAtOpen) {
    TempDir dir;
    ASSERT_NO_FATAL_FAILURE(ffmpeg(kSource + "-c:v libx264 " + q(dir / "a.mp4")));
    EXPECT_TRUE(contains(refusal(dir / "a.mp4", {.max_pixels = 1000}), "64x48 exceed the limit of 1000 pixels"));
    EXPECT_TRUE(contains(refusal(dir / "a.mp4", {.max_frames = 3}), "more than 3 frames"));
    EXPECT_EQ(v::open_frames(dir / "a.mp4", {.max_pixels = 64 * 48, .max_frames = 6})->info().frames, 6);

    fs::create_directory(dir / "f");
    for (int i = 1; i <= 3; ++i) nst::save_image(nst::test::make_test_image(64, 48, i), dir / "f" / (std::to_string(i) + ".png"));
    EXPECT_TRUE(contains(refusal(dir / "f", {.max_frames = 2}), "more than 2 frames"));
    EXPECT_TRUE(contains(refusal(dir / "f", {.max_pixels = 1000}), "1.png"));
    EXPECT_TRUE(contains(refusal(dir / "f" / "%d.png", {.max_frames = 2}), "more than 2 frames"));
}

TEST(VideoHostile, NoVideoFramesIsNamed) {
    TempDir dir;
    ASSERT_NO_FATAL_FAILURE(ffmpeg("-f lavfi -i sine=duration=0.2 -c:a libopus " + q(dir / "audio.mkv")));
    EXPECT_TRUE(contains(refusal(dir / "audio.mkv"), "no video stream"));
    fs::create_directory(dir / "empty");
    EXPECT_TRUE(contains(refusal(dir / "empty"), "no video frames"));
}

TEST(VideoHostile, FrameSizeChangingMidStreamIsNamed) {
    TempDir dir;
    fs::create_directory(dir / "f");
    nst::save_image(nst::test::make_test_image(32, 24), dir / "f" / "a.png");
    nst::save_image(nst::test::make_test_image(32, 24), dir / "f" / "b.png");
    nst::save_image(nst::test::make_test_image(30, 24), dir / "f" / "c.png");
    const std::string folder = refusal(dir / "f");
    EXPECT_TRUE(contains(folder, "c.png is 30x24, not 32x24"));
    for (const char* n : {"a", "b", "c"}) fs::copy_file(dir / "f" / (std::string(n) + ".png"), dir / ("p_" + std::to_string(n[0] - 'a') + ".png"));
    EXPECT_TRUE(contains(refusal(dir / "p_%d.png"), "p_2.png is 30x24"));

    // A file: two MJPEG parts of different sizes joined without re-encoding.
    ASSERT_NO_FATAL_FAILURE(ffmpeg("-f lavfi -i testsrc=size=48x32:rate=12:duration=0.25 -c:v mjpeg " + q(dir / "a.avi")));
    ASSERT_NO_FATAL_FAILURE(ffmpeg("-f lavfi -i testsrc=size=32x24:rate=12:duration=0.25 -c:v mjpeg " + q(dir / "b.avi")));
    nst::test::write_text(dir / "list.txt", "file '" + (dir / "a.avi").string() + "'\nfile '" + (dir / "b.avi").string() + "'\n");
    ASSERT_NO_FATAL_FAILURE(ffmpeg("-f concat -safe 0 -i " + q(dir / "list.txt") + " -c copy " + q(dir / "two.mkv")));
    EXPECT_TRUE(contains(refusal(dir / "two.mkv"), "frame 4 is 32x24, not 48x32"));
}

TEST(VideoHostile, GarbageInMemoryIsNamed) {
    std::vector<std::uint8_t> junk(4096);
    std::mt19937 rng(3);
    for (auto& b : junk) b = static_cast<std::uint8_t>(rng());
    const std::string msg = nst::test::message_of<nst::Error>([&] { v::open_frames_in_memory(junk, "junk.bin"); });
    EXPECT_TRUE(msg.starts_with("junk.bin: ")) << msg;
    EXPECT_TRUE(nst::test::message_of<nst::Error>([&] { v::open_frames_in_memory({}, "nothing"); }).starts_with("nothing: "));
}

}  // namespace
