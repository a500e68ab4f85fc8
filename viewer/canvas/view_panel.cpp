#include "canvas/view_panel.h"

#include <imgui.h>

#include <algorithm>
#include <cstdio>

namespace nstv {

void ViewPanel::draw_toolbar(UiProbe& probe, ControlActions& a) {
    if (ImGui::Button("Fit [F]")) view_.fit();
    ImGui::SameLine();
    if (ImGui::Button("1:1 [1]")) view_.actual_size();
    ImGui::SameLine();
    ImGui::TextDisabled("|");
    for (ViewMode m : {ViewMode::Result, ViewMode::SideBySide, ViewMode::Split, ViewMode::Tiled}) {
        ImGui::SameLine();
        if (ImGui::RadioButton(view_mode_name(m), view_.mode() == m)) view_.set_mode(m);
        if (m == ViewMode::Tiled) probe.item("view_tiled");
    }
    ImGui::SameLine();
    a.toggle_sweep |= ImGui::Button("Sweep [G]");
    probe.item("toolbar_sweep");
    // Screenshot buttons, right-aligned on the toolbar where they are always in view.
    const char* kSaveResult = "Save result [S]";
    const char* kSaveWindow = "Save window [W]";
    const ImGuiStyle& st = ImGui::GetStyle();
    const float buttons_w = ImGui::CalcTextSize(kSaveResult).x + ImGui::CalcTextSize(kSaveWindow).x +
                            4 * st.FramePadding.x + st.ItemSpacing.x;
    // The zoom note gives way (shorter, then none) when the window is too narrow for it and the buttons.
    ImGui::SameLine();
    char zoom_long[64], zoom_short[32];
    std::snprintf(zoom_long, sizeof zoom_long, "|  zoom %.0f%%  |  F1 help", view_.zoom() * 100.0f);
    std::snprintf(zoom_short, sizeof zoom_short, "|  %.0f%%", view_.zoom() * 100.0f);
    const float room = ImGui::GetWindowContentRegionMax().x - buttons_w - st.ItemSpacing.x - ImGui::GetCursorPosX();
    if (ImGui::CalcTextSize(zoom_long).x <= room) ImGui::TextDisabled("%s", zoom_long);
    else if (ImGui::CalcTextSize(zoom_short).x <= room) ImGui::TextDisabled("%s", zoom_short);
    const float after_text = ImGui::GetItemRectMax().x - ImGui::GetWindowPos().x + st.ItemSpacing.x;
    // In a window too narrow for them on this row, the buttons go to a row of their own.
    if (after_text + buttons_w <= ImGui::GetWindowContentRegionMax().x)
        ImGui::SameLine(ImGui::GetWindowContentRegionMax().x - buttons_w);
    else
        ImGui::NewLine();  // (also undoes the SameLine above when no zoom note was drawn)
    a.save_result |= ImGui::Button(kSaveResult);
    probe.item("toolbar_save_result");
    ImGui::SameLine();
    a.save_window |= ImGui::Button(kSaveWindow);
}

void ViewPanel::draw(const Pictures& pictures, const StatusInfo& status, PaintPanel& paint, SnapshotStrip& strip,
                     TimelinePanel& timeline, const ControlState& state, UiProbe& probe, ControlActions& a) {
    const ImageView::Compare* playback = timeline.playback_view(status.sources);
    draw_toolbar(probe, a);
    const ImVec2 avail = ImGui::GetContentRegionAvail();
    const float strip_h = strip.height();
    const float timeline_h = timeline.height(status.sources);
    ImGui::BeginChild("canvas", ImVec2(avail.x, avail.y - status_line_height() - strip_h - timeline_h), false,
                      ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse);
    view_.set_painting(paint.painting());
    const auto compare = strip.compare(pictures.result());
    view_.draw(pictures.result(), pictures.content(), pictures.styles(), playback ? playback : compare ? &*compare : nullptr);
    paint.canvas(view_, probe);
    ImGui::EndChild();
    timeline.draw(status.sources, state, probe, a);
    ImGui::BeginChild("snapshot_strip", ImVec2(avail.x, strip_h - ImGui::GetStyle().ItemSpacing.y), false,
                      ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse);
    strip.draw(view_, probe);
    ImGui::EndChild();
    draw_status_line(status, probe);
}

}  // namespace nstv
