#pragma once
// Rendering a clip frame by frame (Ruder et al. 2016), the parts both programs share, torch-free:
// what each frame starts from and is held to (the temporal setup from the flow and the earlier
// results), and the folder of finished frames that lets a long render stop and continue.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "nst/engine.h"
#include "nst/image.h"
#include "nst/video/flow.h"

namespace nst::video {

// The optical flow the renders use, for logs and headers (compute_flow in flow.h).
inline constexpr const char* kFlowMethod = "OpenCV DIS (medium preset, full resolution)";

// The video settings of a run (nst --video; the viewer's timeline next).
struct TemporalSettings {
    std::vector<int> offsets{1, 2, 4};  // --temporal-frames: earlier frames held to (long-term)
    int frame_steps = 100;              // --frame-steps: steps of each frame after the first
    // A frame with fewer reliable pixels against the previous one than this is a shot cut: it
    // starts fresh with no temporal term.
    double cut_below = 1.0 / 3.0;
};

// The learning rate of the frames after the first (and after a cut): `given` when > 0, else for
// Adam a quarter of the still's: those frames start from the previous result, warped, and Adam's
// step of lr per pixel per step (whatever the gradient) jitters pixels that are already where the
// temporal term holds them; at lr/4 the warping error of a moving object fell from 0.0095 to
// 0.0034 (docs/PERFORMANCE.md, "Video"). L-BFGS keeps its own (a multiple of its quasi-Newton step).
[[nodiscard]] float frame_learning_rate(float given, const Params& params);
inline constexpr float kFrameLrScale = 0.25f;

// Parses "--temporal-frames 1,2,4": distinct offsets >= 1 and <= 64, ascending after parsing.
// Throws nst::UsageError naming the flag and the bad part.
std::vector<int> parse_temporal_frames(const std::string& spec);

// A range of frames: 1-based, inclusive, "A:B", "A:" (to the end), ":B" or "N" (one frame).
struct FrameRange {
    int first = 0, last = 0;  // 0-based indices, inclusive
    [[nodiscard]] int count() const { return last - first + 1; }
};
// Throws nst::UsageError naming --frames for bad syntax or a range outside 1..frames.
FrameRange parse_frame_range(const std::string& spec, int frames);

// How frame t begins and what holds it to the earlier ones.
struct FrameSetup {
    Image start;                          // where the optimiser starts
    std::vector<TemporalTarget> targets;  // the temporal term's targets (empty: none)
    double reliable = 0;  // fraction of pixels reliable against frame t-1 (0 without one)
    bool fresh = false;   // no earlier frame to start from: the first frame of the range
    bool cut = false;     // a shot cut: too few reliable pixels, so it starts fresh
};

// The setup of `frame` from the finished earlier frames: `earlier(i)` gives the stylized frame i
// (nullptr when there is none: before the range, or before a cut). Starts from the previous result
// warped into this frame where its pixels were visible in it, and from the content where they were
// not (disocclusions); one target per offset whose long-term weights are not all 0.
FrameSetup temporal_setup(const PreparedFrame& frame, const std::function<const Image*(int)>& earlier,
                          const TemporalSettings& settings);

// The folder beside the output that keeps the finished frames of a render ("clip.mp4" ->
// "clip.mp4.frames/", with frame_000001.png ... numbered as the input's frames, from 1) and the
// recipe they were made with. Each frame is written atomically as it finishes.
class FrameStore {
public:
    // Opens or creates `dir`. If it holds frames of another recipe (or none), they are removed:
    // started_over() then says so (the caller tells the user).
    FrameStore(std::filesystem::path dir, std::string recipe);
    [[nodiscard]] static std::filesystem::path dir_for(const std::filesystem::path& output);

    [[nodiscard]] bool has(int index) const;
    [[nodiscard]] Image load(int index) const;
    void save(int index, const Image& frame) const;  // atomic; 8-bit PNG
    [[nodiscard]] std::filesystem::path path_of(int index) const;
    [[nodiscard]] const std::filesystem::path& dir() const { return dir_; }
    [[nodiscard]] bool started_over() const { return started_over_; }
    // The first index in [first, last] that has no finished frame (last + 1 when all are done).
    [[nodiscard]] int first_missing(int first, int last) const;
    // Removes the folder (after the output is assembled).
    void remove() const;

private:
    std::filesystem::path dir_;
    bool started_over_ = false;
};

}  // namespace nst::video
