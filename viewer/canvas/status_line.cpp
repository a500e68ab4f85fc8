#include "canvas/status_line.h"

#include <imgui.h>

#include <string>

#include "run/recipe.h"

namespace nstv {

float status_line_height() { return 2 * ImGui::GetFrameHeightWithSpacing(); }

void draw_status_line(const StatusInfo& s, UiProbe& probe) {
    const RunnerStatus& st = s.status;
    const char* state = !st.ready ? (st.busy ? "preparing" : "waiting for images")
                        : st.busy ? "re-targeting"
                        : st.paused ? "paused"
                                    : "running";
    const ImVec4 col = st.paused ? ImVec4(1.0f, 0.75f, 0.3f, 1) : ImVec4(0.5f, 0.9f, 0.5f, 1);
    ImGui::TextColored(col, "%s", state);
    ImGui::SameLine();
    ImGui::Text("step %ld", st.steps);
    probe.item("step_counter");
    if (s.levels > 1) {
        ImGui::SameLine();
        ImGui::Text("|  level %d/%d, %d px", s.level, s.levels, s.level_size);
        probe.item("level");
    }
    ImGui::SameLine();
    ImGui::TextDisabled("|  %.2f steps/s  |  %.0f ms/step  |  %s %s  |  %s  |  %dx%d", st.paused ? 0.0 : s.steps_per_s,
                        st.ms_per_step, s.sources ? s.sources->device.c_str() : "-",
                        s.sources ? s.sources->precision.c_str() : "", s.random_features ? "untrained" : "VGG19", s.width,
                        s.height);
    if (s.sources && s.recipe) {
        const std::string line = s.sources->content_name + "  <-  " + describe(*s.recipe);
        ImGui::TextDisabled("%s", line.c_str());
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", line.c_str());
        probe.item("style_status");
    } else {
        ImGui::NewLine();
    }
}

}  // namespace nstv
