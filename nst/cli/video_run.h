#pragma once
// nst --video: a clip stylized frame by frame with optical flow and a temporal loss (Ruder et al.
// 2016), resumable, the output assembled at the end with the input's audio.
#include <functional>
#include <string>

#include "nst/settings.h"
#include "nst/video/video_io.h"

namespace CLI {
class App;
}

namespace nst::cli {

// nst's video flags (the viewer's timeline, issue 23, moves them into the shared table).
struct VideoFlags {
    std::string input;             // --video: a file, a frame pattern or a folder
    std::string frames;            // --frames A:B (empty: all)
    int frame_steps = 100;         // --frame-steps
    float frame_lr = 0;            // --frame-lr (0: video::frame_learning_rate's default)
    std::string temporal_frames = "1,2,4";
    int max_frames = video::kDefaultMaxFrames;
};
void add_video_flags(CLI::App& app, VideoFlags& flags, RunSettings& run);

struct VideoRequest {
    RunSettings run;
    VideoFlags video;
    std::string output;
    bool cuda_graph = false;
    // main.cpp's policy for where the weights come from ("" = untrained features).
    std::function<std::string(const RunSettings&)> resolve_weights;
    // main.cpp's header lines (style, optimiser, regions) for these parameters.
    std::function<void(const Params&)> describe;
};

// Checks everything before any slow work (input, range, output, styles, masks), renders the frames
// not yet finished, assembles the output. Returns the exit code (130/143 when stopped by
// SIGINT/SIGTERM after a finished frame); throws nst::UsageError / nst::Error as the rest of nst.
int run_video(const VideoRequest& request);

}  // namespace nst::cli
