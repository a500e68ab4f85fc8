#include "run/render_check.h"

#include <algorithm>
#include <cmath>
#include <exception>
#include <filesystem>

#include "nst/image.h"
#include "nst/video/render.h"
#include "nst/video/video_io.h"

namespace nstv {
namespace fs = std::filesystem;

std::string render_output_problem(const std::string& path) {
    if (path.find_first_not_of(" \t") == std::string::npos)
        return "no output file: type a path ending in .png, .jpg or .jpeg";
    std::error_code ec;
    const fs::path p = fs::absolute(path, ec);
    try {
        nst::check_output_path(ec ? fs::path(path) : p);
    } catch (const std::exception& e) {
        // The check is the CLI's (--output): the same rules and words, without the flag's name.
        std::string why = e.what();
        if (why.rfind("--output ", 0) == 0) why.erase(0, 9);
        return "cannot render to " + why;
    }
    return {};
}

std::string render_setup_problem(const RenderSetup& s) {
    if (s.size < kMinRenderSize || s.size > kMaxRenderSize)
        return "render size " + std::to_string(s.size) + ": must be between " + std::to_string(kMinRenderSize) +
               " and " + std::to_string(kMaxRenderSize) + " px";
    if (s.steps < 1 || s.steps > kMaxRenderSteps)
        return "render steps " + std::to_string(s.steps) + ": must be between 1 and " + std::to_string(kMaxRenderSteps);
    if (s.tile < 0 || s.tile > kMaxRenderSize)
        return "tile " + std::to_string(s.tile) + ": must be 0 (by memory) or at most " + std::to_string(kMaxRenderSize);
    return render_output_problem(s.output);
}

std::string video_render_problem(const RenderSetup& s, int clip_frames) {
    if (s.size < kMinRenderSize || s.size > kMaxRenderSize)
        return "frame size " + std::to_string(s.size) + ": must be between " + std::to_string(kMinRenderSize) + " and " +
               std::to_string(kMaxRenderSize) + " px";
    if (s.steps < 1 || s.steps > kMaxRenderSteps)
        return "first frame's steps " + std::to_string(s.steps) + ": must be between 1 and " + std::to_string(kMaxRenderSteps);
    if (s.video.frame_steps < 1 || s.video.frame_steps > kMaxRenderSteps)
        return "steps per frame " + std::to_string(s.video.frame_steps) + ": must be between 1 and " +
               std::to_string(kMaxRenderSteps);
    if (!(s.video.temporal_weight >= 0) || !std::isfinite(s.video.temporal_weight))
        return "temporal weight: must be a finite number >= 0";
    if (!(s.video.frame_lr >= 0) || !std::isfinite(s.video.frame_lr)) return "frame lr: must be a finite number >= 0";
    if (s.output.find_first_not_of(" \t") == std::string::npos)
        return "no output: type a video file (.mp4, .webm, .mkv) or a frame pattern (out_%04d.png)";
    // The checks nst --video makes (the same words, without the flags' names where they lead).
    try {
        (void)nst::video::parse_temporal_frames(s.video.temporal_frames);
        if (!s.video.frames.empty()) (void)nst::video::parse_frame_range(s.video.frames, std::max(1, clip_frames));
        std::error_code ec;
        const fs::path p = fs::absolute(s.output, ec);
        (void)nst::video::check_video_output(ec ? fs::path(s.output) : p);
    } catch (const std::exception& e) {
        std::string why = e.what();
        if (why.rfind("--output ", 0) == 0) why.erase(0, 9);
        return "cannot render the clip: " + why;
    }
    return {};
}

}  // namespace nstv
