#include "widgets.h"

#include <imgui.h>

namespace nstv {

void help_marker(const char* text) {
    ImGui::SameLine();
    ImGui::TextDisabled("(?)");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", text);
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
