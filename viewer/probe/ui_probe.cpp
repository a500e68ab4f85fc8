#include "probe/ui_probe.h"

#include <imgui.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <utility>

namespace nstv {

void UiProbe::item(const char* name) {
    if (!enabled()) return;
    const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
    rect(name, a.x, a.y, b.x, b.y);
}

void UiProbe::rect(const char* name, float x0, float y0, float x1, float y1) {
    if (!enabled()) return;
    // Only the visible part counts: a test must not click on a widget scrolled out of view.
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 c0 = dl->GetClipRectMin(), c1 = dl->GetClipRectMax();
    const Rect r{std::max(x0, c0.x), std::max(y0, c0.y), std::min(x1, c1.x), std::min(y1, c1.y)};
    if (r.x1 - r.x0 >= 4 && r.y1 - r.y0 >= 4) rects_[name] = r;
    else rects_.erase(name);
}

void UiProbe::frame(const char* name, const char* label) {
    if (!enabled()) return;
    item(name);
    const auto it = rects_.find(name);
    const float label_w = ImGui::CalcTextSize(label, nullptr, true).x;
    if (it != rects_.end() && label_w > 0) {
        const float frame_x1 = ImGui::GetItemRectMax().x - label_w - ImGui::GetStyle().ItemInnerSpacing.x;
        it->second.x1 = std::min(it->second.x1, frame_x1);
    }
}

void UiProbe::flush(int window_x, int window_y) {
    if (!enabled()) return;
    if (rects_ == written_ && wx_ == window_x && wy_ == window_y) {
        rects_.clear();
        return;
    }
    const std::string tmp = path_ + ".tmp";
    {
        std::ofstream out(tmp);
        out << "{";
        bool first = true;
        for (const auto& [name, r] : rects_) {
            char buf[256];
            std::snprintf(buf, sizeof buf, "%s\"%s\":[%.0f,%.0f,%.0f,%.0f]", first ? "" : ",", name.c_str(),
                          r.x0 + window_x, r.y0 + window_y, r.x1 + window_x, r.y1 + window_y);
            out << buf;
            first = false;
        }
        out << "}\n";
    }
    std::filesystem::rename(tmp, path_);
    written_ = std::move(rects_);
    rects_.clear();
    wx_ = window_x;
    wy_ = window_y;
}

}  // namespace nstv
