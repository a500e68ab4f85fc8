#include "app/window.h"

#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>

#include <algorithm>

namespace nstv {
namespace {

std::string g_glfw_error;
void on_glfw_error(int, const char* description) { g_glfw_error = description ? description : "unknown error"; }

}  // namespace

GlfwSession::GlfwSession() {
    glfwSetErrorCallback(on_glfw_error);
    ok = glfwInit() == GLFW_TRUE;
}

GlfwSession::~GlfwSession() {
    if (ok) glfwTerminate();
}

const std::string& last_glfw_error() { return g_glfw_error; }

WindowPtr open_window(int width, int height, std::string& problem) {
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
    glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
    glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
    glfwWindowHint(GLFW_SCALE_TO_MONITOR, GLFW_TRUE);  // HiDPI on X11/Windows: window in pixels scaled by DPI
    WindowPtr window(glfwCreateWindow(width, height, "nst-viewer", nullptr, nullptr));
    if (!window) {
        problem = "cannot open an OpenGL 3.3 window (" + g_glfw_error + ")";
        return nullptr;
    }
    glfwMakeContextCurrent(window.get());
    if (gladLoadGL(glfwGetProcAddress) == 0) {
        problem = "cannot load OpenGL 3.3 functions";
        return nullptr;
    }
    glfwSwapInterval(1);
    return window;
}

float content_scale(GLFWwindow* w) {
    float sx = 1, sy = 1;
    glfwGetWindowContentScale(w, &sx, &sy);
    return std::clamp(sx, 1.0f, 4.0f);
}

ImGuiSession::ImGuiSession(GLFWwindow* w) {
    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGui::GetIO().IniFilename = nullptr;  // no imgui.ini litter in the user's folder
    ImGui_ImplGlfw_InitForOpenGL(w, true);
    ImGui_ImplOpenGL3_Init("#version 330 core");
}

ImGuiSession::~ImGuiSession() {
    ImGui_ImplOpenGL3_Shutdown();
    ImGui_ImplGlfw_Shutdown();
    ImGui::DestroyContext();
}

}  // namespace nstv
