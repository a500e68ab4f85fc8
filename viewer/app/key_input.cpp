#include "app/key_input.h"

#include <imgui_impl_glfw.h>

#include <algorithm>

namespace nstv {
namespace {

struct KeyEvent {
    int key, scancode, action, mods;
};
// GLFW callbacks are plain functions, so this state is file-static (UI thread only).
std::vector<KeyPress> g_key_presses;
std::vector<int> g_pressed_this_frame;
std::vector<KeyEvent> g_deferred;  // in arrival order

// Once one event is held back, everything after it waits too, so order (Ctrl down, A down,
// A up, Ctrl up) is preserved across the frame boundary.
void dispatch_key(GLFWwindow* w, const KeyEvent& e) {
    const bool repeat_release = e.action == GLFW_RELEASE &&
        std::find(g_pressed_this_frame.begin(), g_pressed_this_frame.end(), e.key) != g_pressed_this_frame.end();
    if (!g_deferred.empty() || repeat_release) {
        g_deferred.push_back(e);
        return;
    }
    if (e.action == GLFW_PRESS) g_pressed_this_frame.push_back(e.key);
    ImGui_ImplGlfw_KeyCallback(w, e.key, e.scancode, e.action, e.mods);
}

void on_key(GLFWwindow* w, int key, int scancode, int action, int mods) {
    if (action == GLFW_PRESS || (action == GLFW_REPEAT && key == GLFW_KEY_RIGHT)) g_key_presses.push_back({key, mods});
    dispatch_key(w, KeyEvent{key, scancode, action, mods});
}

}  // namespace

void install_key_input(GLFWwindow* w) { glfwSetKeyCallback(w, on_key); }

void release_deferred_keys(GLFWwindow* w) {
    g_pressed_this_frame.clear();
    std::vector<KeyEvent> events;
    events.swap(g_deferred);
    for (const auto& e : events) dispatch_key(w, e);
}

std::vector<KeyPress> take_key_presses() {
    std::vector<KeyPress> out;
    out.swap(g_key_presses);
    return out;
}

}  // namespace nstv
