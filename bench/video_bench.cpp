// nst-video-bench: the measure of nst --video (issue 22; docs/PERFORMANCE.md, "Video"). Clips with
// known motion (a pan, a square moving over a still background) are stylized by the real `nst`
// program with the temporal loss and, as the reference in the same run, as independent frames
// (--temporal-weight 0, each frame from its own content); it prints the warping error of both with
// the clips' true flow over their truly visible pixels, and their ratio (goal <= 0.3), then the cost
// of a frame from the --log-json lines: its steps, the re-target and setup around them on the main
// thread, and the flows on the worker.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "nst/nst.h"
#include "nst/video/flow.h"
#include "nst/video/video_io.h"
#include "clips/synthetic_clip.h"

namespace {
namespace fs = std::filesystem;

struct Run {
    double warping_error = 0;
    double step_ms = 0, other_ms = 0, flow_ms = 0;  // per later frame (the first excluded)
};

std::string quote(const std::string& s) {
    std::string out = "'";
    for (const char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

Run stylize(const std::string& nst, const nst::test::SyntheticClip& clip, const fs::path& work, const std::string& name,
            const std::string& weight, const std::vector<std::string>& extra) {
    const fs::path in = work / (name + "_in"), log = work / (name + "_" + weight + ".jsonl");
    nst::test::write_frames(clip.frames, in);
    const std::string pattern = (work / (name + "_" + weight + "_%04d.png")).string();
    std::string cmd = quote(nst) + " --video " + quote(in.string()) + " --output " + quote(pattern) +
                      " --temporal-weight " + weight + " --log-json " + quote(log.string()) + " --size " +
                      std::to_string(std::max(clip.frames[0].width, clip.frames[0].height));
    for (const auto& e : extra) cmd += " " + quote(e);
    cmd += " > " + quote((work / (name + ".out")).string()) + " 2>&1";
    if (std::system(cmd.c_str()) != 0) {
        std::fprintf(stderr, "nst-video-bench: nst failed; see %s\n", (work / (name + ".out")).c_str());
        std::exit(1);
    }
    Run r;
    std::vector<nst::Image> out;
    for (std::size_t k = 1; k <= clip.frames.size(); ++k) out.push_back(nst::load_image(nst::video::pattern_path(pattern, static_cast<int>(k))));
    for (std::size_t t = 1; t < out.size(); ++t)
        r.warping_error += nst::video::warping_error(out[t], out[t - 1], clip.backward[t], clip.reliable[t]);
    r.warping_error /= static_cast<double>(out.size() - 1);
    std::ifstream lines(log);
    std::string line;
    double steps_of_frame = 0;
    int later = 0;
    while (std::getline(lines, line)) {
        const auto j = nlohmann::json::parse(line);
        if (j.contains("step")) steps_of_frame += j["ms"].get<double>();
        if (j.value("event", "") == "frame") {
            if (j["frame"].get<int>() > 1) {
                r.step_ms += steps_of_frame;
                r.other_ms += j["ms"].get<double>() - steps_of_frame;
                r.flow_ms += j["flow_ms"].get<double>();
                ++later;
            }
            steps_of_frame = 0;
        }
    }
    if (later > 0) {
        r.step_ms /= later;
        r.other_ms /= later;
        r.flow_ms /= later;
    }
    return r;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"nst-video-bench: temporal consistency and cost per frame of nst --video on clips with known motion"};
    int size = 128, frames = 6, steps = 30, frame_steps = 20, threads = 2;
    std::string nst = NST_CLI_PATH, weight = "10000", work_dir;
    app.add_option("--size", size, "Long side of the clips (and of the stylization)");
    app.add_option("--frames", frames, "Frames per clip");
    app.add_option("--steps", steps, "Steps of the first frame (and of each independent frame)");
    app.add_option("--frame-steps", frame_steps, "Steps of each later frame with the temporal loss");
    app.add_option("--temporal-weight", weight, "The temporal weight measured against independent frames");
    app.add_option("--threads", threads, "LibTorch threads of nst");
    app.add_option("--nst", nst, "The nst program");
    app.add_option("--work", work_dir, "Keep the frames here (default: a temporary folder, removed)");
    std::string style = std::string(NST_ASSETS_DIR) + "/style.jpg";
    app.add_option("--style", style, "The painting (default: the bundled sample)");
    std::vector<std::string> nst_args;
    app.add_option("--nst-arg", nst_args, "One more argument for nst (repeatable), e.g. --nst-arg=--lr --nst-arg=0.01");
    CLI11_PARSE(app, argc, argv);

    const fs::path work = work_dir.empty() ? fs::temp_directory_path() / ("nst-video-bench-" + std::to_string(::getpid()))
                                           : fs::path(work_dir);
    fs::create_directories(work);
    const std::vector<std::string> common = {"--style",       style,
                                             "--steps",       std::to_string(steps),
                                             "--frame-steps", std::to_string(frame_steps),
                                             "--features",    "random:1",
                                             "--device",      "cpu",
                                             "--threads",     std::to_string(threads)};
    std::vector<std::string> args = common;
    args.insert(args.end(), nst_args.begin(), nst_args.end());
    const int h = size * 3 / 4;
    struct Clip {
        const char* name;
        nst::test::SyntheticClip clip;
    };
    const Clip clips[] = {{"pan 2,1 px/frame", nst::test::pan_clip(size, h, frames, 2.0, 1.0)},
                          {"square 3,1 px/frame", nst::test::object_clip(size, h, frames, 3.0, 1.0)}};
    std::printf("nst-video-bench: %dx%d, %d frames, %d steps first, %d per frame, temporal weight %s, untrained "
                "features, %d threads\n",
                size, h, frames, steps, frame_steps, weight.c_str(), threads);
    std::printf("%-22s %14s %14s %7s %12s %12s %12s\n", "clip", "warp err (temp)", "independent", "ratio",
                "steps ms/fr", "setup ms/fr", "flow ms/fr");
    int index = 0;
    for (const auto& c : clips) {
        const std::string name = "clip" + std::to_string(index++);
        const Run temporal = stylize(nst, c.clip, work, name, weight, args);
        const Run independent = stylize(nst, c.clip, work, name, "0", args);
        std::printf("%-22s %14.5f %14.5f %7.3f %12.0f %12.0f %12.0f\n", c.name, temporal.warping_error,
                    independent.warping_error, temporal.warping_error / independent.warping_error, temporal.step_ms,
                    temporal.other_ms, temporal.flow_ms);
        std::fflush(stdout);
    }
    if (work_dir.empty()) fs::remove_all(work);
    return 0;
}
