// nst --video as a user runs it: clips with known motion (clips/synthetic_clip.h) in, frames
// out; temporal consistency measured with the true flow; stop and continue; ranges, patterns,
// folders, audio; each bad input named. Untrained features, tiny sizes, few steps.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "nst/video/flow.h"
#include "nst/video/video_io.h"
#include "support/cli_fixture.h"
#include "clips/ffmpeg_tool.h"
#include "clips/synthetic_clip.h"

namespace nst::test {
namespace {

class CliVideo : public Cli {
protected:
    // Fast video settings: 48 px, few steps, untrained features, one LibTorch thread (the flow worker
    // is the process's second thread, and CTest runs two tests at once on two cores).
    std::vector<std::string> video_args(const fs::path& input, const fs::path& out, int steps = 30,
                                        int frame_steps = 20) const {
        return {"--video", input.string(), "--style", style.string(), "--output", out.string(), "--size", "48",
                "--steps", std::to_string(steps), "--frame-steps", std::to_string(frame_steps), "--features", "random:1",
                "--device", "cpu", "--threads", "1"};
    }

    static std::vector<Image> read_pattern(const fs::path& dir, const std::string& prefix, int count) {
        std::vector<Image> frames;
        for (int k = 1; k <= count; ++k) {
            char name[64];
            std::snprintf(name, sizeof name, "%s_%04d.png", prefix.c_str(), k);
            frames.push_back(load_image(dir / name));
        }
        return frames;
    }

    // Mean warping error of a stylized clip against the clip's true flow and visibility.
    static double warping_error(const std::vector<Image>& out, const SyntheticClip& clip) {
        double sum = 0;
        for (std::size_t t = 1; t < out.size(); ++t)
            sum += video::warping_error(out[t], out[t - 1], clip.backward[t], clip.reliable[t]);
        return sum / static_cast<double>(out.size() - 1);
    }
};

// The measure of the issue: with the temporal loss at its defaults, the frames' warping error (with
// the true flow, over truly visible pixels) against frames stylized one by one with the same steps.
// Goal <= 0.3x: the pan measures 0.13x; the moving object 0.30x, at the goal, so its bound has a
// margin (what is left there: a ring of background where the estimated flow bleeds past the
// object's edges, neither held to the previous frame nor started from it; docs/PERFORMANCE.md).
TEST_F(CliVideo, TemporalLossCutsTheWarpingErrorOfPansAndMovingObjects) {
    struct Case {
        const char* name;
        SyntheticClip clip;
        double bound;
    };
    const Case cases[] = {{"pan", pan_clip(48, 36, 6, 2.0, 1.0), 0.3},
                          {"object", object_clip(96, 72, 6, 3.0, 1.0), 0.4}};
    for (const auto& c : cases) {
        const fs::path frames = dir / (std::string(c.name) + "_in");
        write_frames(c.clip.frames, frames);
        std::vector<double> errors;
        for (const char* weight : {"default", "0"}) {
            const std::string prefix = std::string(c.name) + "_" + weight;
            auto args = video_args(frames, dir / (prefix + "_%04d.png"));
            args[7] = std::to_string(c.clip.frames[0].width);  // --size: the clip's own
            if (std::string(weight) == "0") args.insert(args.end(), {"--temporal-weight", "0"});
            const auto r = run_nst(args, dir.path());
            ASSERT_EQ(r.exit_code, 0) << r.output;
            errors.push_back(warping_error(read_pattern(dir.path(), prefix, 6), c.clip));
        }
        std::printf("%s: warping error %.5f with the temporal loss, %.5f independent: ratio %.3f\n", c.name, errors[0],
                    errors[1], errors[0] / errors[1]);
        EXPECT_GT(errors[1], 0.0) << c.name;
        EXPECT_LE(errors[0], c.bound * errors[1]) << c.name;
    }
}

// Stopped by SIGTERM after a frame, the same command continues after the last finished frame, and
// the result equals an uninterrupted run's.
TEST_F(CliVideo, StopsAfterAFrameOnSigtermAndContinuesToTheSameResult) {
    const auto clip = pan_clip(48, 36, 4, 2.0, 0.0);
    const fs::path frames = dir / "in";
    write_frames(clip.frames, frames);
    const fs::path out = dir / "part_%04d.png";
    const fs::path store = dir / "part__04d.png.frames";  // beside the output, named without the %
    // Enough steps per frame that the signal arrives while frame 2 or 3 is optimised.
    const auto args = video_args(frames, out, 20, 100);
    std::vector<std::string> argv_s{NST_CLI_PATH};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        std::vector<char*> argv;
        for (auto& a : argv_s) argv.push_back(a.data());
        argv.push_back(nullptr);
        const std::string cache = (dir / "xdg-cache").string();
        setenv("XDG_CACHE_HOME", cache.c_str(), 1);
        setenv("NST_WEIGHTS_URL", kUnreachableWeightsUrl, 1);
        if (!freopen((dir / "stopped.log").c_str(), "w", stderr)) _exit(99);
        execv(argv[0], argv.data());
        _exit(98);
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (!fs::exists(store / "frame_000002.png") && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    kill(pid, SIGTERM);
    int status = 0;
    waitpid(pid, &status, 0);
    const auto log_bytes = read_bytes(dir / "stopped.log");
    const std::string log(log_bytes.begin(), log_bytes.end());
    ASSERT_TRUE(WIFEXITED(status)) << log;
    EXPECT_EQ(WEXITSTATUS(status), 128 + SIGTERM) << log;
    EXPECT_NE(log.find("stopped by SIGTERM after frame"), std::string::npos) << log;
    EXPECT_FALSE(fs::exists(dir / "part_0001.png")) << "the output is assembled only at the end";
    int finished = 0;
    while (fs::exists(store / ("frame_00000" + std::to_string(finished + 1) + ".png"))) ++finished;
    ASSERT_GE(finished, 2);
    ASSERT_LT(finished, 4);

    // The same command continues at the next frame.
    const auto resumed = run_nst(args, dir.path());
    ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
    EXPECT_NE(resumed.output.find("continuing at frame " + std::to_string(finished + 1)), std::string::npos)
        << resumed.output;
    EXPECT_FALSE(fs::exists(store)) << "the folder of finished frames is removed once the output is written";

    // An uninterrupted run with the same settings gives the same frames, bit for bit.
    const auto again = run_nst(video_args(frames, dir / "again_%04d.png", 20, 100), dir.path());
    ASSERT_EQ(again.exit_code, 0) << again.output;
    const auto a = read_pattern(dir.path(), "part", 4), b = read_pattern(dir.path(), "again", 4);
    for (int k = 0; k < 4; ++k) EXPECT_EQ(a[k].rgb, b[k].rgb) << "frame " << k + 1;
}

// A different recipe does not continue old frames: it starts over and says so.
TEST_F(CliVideo, AnotherRecipeStartsOverAndSaysSo) {
    const auto clip = pan_clip(48, 36, 3, 1.0, 0.0);
    write_frames(clip.frames, dir / "in");
    const fs::path store = dir / "out.mkv.frames";
    fs::create_directories(store);
    write_text(store / "recipe.json", "{\"another\": true}");
    save_image(clip.frames[0], store / "frame_000001.png");
    const auto r = run_nst(video_args(dir / "in", dir / "out.mkv", 3, 2), dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("another recipe: starting over"), std::string::npos) << r.output;
    const auto out = video::open_frames(dir / "out.mkv");
    EXPECT_EQ(out->info().frames, 3);
}

// A video file in, a video file out: the frame count and rate kept, the audio copied unchanged.
TEST_F(CliVideo, KeepsFrameCountRateAndAudio) {
    const fs::path in = dir / "in.mp4";
    ASSERT_NO_FATAL_FAILURE(ffmpeg("-f lavfi -i testsrc=size=48x32:rate=12 -f lavfi -i sine=frequency=440:sample_rate=44100 -t 0.5 "
           "-pix_fmt yuv420p -c:v libx264 -c:a aac " + q(in)));
    const auto input = video::open_frames(in);
    const fs::path out = dir / "out.mp4";
    auto args = video_args(in, out, 4, 2);
    args.insert(args.end(), {"--log-json", (dir / "log.jsonl").string()});
    const auto r = run_nst(args, dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const auto output = video::open_frames(out);
    EXPECT_EQ(output->info().frames, input->info().frames);
    EXPECT_NEAR(output->info().rate.fps(), 12.0, 1e-6);
    EXPECT_EQ(output->info().width, 48);
    EXPECT_EQ(output->info().height, 32);
    ASSERT_TRUE(output->info().has_audio) << r.output;
    EXPECT_NEAR(output->info().audio_duration_s, input->info().audio_duration_s, 0.05);
    // The log: a start line with the temporal settings and the flow, each step with its frame.
    const auto lines = read_log(dir / "log.jsonl");
    ASSERT_FALSE(lines.empty());
    EXPECT_EQ(lines[0]["temporal"]["frames"], nlohmann::json({1, 2, 4}));
    EXPECT_TRUE(lines[0]["temporal"]["flow"].get<std::string>().starts_with("OpenCV DIS"));
    int frame_events = 0;
    for (const auto& l : lines) {
        if (l.contains("step")) EXPECT_TRUE(l.contains("frame"));
        if (l.value("event", "") == "frame") ++frame_events;
    }
    EXPECT_EQ(frame_events, input->info().frames);
}

// --frames A:B from a pattern input: only those frames, numbered in the output from 1.
TEST_F(CliVideo, FramesRangeFromAPattern) {
    const auto clip = pan_clip(40, 30, 5, 1.0, 1.0);
    write_frames(clip.frames, dir / "in");
    auto args = video_args(dir / "in" / "frame_%04d.png", dir / "o_%04d.png", 3, 2);
    args.insert(args.end(), {"--frames", "2:4", "--log-json", (dir / "log.jsonl").string()});
    const auto r = run_nst(args, dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.output;
    for (int k = 1; k <= 3; ++k) {
        char name[32];
        std::snprintf(name, sizeof name, "o_%04d.png", k);
        EXPECT_TRUE(fs::exists(dir / name)) << name;
    }
    EXPECT_FALSE(fs::exists(dir / "o_0004.png"));
    std::vector<int> numbers;
    for (const auto& l : read_log(dir / "log.jsonl"))
        if (l.value("event", "") == "frame") numbers.push_back(l["frame"].get<int>());
    EXPECT_EQ(numbers, (std::vector<int>{2, 3, 4}));
}

// A shot cut (another picture) starts fresh, and the log says so.
TEST_F(CliVideo, AShotCutStartsFresh) {
    auto clip = pan_clip(48, 36, 3, 1.0, 0.0, 1);
    const auto other = pan_clip(48, 36, 3, 1.0, 0.0, 77);
    clip.frames.insert(clip.frames.end(), other.frames.begin(), other.frames.end());
    write_frames(clip.frames, dir / "in");
    auto args = video_args(dir / "in", dir / "o_%04d.png", 3, 2);
    args.insert(args.end(), {"--log-json", (dir / "log.jsonl").string()});
    const auto r = run_nst(args, dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("frame 4: shot cut"), std::string::npos) << r.output;
    std::vector<bool> cuts;
    for (const auto& l : read_log(dir / "log.jsonl"))
        if (l.value("event", "") == "frame") cuts.push_back(l["cut"].get<bool>());
    EXPECT_EQ(cuts, (std::vector<bool>{false, false, false, true, false, false}));
}

// Each bad input: one line naming it, the right exit code, nothing written, no work done.
TEST_F(CliVideo, BadInputsAreNamed) {
    const auto clip = pan_clip(40, 30, 3, 1.0, 0.0);
    write_frames(clip.frames, dir / "in");
    const fs::path in = dir / "in";
    expect_failure(video_args(dir / "missing.mp4", output), 1, {"missing.mp4"});
    write_text(dir / "fake.mp4", "not a video at all");
    expect_failure(video_args(dir / "fake.mp4", output), 1, {"fake.mp4"});
    // Usage errors, before any work (no folder of finished frames appears).
    expect_failure(video_args(in, dir / "no_number.png"), 2, {"no_number.png"});
    expect_failure(video_args(in, dir / "missing_dir" / "o_%04d.png"), 2, {"missing_dir"});
    auto range = video_args(in, dir / "o_%04d.png");
    range.insert(range.end(), {"--frames", "2:9"});
    expect_failure(range, 2, {"--frames 2:9"});
    auto offsets = video_args(in, dir / "o_%04d.png");
    offsets.insert(offsets.end(), {"--temporal-frames", "2,x"});
    expect_failure(offsets, 2, {"--temporal-frames 2,x"});
    auto weight = video_args(in, dir / "o_%04d.png");
    weight.insert(weight.end(), {"--temporal-weight", "-1"});
    expect_failure(weight, 2, {"--temporal-weight"});
    auto frame_lr = video_args(in, dir / "o_%04d.png");
    frame_lr.insert(frame_lr.end(), {"--frame-lr", "0"});
    expect_failure(frame_lr, 2, {"--frame-lr"});
    auto both = video_args(in, dir / "o_%04d.png");
    both.insert(both.end(), {"--content", content.string()});
    expect_failure(both, 2, {"--video and --content"});
    for (const auto& e : fs::directory_iterator(dir.path()))
        EXPECT_FALSE(e.path().filename().string().ends_with(".frames")) << "work began for a bad input: " << e.path();
    // A frame of another size in the middle of a folder.
    save_image(make_test_image(20, 20, 3), in / "frame_0002.png");
    expect_failure(video_args(in, dir / "o_%04d.png"), 1, {"frame_0002.png"});
}

}  // namespace
}  // namespace nst::test
