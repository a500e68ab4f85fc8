#pragma once
// The side panel's "Creative" section: a texture without content, seamless (see it with the
// toolbar's "Tile 2x2" view), colours only, gradient normalisation, and which painting feeds which
// style layer (a grid of layers x styles, when there are two or more styles).
#include "control/control_state.h"
#include "probe/ui_probe.h"

namespace nstv {

void draw_creative_controls(ControlState& s, UiProbe& probe, ControlActions& a);

}  // namespace nstv
