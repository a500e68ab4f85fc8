#pragma once
// The Optimizer section: Adam or L-BFGS with its learning rate and history, the moving average of
// the iterates (and whether the window shows it or the raw iterate), and "restart from" content,
// noise, gray or an image file. Pure UI, as the other panels: it edits a ControlState and says
// what the user asked for.
#include "control/control_state.h"
#include "probe/ui_probe.h"

namespace nstv {

void draw_optimizer_controls(ControlState& s, UiProbe& probe, ControlActions& a);

}  // namespace nstv
