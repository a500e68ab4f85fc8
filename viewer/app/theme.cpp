#include "app/theme.h"

#include <imgui.h>

#include <filesystem>

namespace nstv {

void apply_theme(float scale) {
    ImGuiIO& io = ImGui::GetIO();
    const char* font = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
    if (std::filesystem::exists(font)) io.Fonts->AddFontFromFileTTF(font, 15.0f * scale);
    else {
        ImFontConfig cfg;
        cfg.SizePixels = 13.0f * scale;
        io.Fonts->AddFontDefault(&cfg);
    }
    ImGui::StyleColorsDark();
    ImGuiStyle& s = ImGui::GetStyle();
    s.WindowRounding = 0;
    s.ChildRounding = 4;
    s.FrameRounding = 4;
    s.GrabRounding = 4;
    s.PopupRounding = 4;
    s.FramePadding = ImVec2(8, 4);
    s.ItemSpacing = ImVec2(8, 6);
    s.WindowPadding = ImVec2(10, 10);
    s.GrabMinSize = 12;
    ImVec4* c = s.Colors;
    c[ImGuiCol_WindowBg] = ImVec4(0.10f, 0.105f, 0.12f, 1.0f);
    c[ImGuiCol_ChildBg] = ImVec4(0.12f, 0.125f, 0.14f, 1.0f);
    c[ImGuiCol_FrameBg] = ImVec4(0.18f, 0.19f, 0.22f, 1.0f);
    c[ImGuiCol_FrameBgHovered] = ImVec4(0.24f, 0.26f, 0.30f, 1.0f);
    c[ImGuiCol_FrameBgActive] = ImVec4(0.28f, 0.30f, 0.36f, 1.0f);
    c[ImGuiCol_SliderGrab] = ImVec4(0.95f, 0.60f, 0.25f, 1.0f);
    c[ImGuiCol_SliderGrabActive] = ImVec4(1.0f, 0.72f, 0.35f, 1.0f);
    c[ImGuiCol_CheckMark] = ImVec4(0.95f, 0.60f, 0.25f, 1.0f);
    c[ImGuiCol_Header] = ImVec4(0.20f, 0.21f, 0.25f, 1.0f);
    c[ImGuiCol_HeaderHovered] = ImVec4(0.26f, 0.28f, 0.33f, 1.0f);
    c[ImGuiCol_HeaderActive] = ImVec4(0.30f, 0.32f, 0.38f, 1.0f);
    c[ImGuiCol_Button] = ImVec4(0.22f, 0.24f, 0.29f, 1.0f);
    c[ImGuiCol_ButtonHovered] = ImVec4(0.30f, 0.33f, 0.40f, 1.0f);
    c[ImGuiCol_ButtonActive] = ImVec4(0.36f, 0.40f, 0.48f, 1.0f);
    if (scale != 1.0f) s.ScaleAllSizes(scale);
}

}  // namespace nstv
