#pragma once
// Small widgets shared by the panels.
#include <functional>
#include <string>

#include "nst/param_table.h"

namespace nstv {

// A "(?)" after the last item that shows `text` when hovered.
void help_marker(const char* text);
// `text` shortened with "..." in the middle so that it fits `width` pixels in the current font
// (file names in narrow columns keep their start and their extension).
std::string fit_text(const std::string& text, float width);

// A slider for a parameter of the table (nst/param_table.h): its label, range, scale and clamping
// come from the table, so the viewer offers what nst documents. Needs `p.ui`.
bool param_slider(const nst::ParamSpec& p, float* v, const char* format = "%.3g");
bool param_slider(const nst::ParamSpec& p, int* v, const char* format = "%d");

// A dialog's modal window (the render dialogs): a fixed width, as the wrapped lines need one, and the
// height of what it holds, so a problem line appearing never pushes Start out of view. Draws `body`
// while it is open and closes it when `close` is set (reset here) or its X is clicked. Returns
// whether it is open.
bool modal_dialog(const char* popup, float scale, bool& close, const std::function<void()>& body);

}  // namespace nstv
