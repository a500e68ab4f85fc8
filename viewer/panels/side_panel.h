#pragma once
// The right-hand column: the title, the controls (scrolling; run, loss weights, optimizer, styles,
// paint, style layers, inputs, screenshots) and the loss plot below them.
#include <vector>

#include "control/control_state.h"
#include "gl/texture.h"
#include "paint/paint_panel.h"
#include "panels/plots.h"
#include "panels/style_panel.h"
#include "probe/ui_probe.h"
#include "run/runner.h"

namespace nstv {

class SidePanel {
public:
    // `thumbs`: the style panel's thumbnails, one per s.styles entry (null while loading).
    void draw(float width, float height, float scale, ControlState& s, const RunnerStatus& status,
              const std::vector<const Texture*>& thumbs, PaintPanel& paint, UiProbe& probe, ControlActions& a);
    [[nodiscard]] LossPlot& plot() { return plot_; }
    [[nodiscard]] const StylePanel& styles() const { return styles_; }

private:
    LossPlot plot_;
    StylePanel styles_;
};

}  // namespace nstv
