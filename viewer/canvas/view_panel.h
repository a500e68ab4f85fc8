#pragma once
// The left part of the window under the banner: the toolbar (fit, 1:1, view mode, zoom, save
// buttons), the image canvas (ImageView, with the paint panel's overlay and strokes in paint
// mode) and the status line.
#include "canvas/image_view.h"
#include "canvas/status_line.h"
#include "control/control_state.h"
#include "gl/pictures.h"
#include "paint/paint_panel.h"
#include "probe/ui_probe.h"
#include "session/snapshot_strip.h"
#include "video/timeline_panel.h"

namespace nstv {

class ViewPanel {
public:
    // Fills the rest of the current ImGui window. Save buttons set a.save_result / a.save_window.
    // The snapshot strip goes under the canvas (and may show a snapshot or a comparison in it),
    // the timeline between them when the content is a clip (its playback of a render, when on, is
    // shown instead of the result: a rendered frame beside its content frame).
    void draw(const Pictures& pictures, const StatusInfo& status, PaintPanel& paint, SnapshotStrip& strip,
              TimelinePanel& timeline, const ControlState& state, UiProbe& probe, ControlActions& a);
    [[nodiscard]] ImageView& view() { return view_; }

private:
    void draw_toolbar(UiProbe& probe, ControlActions& a);
    ImageView view_;
};

}  // namespace nstv
