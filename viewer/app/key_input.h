#pragma once
// Keys. Dear ImGui 1.86 samples key *state* once per frame, so a press and its release that
// arrive in the same frame (fast typing on a slow frame, xdotool) would never be seen: Enter in a
// text field or Ctrl+A would be lost. Our GLFW key callback replaces the backend's: it forwards
// presses at once and holds back a release whose press came in the same frame until the next
// frame. It also records presses for the app's own shortcuts. UI thread only.
#include <vector>

#include "gl/gl.h"

namespace nstv {

struct KeyPress {
    int key = 0, mods = 0;
};

// Installs the callback; call after ImGui's GLFW backend has installed its own (which it forwards to).
void install_key_input(GLFWwindow* w);
// Once per frame, before polling events: replays what was held back.
void release_deferred_keys(GLFWwindow* w);
// Presses since the last call (Right arrow also on auto-repeat: hold to step).
std::vector<KeyPress> take_key_presses();

}  // namespace nstv
