#include "panels/plots.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace nstv {
namespace {

constexpr ImU32 kColors[4] = {IM_COL32(240, 240, 240, 255), IM_COL32(90, 170, 255, 255),
                              IM_COL32(255, 150, 60, 255), IM_COL32(120, 210, 120, 255)};
constexpr const char* kNames[4] = {"total", "content", "style", "tv"};
constexpr std::size_t kMaxSamples = 200000;

float safe_log10(double v) {
    return v > 0 && std::isfinite(v) ? static_cast<float>(std::log10(v)) : std::numeric_limits<float>::quiet_NaN();
}

}  // namespace

void LossPlot::add(const LossSample& s) {
    if (!steps_.empty() && s.step <= steps_.back()) clear();  // reset: start a new curve
    if (steps_.size() >= kMaxSamples) {
        // Keep memory bounded on very long runs: drop every other point.
        for (auto* v : {&steps_, &log_[0], &log_[1], &log_[2], &log_[3]}) {
            std::size_t j = 0;
            for (std::size_t i = 0; i < v->size(); i += 2) (*v)[j++] = (*v)[i];
            v->resize(j);
        }
    }
    steps_.push_back(static_cast<float>(s.step));
    log_[0].push_back(safe_log10(s.losses.total));
    log_[1].push_back(safe_log10(s.losses.content));
    log_[2].push_back(safe_log10(s.losses.style));
    log_[3].push_back(safe_log10(s.losses.tv));
    last_ = s.losses;
}

void LossPlot::clear() {
    steps_.clear();
    for (auto& v : log_) v.clear();
}

void LossPlot::draw(ImVec2 size) {
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 a = ImGui::GetCursorScreenPos();
    ImGui::Dummy(size);
    const ImVec2 b(a.x + size.x, a.y + size.y);
    dl->AddRectFilled(a, b, IM_COL32(20, 21, 25, 255), 4.0f);
    if (steps_.empty()) {
        dl->AddText(ImVec2(a.x + 8, a.y + 8), IM_COL32(150, 150, 150, 255), "losses appear here once steps run");
        return;
    }
    float lo = std::numeric_limits<float>::max(), hi = std::numeric_limits<float>::lowest();
    for (const auto& v : log_)
        for (float x : v)
            if (!std::isnan(x)) lo = std::min(lo, x), hi = std::max(hi, x);
    if (lo > hi) lo = 0, hi = 1;
    lo = std::floor(lo), hi = std::max(std::ceil(hi), lo + 1);
    const float s0 = steps_.front(), s1 = std::max(steps_.back(), s0 + 1);
    const float left = a.x + 34, right = b.x - 6, top = a.y + 2 * ImGui::GetTextLineHeight() + 10, bottom = b.y - 6;
    const auto X = [&](float s) { return left + (s - s0) / (s1 - s0) * (right - left); };
    const auto Y = [&](float l) { return bottom - (l - lo) / (hi - lo) * (bottom - top); };

    // Decade grid lines, at most ~6 labels.
    const int stride = std::max(1, static_cast<int>((hi - lo) / 6));
    for (int d = static_cast<int>(lo); d <= static_cast<int>(hi); d += stride) {
        const float y = Y(static_cast<float>(d));
        dl->AddLine(ImVec2(left, y), ImVec2(right, y), IM_COL32(255, 255, 255, 25));
        char buf[16];
        std::snprintf(buf, sizeof buf, "1e%d", d);
        dl->AddText(ImVec2(a.x + 3, y - 7), IM_COL32(140, 140, 140, 255), buf);
    }
    // One vertex per horizontal pixel at most.
    const std::size_t n = steps_.size();
    const std::size_t stride_pts = std::max<std::size_t>(1, n / static_cast<std::size_t>(std::max(1.0f, right - left)));
    dl->PushClipRect(ImVec2(left, top - 2), ImVec2(right, bottom + 2), true);
    std::vector<ImVec2> pts;
    for (int k = 3; k >= 0; --k) {
        pts.clear();
        const auto flush = [&] {
            if (pts.size() >= 2) dl->AddPolyline(pts.data(), static_cast<int>(pts.size()), kColors[k], 0, k == 0 ? 2.0f : 1.5f);
            pts.clear();
        };
        for (std::size_t i = 0; i < n; i += stride_pts) {
            if (std::isnan(log_[k][i])) { flush(); continue; }
            pts.emplace_back(X(steps_[i]), Y(log_[k][i]));
        }
        if (n > 0 && (n - 1) % stride_pts != 0 && !std::isnan(log_[k][n - 1])) pts.emplace_back(X(steps_[n - 1]), Y(log_[k][n - 1]));
        flush();
    }
    dl->PopClipRect();

    // Legend with the latest values.
    const double vals[4] = {last_.total, last_.content, last_.style, last_.tv};
    // Legend with the latest values, wrapping onto a second row in narrow panels.
    float x = left, y = a.y + 3;
    for (int k = 0; k < 4; ++k) {
        char buf[48];
        std::snprintf(buf, sizeof buf, "%s %.3g", kNames[k], vals[k]);
        const float w = ImGui::CalcTextSize(buf).x + 22;
        if (x + w > b.x && x > left) x = left, y += ImGui::GetTextLineHeight() + 2;
        dl->AddRectFilled(ImVec2(x, y + 4), ImVec2(x + 8, y + 12), kColors[k]);
        dl->AddText(ImVec2(x + 11, y), IM_COL32(210, 210, 210, 255), buf);
        x += w;
    }
}

}  // namespace nstv
