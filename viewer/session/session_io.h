#pragma once
// The viewer's state <-> an nst::Session (nst/session.h): the shared parameters (settings_of), the
// painted masks, the current image and its step, the snapshots, and the viewer's own state (view
// mode, publish interval, screenshot folder, average or iterate) in Session::viewer. Used by
// Ctrl+S / Ctrl+O, --session and the autosave. UI thread; no LibTorch, no ImGui.
#include <string>

#include <nlohmann/json.hpp>

#include "app/options.h"
#include "canvas/image_view.h"
#include "control/control_state.h"
#include "nst/session.h"
#include "run/frame.h"

namespace nstv {

class Controller;
class PaintPanel;
class Snapshots;

// Everything a session is taken from and put back into.
struct SessionParts {
    Controller& controller;
    PaintPanel& paint;
    Snapshots& snapshots;
    ImageView& view;
    const ViewerOptions& options;
};

// The viewer's own state as Session::viewer holds it, and back (unknown or missing keys keep the
// current values: an older or newer viewer's session still opens).
[[nodiscard]] nlohmann::json viewer_state(const ControlState& s, ViewMode mode);
void apply_viewer_state(const nlohmann::json& j, ControlState& s, ImageView& view, ControlActions& a);

// The session as the window has it now (the current frame's image and step; the settings record
// that step).
[[nodiscard]] nst::Session capture_session(const SessionParts& p);

// A cheap summary that changes whenever the session would: the parameters, the masks' version,
// the snapshots' version, the frame shown, the viewer's state. The autosave writes only when it moved.
[[nodiscard]] std::string session_fingerprint(const SessionParts& p);

// Puts an opened session back: the parameters through Controller::adopt_settings (continuing
// from the session's image when it has one), the masks into the paint panel, the snapshots, the
// viewer's state. `a` gets what the Controller applies after the panels drew.
void restore_session(const nst::Session& s, const SessionParts& p, ControlActions& a);

}  // namespace nstv
