#include "ui_probe.h"

#include <imgui.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>

namespace nstv {

void UiProbe::item(const char* name) {
    if (!enabled()) return;
    // Only the visible part counts: a test must not click on a widget scrolled out of view.
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 c0 = dl->GetClipRectMin(), c1 = dl->GetClipRectMax();
    const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
    const Rect r{std::max(a.x, c0.x), std::max(a.y, c0.y), std::min(b.x, c1.x), std::min(b.y, c1.y)};
    if (r.x1 - r.x0 >= 4 && r.y1 - r.y0 >= 4) rects_[name] = r;
    else rects_.erase(name);
}

void UiProbe::flush(int window_x, int window_y) {
    if (!enabled() || (rects_ == written_ && wx_ == window_x && wy_ == window_y)) return;
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
    written_ = rects_;
    wx_ = window_x;
    wy_ = window_y;
}

}  // namespace nstv
