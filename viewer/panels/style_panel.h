#pragma once
// The style panel: the style images (thumbnail, file name, blend slider, remove button), adding
// one by path or by dropping a file on the list, the colour mode, the style scale and the style
// statistic. Pure UI: it edits the ControlState and reports what the user asked for.
#include <vector>

#include "control/control_state.h"
#include "gl/texture.h"
#include "probe/ui_probe.h"

namespace nstv {

class StylePanel {
public:
    // `thumbs[i]`: the loaded image of s.styles[i], or null while it is being loaded.
    void draw(ControlState& s, const std::vector<const Texture*>& thumbs, UiProbe& probe, ControlActions& a);
    // Whether a file dropped at (x, y) (window coordinates) lands on the style list as drawn last.
    [[nodiscard]] bool contains(float x, float y) const {
        return x >= zone_.x0 && x < zone_.x1 && y >= zone_.y0 && y < zone_.y1;
    }

private:
    Rect zone_{0, 0, 0, 0};
};

}  // namespace nstv
