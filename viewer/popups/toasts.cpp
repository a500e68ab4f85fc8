#include "popups/toasts.h"

#include <imgui.h>

namespace nstv {

void Toasts::add(Notice::Level level, std::string text, double seconds) {
    items_.push_back(Item{level, std::move(text),
                          std::chrono::steady_clock::now() + std::chrono::milliseconds(static_cast<int>(seconds * 1000))});
    while (items_.size() > 5) items_.pop_front();
}

void Toasts::draw() {
    const auto now = std::chrono::steady_clock::now();
    while (!items_.empty() && items_.front().until < now) items_.pop_front();
    if (items_.empty()) return;
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    ImGui::SetNextWindowPos(ImVec2(vp->Pos.x + 16, vp->Pos.y + vp->Size.y - 48), ImGuiCond_Always, ImVec2(0, 1));
    ImGui::SetNextWindowBgAlpha(0.85f);
    ImGui::Begin("##toasts", nullptr,
                 ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoFocusOnAppearing |
                     ImGuiWindowFlags_NoNav | ImGuiWindowFlags_NoInputs);
    for (const auto& t : items_) {
        const ImVec4 c = t.level == Notice::Level::Error     ? ImVec4(1.0f, 0.45f, 0.4f, 1)
                         : t.level == Notice::Level::Warning ? ImVec4(1.0f, 0.8f, 0.35f, 1)
                                                             : ImVec4(0.85f, 0.9f, 1.0f, 1);
        ImGui::PushTextWrapPos(vp->Size.x * 0.6f);
        ImGui::TextColored(c, "%s", t.text.c_str());
        ImGui::PopTextWrapPos();
    }
    ImGui::End();
}

}  // namespace nstv
