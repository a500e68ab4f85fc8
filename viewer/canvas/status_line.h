#pragma once
// The two lines under the image: state (running, paused, re-targeting...), step, speed, device,
// precision, features and size; then the inputs with what the style term uses (styles and their
// blend, colour mode, style scale, statistic) as the optimizer reported them with the frame.
#include "probe/ui_probe.h"
#include "run/frame.h"
#include "run/runner.h"

namespace nstv {

struct StatusInfo {
    RunnerStatus status;
    double steps_per_s = 0;
    const Sources* sources = nullptr;  // what the optimizer reported last (null before the first frame)
    const Recipe* recipe = nullptr;    // of the shown frame (null before the first frame)
    bool random_features = false;
    int width = 0, height = 0;         // of the shown result
    int level = 1, levels = 1, level_size = 0;  // coarse-to-fine
};

// Two rows (status_line_height()).
void draw_status_line(const StatusInfo& s, UiProbe& probe);
float status_line_height();

}  // namespace nstv
