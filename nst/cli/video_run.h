#pragma once
// nst --video: a clip stylized frame by frame with optical flow and a temporal loss (Ruder et al.
// 2016), resumable, the output assembled at the end with the input's audio.
#include <functional>
#include <string>

#include "nst/settings.h"

namespace nst::cli {

// The clip and its flags are RunSettings fields (video, frames, frame_steps, frame_lr,
// temporal_frames, max_frames, params.temporal_weight): entries of the table (param_table.h).
struct VideoRequest {
    RunSettings run;
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
