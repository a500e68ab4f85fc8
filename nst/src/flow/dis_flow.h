#pragma once
// The DIS settings behind compute_flow(), exposed inside the engine so that the presets can be
// measured against each other (tests/video/test_flow.cpp) without a second implementation.
#include "nst/video/flow.h"

namespace nst::flow {

// The defaults are compute_flow's, chosen by measurement at 256x192 (VideoFlow.PresetTable, one
// OpenCV thread): MEDIUM at full resolution (finest scale 0) with MEDIUM's 5 variational refinement
// iterations had the lowest end-point error on the pan and moving-object clips but one (0.008 px on
// a 3 px pan against MEDIUM's 0.023, 0.088 against 0.116 on the object clip) and the fewest false
// unreliable pixels, at ~16 ms a flow: the 6 flows of a frame with 3 temporal offsets take ~0.1 s,
// 2-3 % of the optimiser's 3-5 s on the same frame. 10 refinement iterations gained ~10 % in error
// for ~35 % more time: not worth it.
struct DisSettings {
    int preset = 2;                 // cv::DISOpticalFlow::PRESET_ULTRAFAST 0, FAST 1, MEDIUM 2
    int finest_scale = 0;           // -1: the preset's own (MEDIUM: 1, i.e. half resolution)
    int refinement_iterations = -1; // variational refinement; -1: the preset's own (MEDIUM: 5)
};

// The flow from `from` to `to` (same size) with these settings.
video::Flow dis_flow(const Image& from, const Image& to, const DisSettings& settings);

}  // namespace nst::flow
