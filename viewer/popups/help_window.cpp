#include "popups/help_window.h"

#include <imgui.h>

namespace nstv {

void draw_help_window(bool& open, const std::string& screenshot_dir) {
    if (!open) return;
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    ImGui::SetNextWindowPos(ImVec2(vp->Pos.x + vp->Size.x / 2, vp->Pos.y + vp->Size.y / 2), ImGuiCond_Always, ImVec2(0.5f, 0.5f));
    ImGui::SetNextWindowBgAlpha(0.94f);
    ImGui::Begin("Help  (F1 or Esc to close)", &open, ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoCollapse);
    static constexpr const char* kKeys[][2] = {
        {"Space", "pause / resume"},
        {"Right arrow", "one step (pauses after it; hold to repeat)"},
        {"R", "reset: restart from the content image"},
        {"S", "save the result (full optimisation resolution, PNG)"},
        {"W", "save the whole window (PNG)"},
        {"F / 1", "fit to window / actual size (1:1)"},
        {"V", "view: result, side by side, split"},
        {"Mouse wheel", "zoom about the cursor"},
        {"Drag", "pan (in split view, drag the line to compare)"},
        {"Drop a file", "on the style list: add it as a style; elsewhere: content image or style"},
        {"P", "paint mode: regions for each style (side panel: Paint)"},
        {"Drag (paint mode)", "paint the selected region; right or middle drag pans"},
        {"[ / ]", "smaller / larger brush"},
        {"Ctrl+Z / Ctrl+Shift+Z", "undo / redo a stroke (also Ctrl+Y)"},
        {"G", "sweep: a grid of one or two parameters' values (click a cell to adopt it)"},
        {"Ctrl+R", "render final: the current look at print size (up to 8192 px) to a file; Esc cancels"},
        {"Ctrl+Shift+R", "render video: the clip (a video as the content) frame by frame with this look"},
        {", / .", "a clip: previous / next frame (Shift: 10 frames); Home / End: first / last"},
        {"Drag the timeline", "a clip: move the live run to that frame (the image is carried over)"},
        {"K", "keep a snapshot of the result (strip under the image: click one to show it)"},
        {"Ctrl+click snapshot", "compare it with the one shown (side by side; V for split)"},
        {"Copy as command", "(strip) the nst command line that reproduces the result, to the clipboard"},
        {"Ctrl+click slider", "type an exact value"},
        {"Ctrl+Q", "quit"},
        {"F1", "this help"},
    };
    if (ImGui::BeginTable("keys", 2, ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV)) {
        for (const auto& k : kKeys) {
            ImGui::TableNextRow();
            ImGui::TableSetColumnIndex(0);
            ImGui::TextColored(ImVec4(0.95f, 0.65f, 0.3f, 1), "%s", k[0]);
            ImGui::TableSetColumnIndex(1);
            ImGui::TextUnformatted(k[1]);
        }
        ImGui::EndTable();
    }
    ImGui::Spacing();
    ImGui::TextDisabled("Weights, learning rate, style blend, statistic and colours off/post apply at the next step.");
    ImGui::TextDisabled("Images, styles added or removed, style scale, colours luminance/histogram, size, pooling,");
    ImGui::TextDisabled("features and new layers re-target in the background and continue from the current image.");
    ImGui::TextDisabled("So does the precision (fp32 / bf16; tf32 on CUDA), and the switch to downloaded weights.");
    ImGui::TextDisabled("Painted regions and the content-strength map apply at the next step (no new targets).");
    ImGui::TextDisabled("Saved PNGs carry what they were made with (a JSON \"Comment\" text chunk).");
    ImGui::TextDisabled("Screenshots go to: %s", screenshot_dir.c_str());
    ImGui::End();
}

}  // namespace nstv
