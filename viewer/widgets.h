#pragma once
// Small widgets shared by the panels.
#include <string>

namespace nstv {

// A "(?)" after the last item that shows `text` when hovered.
void help_marker(const char* text);
// `text` shortened with "..." in the middle so that it fits `width` pixels in the current font
// (file names in narrow columns keep their start and their extension).
std::string fit_text(const std::string& text, float width);

}  // namespace nstv
