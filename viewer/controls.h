#pragma once
// The control panel: run controls, loss weights, per-layer style weights, the inputs (images,
// size, pooling, features) and screenshots. Pure UI: it edits a ControlState and reports what the
// user asked for; the app turns that into runner calls.
#include <string>
#include <vector>

#include "engine_stepper.h"
#include "nst/nst.h"
#include "runner.h"
#include "ui_probe.h"

namespace nstv {

struct ControlState {
    nst::Params params;                 // weights as edited (disabled style layers keep theirs)
    std::vector<bool> style_enabled;    // parallel to params.style_layers
    int update_every = 1;

    EngineSetup applied;                // what the optimizer was last asked to target
    // Edits of `applied`, sent with "Apply" / Enter.
    std::string content_path, style_path, weights_path;
    int size = 384;
    int scales = 1;                     // coarse-to-fine levels (apply at the next Reset)
    int coarse_steps = 100;             // steps per coarser level
    int pooling = 0;                    // 0 max, 1 avg
    bool random_features = true;
    int features_seed = 0;
    nst::Precision precision = nst::Precision::FP32;  // applied at once (re-targets)
    bool cuda = false;                  // the engine runs on CUDA: tf32 is offered

    std::string screenshot_dir;

    // The snapshot the optimizer gets: disabled layers have weight 0 (same layer set, so no
    // re-targeting is needed to switch a layer off and on again).
    [[nodiscard]] nst::Params snapshot() const;
    // The setup the edit fields describe.
    [[nodiscard]] EngineSetup edited_setup() const;
};

struct ControlActions {
    bool params_changed = false;
    bool update_every_changed = false;
    bool toggle_pause = false, step = false, reset = false;
    bool retarget = false;
    bool precision_changed = false;
    bool retry_download = false;
    bool save_result = false, save_window = false;
};

ControlActions draw_controls(ControlState& s, const RunnerStatus& status, UiProbe& probe);

}  // namespace nstv
