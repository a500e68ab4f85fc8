#include "panels/side_panel.h"

#include <imgui.h>

#include <algorithm>

#include "nst/nst.h"
#include "panels/controls.h"
#include "panels/creative_panel.h"
#include "panels/optimizer_panel.h"

namespace nstv {

void SidePanel::draw(float width, float height, float scale, ControlState& s, const RunnerStatus& status,
                     const std::vector<const Texture*>& thumbs, PaintPanel& paint, UiProbe& probe, ControlActions& a) {
    ImGui::BeginChild("panel", ImVec2(width, height), true);
    ImGui::TextUnformatted("nst-viewer");
    ImGui::SameLine();
    ImGui::TextDisabled("%s  -  neural style transfer, live", nst::version());
    ImGui::Separator();
    const float plot_h = std::clamp(ImGui::GetContentRegionAvail().y * 0.26f, 110.0f * scale, 190.0f * scale);
    ImGui::BeginChild("controls", ImVec2(0, ImGui::GetContentRegionAvail().y - plot_h - ImGui::GetTextLineHeightWithSpacing() - 8));
    draw_run_controls(s, status, probe, a);
    draw_weight_controls(s, probe, a);
    draw_optimizer_controls(s, probe, a);
    styles_.draw(s, thumbs, probe, a);
    paint.draw(probe);
    draw_layer_controls(s, probe, a);
    draw_creative_controls(s, probe, a);
    draw_input_controls(s, probe, a);
    draw_screenshot_controls(s, probe, a);
    ImGui::EndChild();
    ImGui::Separator();
    ImGui::TextUnformatted("Losses (log scale)");
    plot_.draw(ImVec2(ImGui::GetContentRegionAvail().x, plot_h - 8));
    ImGui::EndChild();
}

}  // namespace nstv
