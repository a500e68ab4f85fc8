#pragma once
// The platform layer, as RAII so that every exit path cleans up: GLFW itself, the window with its
// OpenGL 3.3 core context (functions loaded by glad), and Dear ImGui with its GLFW and OpenGL 3
// backends. The same steps as Dear ImGui's example_glfw_opengl3/main.cpp.
#include <memory>
#include <string>

#include "gl/gl.h"

namespace nstv {

// glfwInit ... glfwTerminate. `ok` is false when there is no usable display.
struct GlfwSession {
    GlfwSession();
    ~GlfwSession();
    GlfwSession(const GlfwSession&) = delete;
    GlfwSession& operator=(const GlfwSession&) = delete;
    bool ok = false;
};

// The last message GLFW reported (its error callback), for one-line failure messages.
const std::string& last_glfw_error();

struct WindowDeleter {
    void operator()(GLFWwindow* w) const { glfwDestroyWindow(w); }
};
using WindowPtr = std::unique_ptr<GLFWwindow, WindowDeleter>;

// A window with a current OpenGL 3.3 core context and loaded functions, or null (then
// last_glfw_error() or `problem` says why).
WindowPtr open_window(int width, int height, std::string& problem);

// The window's content scale (HiDPI), clamped to [1, 4].
float content_scale(GLFWwindow* w);

struct ImGuiSession {
    explicit ImGuiSession(GLFWwindow* w);
    ~ImGuiSession();
    ImGuiSession(const ImGuiSession&) = delete;
    ImGuiSession& operator=(const ImGuiSession&) = delete;
};

}  // namespace nstv
