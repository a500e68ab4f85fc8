#pragma once
// The window and its main loop (modelled on Dear ImGui's example_glfw_opengl3/main.cpp).
#include "app/options.h"

namespace nstv {

// Runs the viewer until the window closes. Returns the process exit code; 1 with a one-line
// message (naming the `nst` command) when there is no display.
int run_app(const ViewerOptions& options);

}  // namespace nstv
