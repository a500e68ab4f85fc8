#include "app/widgets.h"

#include <imgui.h>

#include <cmath>

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

}  // namespace nstv
