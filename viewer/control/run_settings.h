#pragma once
// The bridge between the viewer's state and the shared run parameters (nst::RunSettings, the one
// table of param_table.h): what snapshots, sessions, "copy as command" and sweeps hold. The way
// back (settings into the viewer) is Controller::adopt_settings.
#include "app/options.h"
#include "control/control_state.h"
#include "nst/settings.h"

namespace nstv {

// The viewer's state as the shared run parameters: what snapshots, sessions, copy as command and
// sweeps hold. `steps` = the step count to record. Regions are not in ControlState (PaintPanel owns
// them): callers add settings.regions/content_map themselves.
// What it describes is what the optimizer runs on (the applied setup, the live parameters), not
// edits not yet applied; input paths are absolute; the style weight and learning rate count as
// given (the viewer's values, never a default computed again elsewhere); no --log-json (the
// viewer's log is its own).
[[nodiscard]] nst::RunSettings settings_of(const ControlState& state, const nst::RunSettings& flags, int steps);
[[nodiscard]] inline nst::RunSettings settings_of(const ControlState& state, const ViewerOptions& o, int steps) {
    return settings_of(state, o.run, steps);
}

// A path as settings hold it: absolute and normalised ("" stays "").
[[nodiscard]] std::string absolute_path(const std::string& path);

}  // namespace nstv
