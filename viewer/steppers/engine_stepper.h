#pragma once
// The runner's stepper for the real engine. Lives entirely on the optimizer thread: it owns the
// nst::Engine (and through it every LibTorch object) and the input images. Includes nst/nst.h
// only, never torch headers.
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "nst/nst.h"
#include "nst/video/video_io.h"
#include "run/frame.h"
#include "run/json_log.h"
#include "run/runner.h"
#include "steppers/render_stepper.h"
#include "steppers/sweep_stepper.h"
#include "steppers/video_render_stepper.h"
#include "video/clip_frames.h"

namespace nstv {

// Everything whose change needs new targets (and maybe a new Engine).
struct EngineSetup {
    std::string content_path;
    // A clip as the content instead (video/clip_frames.h): its frame `frame` (0-based) is the
    // content. Moving to another frame of the same clip with nothing else changed is cheap: one
    // forward pass, the current image carried over (warped by the flow when the frames are near).
    std::string video;
    int frame = 0;
    int max_frames = nst::video::kDefaultMaxFrames;
    std::vector<std::string> style_paths;  // one or more; the engine blends their statistics
    int size = 384;
    // Coarse-to-fine: with scales > 1 every restart (first run, Reset) begins at size/2^(scales-1)
    // and re-targets to twice the size after coarse_steps steps at each level, up to `size`.
    int scales = 1;
    int coarse_steps = 100;
    nst::EngineOptions options;
    nst::Init init = nst::Init::Content;
    std::string init_image;  // a picture to start from instead of `init` (resized to the content)
    std::int64_t max_pixels = nst::kDefaultMaxPixels;
    bool restart = false;  // start from the init image instead of the current one
    // Parameters to use from this re-target on (e.g. beta for real weights after the switch from
    // random features, or a blend with one weight per style of a new style list), so no step runs
    // with the new inputs and the old parameters or vice versa.
    std::optional<nst::Params> params;
    // No content: a size x size texture from the styles alone (the content is loaded for its
    // thumbnail only).
    bool texture = false;
    // For the UI and the log: which request this is (echoed in Sources::request) and why it was made.
    std::uint64_t request = 0;
    std::string reason = "start";
};

// UI -> optimizer: the painted regions. The UI swaps in a new immutable snapshot and bumps the
// version; the optimizer compares versions (an atomic: no lock to find there is nothing new) and
// takes the pointer. The mutex guards the pointer swap alone, and the old snapshot is released
// after it, so neither side ever waits for the other's work.
class SpatialSlot {
public:
    void publish(std::shared_ptr<const nst::SpatialControl> control) {
        {
            const std::lock_guard lock(mu_);
            control.swap(control_);
        }  // `control` (now the previous snapshot) is freed here, outside the lock
        version_.fetch_add(1, std::memory_order_release);
    }
    [[nodiscard]] std::uint64_t version() const { return version_.load(std::memory_order_acquire); }
    // At least as new as the version read before it.
    [[nodiscard]] std::shared_ptr<const nst::SpatialControl> load() const {
        const std::lock_guard lock(mu_);
        return control_;
    }

private:
    mutable std::mutex mu_;
    std::shared_ptr<const nst::SpatialControl> control_;
    std::atomic<std::uint64_t> version_{0};
};

// What the engine currently runs on, for the --log-json lines. Written by the stepper on the
// optimizer thread (after each successful re-target), read there by the step hook and by the UI.
struct EngineInfo {
    std::atomic<bool> random_features{true};
    std::atomic<nst::Precision> precision{nst::Precision::FP32};
    // The coarse-to-fine level the steps run at: long side in pixels, 1-based level of `levels`.
    std::atomic<int> size{0};
    std::atomic<int> level{1};
    std::atomic<int> levels{1};
    std::atomic<int> styles{1};
    // Forward passes of input images made for targets since the viewer started (all engines).
    std::atomic<long> target_passes{0};
    // UI -> optimizer: publish the moving average (when Params::average is on) or the iterate.
    std::atomic<bool> show_average{true};
    // UI -> optimizer: the painted regions; and back, how many regions the steps use.
    SpatialSlot spatial;
    std::atomic<int> regions{0};
    std::atomic<int> frame{-1};  // the clip's frame that is the content (-1: a still)
    std::atomic<bool> texture{false};
    std::atomic<int> width{0}, height{0};  // the optimised image's size
    // UI -> optimizer: a frame move is on its way; the step under way stops early
    // (EngineOptions::interrupt) rather than finish for a frame no longer shown. Cleared when
    // the optimizer takes the re-target.
    std::atomic<bool> interrupt_step{false};

    [[nodiscard]] StepContext step_context() const {
        return {random_features.load(), precision.load(), size.load(), target_passes.load(),
                static_cast<std::size_t>(styles.load()), show_average.load(), regions.load(), frame.load(),
                texture.load(), width.load(), height.load()};
    }
};

// The long side of coarse-to-fine level `level` (0-based) of `scales` for a run at `size`.
[[nodiscard]] inline int level_size(int size, int scales, int level) { return size >> (scales - 1 - level); }
// Empty if the schedule is valid, else why not (same limits as nst --scales / --coarse-steps).
[[nodiscard]] inline std::string check_levels(int size, int scales, int coarse_steps) {
    if (scales < 1 || scales > 6) return "coarse-to-fine levels " + std::to_string(scales) + ": must be between 1 and 6";
    if (coarse_steps < 1 || coarse_steps > 1'000'000)
        return "steps per coarse level " + std::to_string(coarse_steps) + ": must be between 1 and 1000000";
    if (level_size(size, scales, 0) < 16)
        return std::to_string(scales) + " coarse-to-fine levels: the coarsest level would be under 16 px at size " +
               std::to_string(size);
    return {};
}

// 8-bit RGBA of a host image (values clamped to [0,1]), for publications.
[[nodiscard]] Rgba8 to_rgba8(const nst::Image& img);

class EngineStepper {
public:
    using Params = nst::Params;
    using Target = EngineSetup;
    using SweepTarget = SweepSetup;
    using RenderTarget = RenderSetup;

    // `log` (may be null) gets a "retarget" event whenever targets are computed.
    EngineStepper(const Params& initial, Notify notify, std::shared_ptr<EngineInfo> info = {}, JsonLog* log = nullptr);
    ~EngineStepper();

    // Instant for weights, learning rate, blend, statistic and colours off <-> post; new layers, a
    // new style scale and colours to or from luminance/histogram compute new targets here (x and
    // Adam's state kept). Throws, keeping the previous parameters, when the engine refuses them.
    void apply(const Params& p);
    [[nodiscard]] bool slow_to_apply(const Params& p) const { return engine_ && engine_->needs_rebuild(p); }
    // Throws nst::StepInterrupted (nothing changed) when a frame move on its way stops it.
    StepLosses step();
    void render(Frame& f);
    void reset();
    void retarget(const Target& t);
    [[nodiscard]] bool ready() const { return engine_ != nullptr; }
    [[nodiscard]] long steps() const { return steps_; }
    [[nodiscard]] const Params& params() const { return params_; }

    // Before each step, refresh, reset and re-target (the runner calls it): hands the engine the
    // regions the UI published since, if any. A refusal keeps the previous ones (a notice says why).
    void sync();

    // Sweep mode (the Runner steps the sweep instead of the main run, which stays as it is): built
    // from the current inputs at the current level's size, the network options and the regions;
    // every cell starts from the current image or the content. Throws (nothing changes) when it
    // cannot be built; a sweep already running is dropped first (its memory is needed).
    void start_sweep(const SweepSetup& s);
    void stop_sweep();
    [[nodiscard]] bool sweeping() const { return sweep_ != nullptr; }
    void sweep_step() { sweep_->step(); }
    void render_sweep(SweepFrame& f);

    // Render mode ("Render final...", the Runner steps it instead of the main run, which stays as
    // it is): a second engine with the current features, network options, parameters, styles and
    // regions at `r.size`, starting from the current result (as shown: the average or the
    // iterate) upsampled. Throws (nothing changes) when it cannot be built.
    // With r.video.on, "Render video...": the clip frame by frame (VideoRenderStepper) instead.
    void start_render(const RenderSetup& r, TileHook on_tile);
    void render_step();
    [[nodiscard]] bool rendering() const { return render_ != nullptr || video_render_ != nullptr; }
    [[nodiscard]] bool render_done() const {
        return video_render_ ? video_render_->done() : render_ && render_->steps() >= render_->setup().steps;
    }
    [[nodiscard]] std::string render_cancelled_text() const {
        return video_render_ ? video_render_->cancelled_text() : std::string();
    }
    [[nodiscard]] std::string render_done_text() const;
    void render_status(RenderFrame& f, bool preview) const {
        if (video_render_) video_render_->status(f, preview);
        else render_->status(f, preview);
    }
    // Writes the output (the recipe as PNG metadata, the untrained-features warning when it
    // applies) and returns its path.
    std::string finish_render();
    void stop_render();

    // Tests: pretend the loss of this step (1-based, counted since start) is NaN.
    void inject_nan_at(long step) { inject_nan_at_ = step; }

private:
    // Whether the view shows the average of the iterates (the UI's toggle) or the iterate.
    [[nodiscard]] bool showing_average() const {
        return !info_ || info_->show_average.load(std::memory_order_relaxed);
    }
    void remember_if_good();
    void start_level(int level);  // re-targets at that level's size, continuing from the current image
    // Starts `e` over from `init_image` (if any) or `init`; with `keep_targets` (the engine already
    // targets these inputs) without computing targets again.
    static void start_from(nst::Engine& e, const nst::Image& content, const std::vector<nst::Image>& styles,
                           nst::Init init, const nst::Image& init_image, bool keep_targets, bool texture);
    // The content the engine takes at a level's long side: the loaded one resized, or in texture
    // mode a flat canvas size x size; with --seamless both sides rounded to the pooling grid.
    [[nodiscard]] static nst::Image level_content(const nst::Image& src, int size, const Params& p, bool texture);
    // Engine::retarget, or retarget_texture in texture mode (`content` then gives the size only).
    static void retarget_engine(nst::Engine& e, const nst::Image& content, const std::vector<nst::Image>& styles,
                                const nst::Image& start, bool texture);
    void publish_info();
    // The regions at the current level's size (the UI paints at the full size). Throws if the
    // engine refuses them.
    void apply_spatial(const nst::SpatialControl& full);
    void reapply_spatial();  // after the content's size changed or a new engine was built
    void log_targets(const std::string& reason);  // after anything that computed targets
    // The content a setup names: its clip's frame or its image file (may throw; changes nothing).
    [[nodiscard]] nst::Image load_content(const Target& t, std::unique_ptr<ClipFrames>& clip) const;
    // Same inputs as running, only another frame of the clip: move_to_frame instead of a re-target.
    [[nodiscard]] bool frame_move(const Target& t) const;
    void move_to_frame(const Target& t);
    void publish_sources(const Target& t, int size, const std::string& carried, double reliable);
    // The main engine's options: a step stops early when the UI has a frame move on its way.
    [[nodiscard]] nst::EngineOptions with_interrupt(nst::EngineOptions o) const;

    Notify notify_;
    std::shared_ptr<EngineInfo> info_;
    JsonLog* log_;
    Params params_;
    EngineSetup setup_;
    std::unique_ptr<nst::Engine> engine_;
    nst::Image content_;                   // at the current level's size
    nst::Image content_src_;               // as loaded
    std::vector<nst::Image> styles_;       // as loaded (the engine sizes them: Params::style_scale)
    nst::Image init_image_;                // EngineSetup::init_image as loaded (empty: none)
    int level_ = 0;                        // 0-based coarse-to-fine level
    long level_start_ = 0;                 // steps_ when the current level began
    std::shared_ptr<const Sources> sources_;
    std::uint64_t generation_ = 0;
    nst::Image last_good_;
    long steps_ = 0, last_good_step_ = 0;
    long inject_nan_at_ = -1;
    long passes_before_ = 0;               // target passes of the engines this one replaced
    std::uint64_t spatial_seen_ = 0;       // the SpatialSlot version last handed to the engine
    bool spatial_refused_ = false;         // it was refused: try it again after the next re-target
    std::shared_ptr<const nst::SpatialControl> spatial_;  // the last accepted, at the UI's size
    std::unique_ptr<SweepStepper> sweep_;  // sweep mode (null: the main run steps)
    std::unique_ptr<ClipFrames> clip_;     // the clip when the content is one (null: a still)
    std::unique_ptr<RenderStepper> render_;  // render mode (null: none)
    std::unique_ptr<VideoRenderStepper> video_render_;  // render mode for a clip (null: none)
    bool render_written_ = false;
};

}  // namespace nstv
