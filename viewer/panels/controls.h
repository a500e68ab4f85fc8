#pragma once
// The control panel's sections: run controls, loss weights, per-layer style weights, the inputs
// (content image, size, pooling, features) and screenshots. (The style images and their knobs have
// a panel of their own: style_panel.h.) Pure UI: it edits a ControlState and reports what the
// user asked for; the app turns that into runner calls.
#include "control/control_state.h"
#include "probe/ui_probe.h"
#include "run/runner.h"

namespace nstv {

// Each draws one section and adds what the user asked for to `a`.
// Pause / step / reset, the publish interval and the precision.
void draw_run_controls(ControlState& s, const RunnerStatus& status, UiProbe& probe, ControlActions& a);
// Content, style and TV weights (instant). The learning rate is in the Optimizer section
// (optimizer_panel.h).
void draw_weight_controls(ControlState& s, UiProbe& probe, ControlActions& a);
// Per-layer style weights with on/off boxes, and adding a layer.
void draw_layer_controls(ControlState& s, UiProbe& probe, ControlActions& a);
// The content image, size, coarse-to-fine schedule, pooling and features, sent with Apply.
void draw_input_controls(ControlState& s, UiProbe& probe, ControlActions& a);
// The screenshot folder and the save buttons.
void draw_screenshot_controls(ControlState& s, UiProbe& probe, ControlActions& a);

}  // namespace nstv
