#include "popups/drop_popup.h"

#include <imgui.h>

#include "gl/gl.h"

namespace nstv {

void DropPopup::draw(ControlState& s, float scale, ControlActions& a) {
    constexpr const char* kTitle = "Use dropped image";
    if (!paths_.empty() && !ImGui::IsPopupOpen(kTitle)) ImGui::OpenPopup(kTitle);
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    ImGui::SetNextWindowPos(ImVec2(vp->Pos.x + vp->Size.x / 2, vp->Pos.y + vp->Size.y / 2), ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
    if (!ImGui::BeginPopupModal(kTitle, nullptr, ImGuiWindowFlags_AlwaysAutoResize)) return;
    for (const auto& p : paths_) ImGui::TextUnformatted(p.c_str());
    ImGui::TextDisabled(paths_.size() == 1 ? "Use it as:" : "Use them as:");
    bool chosen = false;
    if (paths_.size() == 1) {
        if (ImGui::Button("Content image", ImVec2(160 * scale, 0))) {
            s.content_path = paths_.front();
            chosen = a.retarget = true;
        }
        ImGui::SameLine();
    }
    if (ImGui::Button(paths_.size() == 1 ? "Add as a style" : "Add as styles", ImVec2(160 * scale, 0))) {
        a.add_styles.insert(a.add_styles.end(), paths_.begin(), paths_.end());
        chosen = true;
    }
    ImGui::SameLine();
    const bool cancel = ImGui::Button("Cancel") || ImGui::IsKeyPressed(GLFW_KEY_ESCAPE, false);
    if (chosen || cancel) {
        paths_.clear();
        ImGui::CloseCurrentPopup();
    }
    ImGui::EndPopup();
}

}  // namespace nstv
