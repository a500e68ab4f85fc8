#include "app/widgets.h"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <utility>

namespace nstv {

void help_marker(const char* text) {
    ImGui::SameLine();
    ImGui::TextDisabled("(?)");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", text);
}

namespace {

ImGuiSliderFlags slider_flags(const nst::UiRange& r) {
    return (r.log ? ImGuiSliderFlags_Logarithmic : 0) | (r.clamp ? ImGuiSliderFlags_AlwaysClamp : 0);
}

}  // namespace

bool param_slider(const nst::ParamSpec& p, float* v, const char* format) {
    const nst::UiRange r = p.ui.value();
    return ImGui::SliderFloat(p.label.c_str(), v, r.lo, r.hi, format, slider_flags(r));
}

bool param_slider(const nst::ParamSpec& p, int* v, const char* format) {
    const nst::UiRange r = p.ui.value();
    return ImGui::SliderInt(p.label.c_str(), v, static_cast<int>(std::lround(r.lo)), static_cast<int>(std::lround(r.hi)),
                            format, slider_flags(r));
}

std::string fit_text(const std::string& text, float width) {
    if (ImGui::CalcTextSize(text.c_str()).x <= width) return text;
    // Keep the end (the extension and a little more) and as much of the start as fits.
    const std::size_t tail = std::min<std::size_t>(text.size(), 8);
    for (std::size_t head = text.size() - tail; head > 0; --head) {
        const std::string s = text.substr(0, head) + "..." + text.substr(text.size() - tail);
        if (ImGui::CalcTextSize(s.c_str()).x <= width) return s;
    }
    return "..." + text.substr(text.size() - tail);
}

bool modal_dialog(const char* popup, float scale, bool& close, const std::function<void()>& body) {
    const ImVec2 screen = ImGui::GetMainViewport()->Size;
    const float width = std::min(680 * scale, screen.x - 40);
    ImGui::SetNextWindowSizeConstraints(ImVec2(width, 0), ImVec2(width, screen.y - 40));
    bool open = true;
    if (!ImGui::BeginPopupModal(popup, &open, ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_AlwaysAutoResize))
        return false;
    body();
    if (std::exchange(close, false) || !open) ImGui::CloseCurrentPopup();
    ImGui::EndPopup();
    return true;
}

}  // namespace nstv
