#pragma once
// One frame loop for both programs: a clip rendered frame by frame (Ruder et al. 2016) on an
// nst::Engine the caller built, one optimisation step per step() call, so that nst --video can run
// it to the end and the viewer's optimizer thread can interleave it with UI commands and stop it
// between any two steps. The FrameFeed worker (flow.h) decodes and computes flows ahead; each frame
// gets its start and temporal targets from temporal_setup (render.h); cold frames (the first of the
// range, shot cuts, every frame of an independent render) run the coarse-to-fine schedule, warm
// ones TemporalSettings::frame_steps steps at frame_lr; each finished frame goes into the
// FrameStore at once, so a render stopped between frames continues bit for bit. Torch-free.
#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

#include "nst/engine.h"
#include "nst/image.h"
#include "nst/regions.h"
#include "nst/video/flow.h"
#include "nst/video/render.h"
#include "nst/video/video_io.h"

namespace nst::video {

// A cold frame's schedule: coarse-to-fine levels, the last at the full size.
struct ColdLevel {
    int size = 0;   // long side
    int steps = 0;
};

struct ClipPlan {
    std::filesystem::path input;        // the clip (file, pattern or folder)
    Limits limits;                      // max_pixels, max_frames
    FrameRange range;                   // resolved, 0-based inclusive
    int width = 0, height = 0;          // the stylization size of every frame
    std::vector<Image> styles;          // as loaded
    SpatialControl spatial;             // painted regions at any size of the clip's aspect (resampled per level), may be empty
    Init init = Init::Content;          // the first frame's start
    Image init_image;                   // instead of init for the first frame (empty: none)
    std::vector<ColdLevel> cold;        // the first frame's and each cut's schedule (last = full size, >= 1 level)
    TemporalSettings temporal;          // offsets, frame_steps, cut_below
    float frame_lr = 0;                 // the resolved lr of warm frames (frame_learning_rate; 0: its default)
    Params params;                      // as the engine was built with (temporal_weight 0: independent frames)
};

// The steps of a cold frame (the sum of its levels).
[[nodiscard]] int cold_steps(const std::vector<ColdLevel>& levels);

struct FrameReport {                    // one finished frame
    int index = 0;                      // 0-based
    bool cold = false, cut = false;     // cut: under cut_below of its pixels reliable against t-1 (a new shot)
    double reliable = 0;                // fraction reliable against the previous frame (0 without one)
    std::size_t targets = 0;            // temporal targets used
    double flow_ms = 0, ms = 0;         // the worker's flow time; the frame's time inside step() (not the wait for the worker)
    double warping_error = -1;          // video::warping_error(result t, result t-1, backward flow t->t-1, reliability) with the results as saved; -1 when t-1 is not in this shot/range
};

class ClipRenderer {
public:
    // `engine` is built by the caller (options, plan.params) and outlives this. Opens the clip (its
    // own FrameSource, owned by the FrameFeed worker), starts the feed at store.first_missing(range)
    // minus the largest offset (so a resumed frame gets its links and the earlier shot boundaries
    // are found again), reads finished frames back from `store` (which outlives this) as needed.
    // Throws nst::Error naming the input (unreadable clip, range outside it, empty schedule).
    ClipRenderer(Engine& engine, ClipPlan plan, const FrameStore& store);
    // The same with the clip already opened from plan.input (nst --video opened it for its size,
    // frame count and output check: a file is not counted twice).
    ClipRenderer(Engine& engine, ClipPlan plan, const FrameStore& store, std::unique_ptr<FrameSource> source);
    ~ClipRenderer();
    ClipRenderer(const ClipRenderer&) = delete;
    ClipRenderer& operator=(const ClipRenderer&) = delete;

    // Every frame of the range finished (true at once when all were already in the store).
    [[nodiscard]] bool done() const;
    // Sets the next frame up when none is under way (waits for the worker's decode and flows;
    // set_content / retarget, temporal targets, lr); nothing otherwise or when done. step() does it
    // itself; a caller calls it first to learn the frame's kind and steps (current()) before its
    // first step.
    void begin_frame();
    // One optimisation step of the frame under way; sets that frame up first when it is new, and
    // after its last step saves it to the store and makes its FrameReport available. Nothing when
    // done. Throws what the engine or the worker throws, and nst::Error "the loss became nan at
    // frame N; try a smaller --lr" for a non-finite loss.
    void step();
    // The frame finished by the last step(), once.
    [[nodiscard]] std::optional<FrameReport> take_finished();
    // The frame under way as known so far (ms and warping_error not yet); between frames, the last
    // finished one's report (a default one before any).
    [[nodiscard]] const FrameReport& current() const;

    [[nodiscard]] int frame() const;             // 0-based index of the frame under way (or next)
    [[nodiscard]] int first_to_render() const;   // the resume point (store.first_missing)
    [[nodiscard]] int frames_left() const;       // frames not finished yet, counting the one under way
    [[nodiscard]] int step_in_frame() const;     // steps done in the frame under way (0 between frames)
    // Steps that frame takes (cold: the sum of its levels); between frames, the estimate for the next.
    [[nodiscard]] int steps_of_frame() const;
    // Steps left in the whole render (frames not started: cold for the range's first frame and for
    // every frame of an independent render, else frame_steps; a cut unknown in advance counts as warm).
    [[nodiscard]] long steps_left() const;
    // No frame is under way (the last step finished one, or none started): where a stop keeps
    // exactly the finished frames.
    [[nodiscard]] bool between_frames() const;
    [[nodiscard]] Losses last_losses() const;    // of the last step (zeros before any)
    [[nodiscard]] const Image& content() const;  // the content of the frame under way or last finished (empty before the first)
    [[nodiscard]] const ClipPlan& plan() const;

private:
    struct State;
    std::unique_ptr<State> s_;
};

}  // namespace nst::video
