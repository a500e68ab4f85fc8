#pragma once
// The F1 window: the keys, and what takes effect at once versus in the background.
#include <string>

namespace nstv {

// Draws the window while `open`; its close box and Esc clear `open`.
void draw_help_window(bool& open, const std::string& screenshot_dir);

}  // namespace nstv
