#pragma once
// Live loss curves (total, content, style, TV) over steps on a log scale, drawn directly with
// ImGui's draw list so all four share one axis with decade grid lines.
#include <imgui.h>

#include <vector>

#include "run/frame.h"

namespace nstv {

class LossPlot {
public:
    void add(const LossSample& s);
    void clear();
    void draw(ImVec2 size);
    [[nodiscard]] bool empty() const { return steps_.empty(); }

private:
    std::vector<float> steps_;
    std::vector<float> log_[4];  // log10 of total, content, style, tv (NaN when not positive)
    StepLosses last_;
};

}  // namespace nstv
