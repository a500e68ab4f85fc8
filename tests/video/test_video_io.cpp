// Clips in and out (video_io.h): the containers and codecs we read (frame count, rate, size,
// pixels against the source frames), image folders and frame patterns, the three outputs read
// back, audio passthrough (whole clip and a --frames range), atomic writes and the output checks.
// Test clips are made at test time with the ffmpeg command-line tool (no binary blobs).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
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

// 6 frames of ffmpeg's test picture at 12 fps, 48x32.
const std::string kSource = "-f lavfi -i testsrc=size=48x32:rate=12:duration=0.5 ";
const std::string kSine = "-f lavfi -i sine=frequency=440:sample_rate=44100:duration=0.5 ";

// The frames the clips were made from, as PNGs (lossless), numbered from 1.
std::vector<nst::Image> reference_frames(const TempDir& dir) {
    ffmpeg(kSource + q(dir / "ref_%d.png"));
    std::vector<nst::Image> refs;
    for (int i = 1; fs::exists(dir / ("ref_" + std::to_string(i) + ".png")); ++i)
        refs.push_back(nst::load_image(dir / ("ref_" + std::to_string(i) + ".png")));
    return refs;
}

std::vector<nst::Image> ramp_frames(int w, int h, int n) {
    std::vector<nst::Image> frames;
    for (int k = 0; k < n; ++k) frames.push_back(nst::test::make_test_image(w, h, k));
    return frames;
}

v::EncodeJob job_for(const fs::path& out, int w, int h, int frames, v::Rate rate = {12, 1}) {
    v::EncodeJob job;
    job.output = v::check_video_output(out);
    job.width = w;
    job.height = h;
    job.frames = frames;
    job.rate = rate;
    return job;
}

TEST(VideoIo, OpensMp4MkvWebmAviWithCountRateSizeAndPixels) {
    TempDir dir;
    const auto refs = reference_frames(dir);
    ASSERT_EQ(refs.size(), 6u);
    struct Case {
        std::string file, args, codec, container;
    };
    const Case cases[] = {
        {"a.mp4", "-c:v libx264 -crf 10 -pix_fmt yuv444p", "h264", "mp4"},
        {"a.mkv", "-c:v ffv1", "ffv1", "matroska"},
        {"a.webm", "-c:v libvpx-vp9 -crf 10 -b:v 0", "vp9", "webm"},
        {"a.avi", "-c:v mjpeg -q:v 2", "mjpeg", "avi"},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.file);
        ASSERT_NO_FATAL_FAILURE(ffmpeg(kSource + c.args + " " + q(dir / c.file)));
        auto src = v::open_frames(dir / c.file);
        const v::VideoInfo& info = src->info();
        EXPECT_EQ(info.kind, v::SourceKind::File);
        EXPECT_EQ(info.frames, 6);
        EXPECT_NEAR(info.rate.fps(), 12.0, 1e-6);
        EXPECT_EQ(info.width, 48);
        EXPECT_EQ(info.height, 32);
        EXPECT_EQ(info.codec, c.codec);
        EXPECT_TRUE(contains(info.container, c.container));
        EXPECT_FALSE(info.has_audio);
        EXPECT_NEAR(info.duration_s, 0.5, 1e-6);
        std::vector<nst::Image> got;
        for (int i = 0; i < 6; ++i) {
            got.push_back(src->frame(i));
            EXPECT_LT(nst::test::mean_abs_diff(got.back(), refs[i]), 0.06) << "frame " << i;
        }
        // Backwards (reopen) and forwards (decode and discard) give the same pixels.
        EXPECT_EQ(nst::test::max_abs_diff(src->frame(1), got[1]), 0.f);
        EXPECT_EQ(nst::test::max_abs_diff(src->frame(4), got[4]), 0.f);
        EXPECT_EQ(nst::test::max_abs_diff(src->frame(0), got[0]), 0.f);
    }
}

TEST(VideoIo, InMemoryClipDecodesLikeTheFile) {
    TempDir dir;
    ASSERT_NO_FATAL_FAILURE(ffmpeg(kSource + "-c:v mjpeg " + q(dir / "a.avi")));
    auto file = v::open_frames(dir / "a.avi");
    auto mem = v::open_frames_in_memory(nst::test::read_bytes(dir / "a.avi"), "clip.avi");
    EXPECT_EQ(mem->info().frames, 6);
    EXPECT_EQ(mem->path(), fs::path("clip.avi"));
    EXPECT_EQ(nst::test::max_abs_diff(mem->frame(5), file->frame(5)), 0.f);
}

TEST(VideoIo, FolderReadsImagesInNameOrder) {
    TempDir dir;
    const auto frames = ramp_frames(32, 24, 3);
    fs::create_directory(dir / "f");
    nst::save_image(frames[1], dir / "f" / "b.png");
    nst::save_image(frames[0], dir / "f" / "a.png");
    nst::save_image(frames[2], dir / "f" / "c.PNG");
    nst::test::write_text(dir / "f" / "notes.txt", "not a frame");
    auto src = v::open_frames(dir / "f");
    EXPECT_EQ(src->info().kind, v::SourceKind::Folder);
    ASSERT_EQ(src->info().frames, 3);
    EXPECT_EQ(src->info().width, 32);
    EXPECT_NEAR(src->info().rate.fps(), 25.0, 1e-9);
    for (int i = 2; i >= 0; --i) EXPECT_LT(nst::test::max_abs_diff(src->frame(i), frames[i]), 0.6f / 255) << i;
}

TEST(VideoIo, PatternStartsAtZeroOrOneAndEndsAtTheFirstGap) {
    TempDir dir;
    const auto frames = ramp_frames(32, 24, 4);
    for (int n : {1, 2, 3}) nst::save_image(frames[n - 1], dir / ("f_" + std::to_string(n) + ".png"));
    nst::save_image(frames[3], dir / "f_5.png");  // after the gap: not part of the sequence
    auto src = v::open_frames(dir / "f_%d.png");
    EXPECT_EQ(src->info().kind, v::SourceKind::Pattern);
    ASSERT_EQ(src->info().frames, 3);
    EXPECT_LT(nst::test::max_abs_diff(src->frame(2), frames[2]), 0.6f / 255);

    for (int n : {0, 1}) nst::save_image(frames[n], dir / v::pattern_path("g_%04d.png", n));
    EXPECT_EQ(fs::path(v::pattern_path("g_%04d.png", 7)), fs::path("g_0007.png"));
    auto zero = v::open_frames((dir / "g_%04d.png").string());
    ASSERT_EQ(zero->info().frames, 2);
    EXPECT_LT(nst::test::max_abs_diff(zero->frame(0), frames[0]), 0.6f / 255);
    EXPECT_TRUE(v::is_frame_pattern("out_%04d.png"));
    EXPECT_FALSE(v::is_frame_pattern("out.png"));
    EXPECT_FALSE(v::is_frame_pattern("out_%d_%d.png"));
    EXPECT_FALSE(v::is_frame_pattern("100%.png"));
}

TEST(VideoIo, WritesMp4WebmMkvThatReadBackWithCountRateAndSize) {
    TempDir dir;
    const auto frames = ramp_frames(48, 32, 6);
    for (const auto& [file, codec] : {std::pair{"o.mp4", "h264"}, {"o.webm", "vp9"}, {"o.mkv", "h264"}}) {
        SCOPED_TRACE(file);
        v::write_video(job_for(dir / file, 48, 32, 6), [&](int k) { return frames[k]; });
        auto back = v::open_frames(dir / file);
        EXPECT_EQ(back->info().frames, 6);
        EXPECT_NEAR(back->info().rate.fps(), 12.0, 1e-3);
        EXPECT_EQ(back->info().width, 48);
        EXPECT_EQ(back->info().height, 32);
        EXPECT_EQ(back->info().codec, codec);
        EXPECT_FALSE(back->info().has_audio);
        for (int k = 0; k < 6; ++k) EXPECT_LT(nst::test::mean_abs_diff(back->frame(k), frames[k]), 0.03) << k;
    }
    // A fractional NTSC rate survives too.
    v::write_video(job_for(dir / "ntsc.mkv", 48, 32, 3, {30000, 1001}), [&](int k) { return frames[k]; });
    EXPECT_NEAR(v::open_frames(dir / "ntsc.mkv")->info().rate.fps(), 29.97, 1e-2);
    EXPECT_EQ(nst::test::list_dir(dir.path()), (std::vector<std::string>{"ntsc.mkv", "o.mkv", "o.mp4", "o.webm"}));
}

TEST(VideoIo, OddSizedH264KeepsItsExactSize) {
    TempDir dir;
    const auto frames = ramp_frames(33, 25, 2);
    v::write_video(job_for(dir / "odd.mp4", 33, 25, 2), [&](int k) { return frames[k]; });
    auto back = v::open_frames(dir / "odd.mp4");
    EXPECT_EQ(back->info().width, 33);
    EXPECT_EQ(back->info().height, 25);
    EXPECT_LT(nst::test::mean_abs_diff(back->frame(1), frames[1]), 0.03);
}

TEST(VideoIo, PatternOutputNumbersFramesFromOne) {
    TempDir dir;
    const auto frames = ramp_frames(32, 24, 3);
    const auto job = job_for(dir / "out_%02d.png", 32, 24, 3);
    EXPECT_EQ(job.output.kind, v::OutputKind::Pattern);
    v::write_video(job, [&](int k) { return frames[k]; });
    EXPECT_EQ(nst::test::list_dir(dir.path()), (std::vector<std::string>{"out_01.png", "out_02.png", "out_03.png"}));
    EXPECT_LT(nst::test::max_abs_diff(nst::load_image(dir / "out_03.png"), frames[2]), 0.6f / 255);
}

TEST(VideoIo, AudioIsCopiedUnchangedWithTheSameDuration) {
    TempDir dir;
    ASSERT_NO_FATAL_FAILURE(ffmpeg(kSource + kSine + "-c:v libx264 -c:a aac " + q(dir / "in.mp4")));
    auto in = v::open_frames(dir / "in.mp4");
    const v::VideoInfo& info = in->info();
    ASSERT_TRUE(info.has_audio);
    EXPECT_EQ(info.audio_codec, "aac");
    EXPECT_NEAR(info.audio_duration_s, 0.5, 0.05);
    for (const char* file : {"out.mp4", "out.mkv"}) {
        SCOPED_TRACE(file);
        auto job = job_for(dir / file, 48, 32, info.frames);
        job.output = v::check_video_output(dir / file, &info);
        job.audio_from = dir / "in.mp4";
        v::write_video(job, [&](int k) { return in->frame(k); });
        auto out = v::open_frames(dir / file);
        EXPECT_EQ(out->info().frames, info.frames);
        EXPECT_TRUE(out->info().has_audio);
        EXPECT_EQ(out->info().audio_codec, "aac");  // stream copy: no re-encoding to another codec
        EXPECT_NEAR(out->info().audio_duration_s, info.audio_duration_s, 1.0 / 12);
    }
    // AAC cannot go into WebM unchanged: refused before any work, naming the output and the codec.
    const std::string msg =
        nst::test::message_of<nst::UsageError>([&] { v::check_video_output(dir / "out.webm", &info); });
    EXPECT_TRUE(contains(msg, (dir / "out.webm").string()));
    EXPECT_TRUE(contains(msg, "aac"));
}

TEST(VideoIo, RangeCopiesTheAudioOfItsTimeSpan) {
    TempDir dir;
    ASSERT_NO_FATAL_FAILURE(ffmpeg("-f lavfi -i testsrc=size=48x32:rate=12:duration=1 "
                                   "-f lavfi -i sine=frequency=440:sample_rate=48000:duration=1 -c:v mjpeg -c:a libopus " +
                                   q(dir / "in.mkv")));
    auto in = v::open_frames(dir / "in.mkv");
    ASSERT_EQ(in->info().frames, 12);
    EXPECT_EQ(in->info().audio_codec, "opus");
    auto job = job_for(dir / "range.webm", 48, 32, 4);  // frames 3..6: 4/12 s
    job.output = v::check_video_output(dir / "range.webm", &in->info());
    job.audio_from = dir / "in.mkv";
    job.first_frame = 3;
    v::write_video(job, [&](int k) { return in->frame(3 + k); });
    auto out = v::open_frames(dir / "range.webm");
    EXPECT_EQ(out->info().frames, 4);
    EXPECT_EQ(out->info().audio_codec, "opus");
    EXPECT_NEAR(out->info().audio_duration_s, 4.0 / 12, 1.0 / 12);
}

TEST(VideoIo, FailedWriteLeavesNoTempFileAndKeepsTheOldOutput) {
    TempDir dir;
    nst::test::write_text(dir / "out.mp4", "the old output");
    const auto frames = ramp_frames(32, 24, 4);
    const auto job = job_for(dir / "out.mp4", 32, 24, 4);
    const std::string msg = nst::test::message_of<nst::Error>([&] {
        v::write_video(job, [&](int k) {
            if (k == 2) throw nst::Error("styling failed");
            return frames[k];
        });
    });
    EXPECT_EQ(msg, "styling failed");
    EXPECT_EQ(nst::test::list_dir(dir.path()), std::vector<std::string>{"out.mp4"});
    const auto bytes = nst::test::read_bytes(dir / "out.mp4");
    EXPECT_EQ(std::string(bytes.begin(), bytes.end()), "the old output");
    // A frame of the wrong size is refused, naming the output, with the same guarantees.
    const std::string size_msg = nst::test::message_of<nst::Error>(
        [&] { v::write_video(job, [&](int) { return nst::test::make_test_image(30, 24); }); });
    EXPECT_TRUE(contains(size_msg, (dir / "out.mp4").string()));
    EXPECT_EQ(nst::test::list_dir(dir.path()), std::vector<std::string>{"out.mp4"});
    // And a successful write replaces it.
    v::write_video(job, [&](int k) { return frames[k]; });
    EXPECT_EQ(v::open_frames(dir / "out.mp4")->info().frames, 4);
}

TEST(VideoIo, CheckVideoOutputRefusesBadPathsBeforeAnyWork) {
    TempDir dir;
    EXPECT_EQ(v::check_video_output(dir / "a.mp4").container, "mp4");
    EXPECT_EQ(v::check_video_output(dir / "a.WEBM").container, "webm");
    EXPECT_EQ(v::check_video_output(dir / "a.mkv").container, "mkv");
    EXPECT_EQ(v::check_video_output(dir / "f_%04d.jpg").kind, v::OutputKind::Pattern);
    for (const char* bad : {"out.png", "out_%d_%d.png", "out_%s.png"}) {
        const std::string msg = nst::test::message_of<nst::UsageError>([&] { v::check_video_output(dir / bad); });
        EXPECT_TRUE(contains(msg, (dir / bad).string()));
        EXPECT_TRUE(contains(msg, "%d"));
    }
    const std::string ext = nst::test::message_of<nst::UsageError>([&] { v::check_video_output(dir / "out.avi"); });
    EXPECT_TRUE(contains(ext, "out.avi"));
    EXPECT_TRUE(contains(ext, ".avi"));
    const std::string missing =
        nst::test::message_of<nst::Error>([&] { v::check_video_output(dir / "no_such_folder" / "out.mp4"); });
    EXPECT_TRUE(contains(missing, "no_such_folder"));
    nst::test::write_text(dir / "file", "x");
    const std::string not_dir = nst::test::message_of<nst::Error>([&] { v::check_video_output(dir / "file" / "o_%d.png"); });
    EXPECT_TRUE(contains(not_dir, "not a folder"));
    EXPECT_EQ(nst::test::list_dir(dir.path()), std::vector<std::string>{"file"});  // the probes left nothing
}

}  // namespace
