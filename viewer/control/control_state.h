#pragma once
// What the panels edit (ControlState) and what they ask for (ControlActions). Pure data: the
// panels fill ControlActions, and the Controller turns them into runner calls.
#include <memory>
#include <string>
#include <vector>

#include "nst/nst.h"
#include "steppers/engine_stepper.h"

namespace nstv {

// One style image of the blend: its path and its weight as the slider shows it (the engine
// normalises the weights to sum 1).
struct StyleEntry {
    std::string path;
    float weight = 1.0f;
    bool operator==(const StyleEntry&) const = default;
};

struct ControlState {
    // Weights and style knobs as edited (disabled style layers keep theirs). The blend is not kept
    // here but in `styles`, next to the images it weighs.
    nst::Params params;
    std::vector<bool> style_enabled;    // parallel to params.style_layers
    std::vector<StyleEntry> styles;     // the style list (what the optimizer was last asked for)
    std::string new_style;              // the "add a style" field
    int update_every = 1;

    EngineSetup applied;                // what the optimizer was last asked to target
    // True while a re-target is on its way: the style list and the other re-targeting controls
    // wait for it (so requests never overtake each other).
    bool retargeting = false;
    // Edits of `applied`, sent with "Apply" / Enter.
    std::string content_path, weights_path;
    bool texture = false;               // no content: a texture (applied at once, a re-target)
    int size = 384;
    int scales = 1;                     // coarse-to-fine levels (apply at the next Reset)
    int coarse_steps = 100;             // steps per coarser level
    int pooling = 0;                    // 0 max, 1 avg
    bool random_features = true;
    int features_seed = 0;
    nst::Precision precision = nst::Precision::FP32;  // applied at once (re-targets)
    bool cuda = false;                  // the engine runs on CUDA: tf32 is offered

    std::string screenshot_dir;

    // A clip as the content (applied.video): the frame the timeline's cursor is on (0-based). The
    // Controller moves the run there, one frame move at a time (a scrub sends only the newest).
    int frame = 0;
    // "Render video..." (video/video_render_panel.cpp): the frames (A:B, 1-based; empty: all), the
    // first frame's steps (0: the live run's --steps or 300), the steps of each later frame, its
    // learning rate (0: the default), the earlier frames held to, the output (video or pattern).
    // The temporal weight is params.temporal_weight.
    std::string video_frames;
    int video_first_steps = 0;
    int frame_steps = 100;
    float frame_lr = 0;
    std::string temporal_frames = "1,2,4";

    // The optimizer panel. The learning rate of the optimiser not in use (each keeps its own: Adam's
    // is in image units, L-BFGS's a multiple of its quasi-Newton step), and the averaging decay
    // while averaging is off (params.average is 0 then).
    float other_lr = nst::default_lr(nst::Optimizer::LBFGS);
    float average_decay = 0.99f;
    bool show_average = true;            // show the average (when on) or the raw iterate
    nst::Init restart_init = nst::Init::Content;
    bool restart_from_file = false;      // restart from restart_file instead of restart_init
    std::string restart_file;

    // The snapshot the optimizer gets: disabled layers have weight 0 (same layer set, so no
    // re-targeting is needed to switch a layer off and on again); the blend from `styles`.
    [[nodiscard]] nst::Params snapshot() const;
    // The setup the edit fields describe.
    [[nodiscard]] EngineSetup edited_setup() const;
    [[nodiscard]] std::vector<std::string> style_paths() const;
    // Empty when the blend can be used, else why not (all weights zero).
    [[nodiscard]] std::string blend_problem() const;
    // After the optimizer refused parameters: show the ones it kept (a layer switched off here
    // keeps its own weight).
    void adopt(const nst::Params& kept);
};

struct ControlActions {
    bool params_changed = false;        // weights, learning rate, layers
    bool update_every_changed = false;
    bool toggle_pause = false, reset = false;
    int steps = 0;                      // single steps asked for (a held Right arrow repeats)
    bool retarget = false;              // "Apply" in the inputs section
    bool precision_changed = false;
    bool retry_download = false;
    bool save_result = false, save_window = false;
    bool toggle_sweep = false;          // open / close the sweep panel (G)
    bool open_render = false;           // the "Render final..." dialog (Ctrl+R, the Render menu)
    bool cancel_render = false;         // the render under way (Esc)
    bool open_video_render = false;     // the "Render video..." dialog (Ctrl+Shift+R, the Render menu)
    int goto_frame = -1;                // the timeline: move the run to this frame of the clip
    // The style panel.
    std::vector<std::string> add_styles;
    int remove_style = -1;              // index into ControlState::styles
    bool blend_changed = false;         // instant
    bool colors_changed = false;        // off <-> post instant; luminance/histogram: new targets
    bool texture_changed = false;       // content <-> texture: a re-target
    bool colors_only_changed = false;   // shows the recoloured photo (the run pauses) or the run again
    bool style_scale_changed = false;   // new targets (sent when the slider is let go)
    bool statistic_changed = false;     // gram <-> w2: a matrix square root per layer; sw, remd, nn:
                                        // the styles' activations once (a forward pass)
    nst::StyleLoss statistic_from = nst::StyleLoss::Gram;  // what it changed from (beta follows)
    bool content_loss_changed = false;  // mse <-> self-similarity: instant (alpha follows)
    nst::ContentLoss content_loss_from = nst::ContentLoss::MSE;
    // The optimizer panel (optimiser, history and averaging travel as params_changed).
    bool show_changed = false;          // average <-> iterate: a new frame, nothing recomputed
    bool restart = false;               // "Restart from": restart_init or restart_file
    // The paint panel: the regions as they are now, when they changed (an immutable snapshot the
    // optimizer picks up before its next step).
    std::shared_ptr<const nst::SpatialControl> spatial;
};

}  // namespace nstv
