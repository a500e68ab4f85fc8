#include "paint/mask_layers.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <string>
#include <utility>

namespace nstv {
namespace {

// Distinct colours (Sasha Trubetskoy's list), one per region: the overlay must tell 16 apart.
constexpr std::array<std::uint32_t, nst::kMaxRegions> kPalette = {
    0xE6194B, 0x3CB44B, 0x4363D8, 0xFFE119, 0xF58231, 0x911EB4, 0x42D4F4, 0xF032E6,
    0xBFEF45, 0xFABED4, 0x469990, 0xDCBEFF, 0x9A6324, 0xFFFAC8, 0x800000, 0xAAFFC3};

bool covers_something(const nst::Plane& p) {
    return std::any_of(p.values.begin(), p.values.end(), [](float v) { return v > 0.0f; });
}

std::uint8_t byte(float v) { return static_cast<std::uint8_t>(std::lround(std::clamp(v, 0.0f, 1.0f) * 255.0f)); }

}  // namespace

std::size_t MaskLayers::State::bytes() const {
    std::size_t n = content.values.size();
    for (const auto& r : regions) n += r.mask.values.size();
    return n * sizeof(float);
}

nst::Plane MaskLayers::zeros() const {
    nst::Plane p;
    p.width = width_;
    p.height = height_;
    p.values.assign(static_cast<std::size_t>(width_) * height_, 0.0f);
    return p;
}

std::uint32_t MaskLayers::free_colour() const {
    for (const std::uint32_t c : kPalette)
        if (std::none_of(now_.regions.begin(), now_.regions.end(), [c](const MaskRegion& r) { return r.colour == c; }))
            return c;
    return kPalette[now_.regions.size() % kPalette.size()];
}

void MaskLayers::fit(State& s) const {
    if (!sized()) return;
    for (auto& r : s.regions) {
        if (r.mask.empty()) r.mask = zeros();
        else if (r.mask.width != width_ || r.mask.height != height_) r.mask = nst::resize_plane(r.mask, width_, height_);
    }
    if (!s.content.empty() && (s.content.width != width_ || s.content.height != height_))
        s.content = nst::resize_plane(s.content, width_, height_);
}

void MaskLayers::resize(int width, int height) {
    if (width <= 0 || height <= 0 || (width == width_ && height == height_)) return;
    stroke_.active = false;  // a stroke's pixels are in the old size; what it painted so far stays
    width_ = width;
    height_ = height;
    fit(now_);  // the undo snapshots are resampled when they come back
    changed();
}

bool MaskLayers::has_content_map() const {
    return std::any_of(now_.content.values.begin(), now_.content.values.end(), [](float v) { return v != 1.0f; });
}

std::size_t MaskLayers::painted_regions() const {
    return static_cast<std::size_t>(
        std::count_if(now_.regions.begin(), now_.regions.end(), [](const MaskRegion& r) { return covers_something(r.mask); }));
}

void MaskLayers::set_style(std::size_t i, int style) {
    if (i >= now_.regions.size() || now_.regions[i].style == style) return;
    now_.regions[i].style = style;
    ++version_;
}

void MaskLayers::set_weight(std::size_t i, float weight) {
    if (i >= now_.regions.size() || now_.regions[i].weight == weight) return;
    now_.regions[i].weight = weight;
    ++version_;
}

void MaskLayers::set_visible(std::size_t i, bool visible) {
    if (i >= now_.regions.size() || now_.regions[i].visible == visible) return;
    now_.regions[i].visible = visible;
    ++overlay_version_;
}

void MaskLayers::style_removed(int index) {
    const auto remap = [index](State& s) {
        bool any = false;
        for (auto& r : s.regions) {
            if (r.style == nst::kRegionNone || r.style < index) continue;
            r.style = r.style == index ? nst::kRegionNone : r.style - 1;
            any = true;
        }
        return any;
    };
    // The snapshots too: a region that undo brings back must not point past the list.
    for (auto& s : undo_) remap(s);
    for (auto& s : redo_) remap(s);
    if (remap(now_)) ++version_;
}

void MaskLayers::remember() {
    redo_.clear();
    undo_.push_back(now_);
    std::size_t bytes = 0;
    for (const auto& s : undo_) bytes += s.bytes();
    // The newest snapshot always stays: a stroke in progress blends from it.
    while (undo_.size() > 1 && (undo_.size() > kUndoSteps || bytes > kUndoBytes)) {
        bytes -= undo_.front().bytes();
        undo_.pop_front();
    }
}

void MaskLayers::restore(std::deque<State>& from, std::deque<State>& to) {
    stroke_.active = false;
    State s = std::move(from.back());
    from.pop_back();
    fit(s);
    // Undo brings back pixels and the region list; a region that still exists keeps the style,
    // weight, colour and visibility it has now (those are settings, not edits).
    for (auto& r : s.regions) {
        const auto it = std::find_if(now_.regions.begin(), now_.regions.end(), [&](const MaskRegion& c) { return c.id == r.id; });
        if (it == now_.regions.end()) continue;
        r.style = it->style;
        r.weight = it->weight;
        r.colour = it->colour;
        r.visible = it->visible;
    }
    to.push_back(std::exchange(now_, std::move(s)));
    changed();
}

bool MaskLayers::undo() {
    if (undo_.empty()) return false;
    restore(undo_, redo_);
    return true;
}

bool MaskLayers::redo() {
    if (redo_.empty()) return false;
    restore(redo_, undo_);
    return true;
}

int MaskLayers::add_region(int style) {
    if (now_.regions.size() >= static_cast<std::size_t>(nst::kMaxRegions)) return -1;
    remember();
    MaskRegion r;
    r.mask = sized() ? zeros() : nst::Plane{};
    r.style = style;
    r.colour = free_colour();
    r.id = next_id_++;
    now_.regions.push_back(std::move(r));
    changed();
    return static_cast<int>(now_.regions.size()) - 1;
}

void MaskLayers::remove_region(std::size_t i) {
    if (i >= now_.regions.size()) return;
    remember();
    now_.regions.erase(now_.regions.begin() + static_cast<std::ptrdiff_t>(i));
    changed();
}

void MaskLayers::fill(std::size_t i) {
    if (i >= now_.regions.size() || !sized()) return;
    remember();
    std::vector<float> others(static_cast<std::size_t>(width_) * height_, 0.0f);
    for (std::size_t k = 0; k < now_.regions.size(); ++k)
        if (k != i)
            for (std::size_t p = 0; p < others.size(); ++p) others[p] += now_.regions[k].mask.values[p];
    auto& mine = now_.regions[i].mask.values;
    for (std::size_t p = 0; p < others.size(); ++p) mine[p] = std::max(mine[p], std::clamp(1.0f - others[p], 0.0f, 1.0f));
    changed();
}

void MaskLayers::clear(std::size_t i) {
    if (i >= now_.regions.size() || !covers_something(now_.regions[i].mask)) return;
    remember();
    std::fill(now_.regions[i].mask.values.begin(), now_.regions[i].mask.values.end(), 0.0f);
    changed();
}

void MaskLayers::clear_content_map() {
    if (now_.content.empty()) return;
    remember();
    now_.content = {};
    changed();
}

void MaskLayers::replace(std::vector<MaskRegion> regions, nst::Plane content) {
    remember();
    now_.regions.clear();
    for (auto& r : regions) {
        r.id = next_id_++;
        if (r.colour == 0) r.colour = free_colour();
        now_.regions.push_back(std::move(r));
    }
    now_.content = std::move(content);
    fit(now_);
    changed();
}

void MaskLayers::begin_stroke(PaintTool tool, std::size_t region, const Brush& brush) {
    stroke_.active = false;
    if (!sized() || tool == PaintTool::Fill) return;
    if (tool != PaintTool::Content && region >= now_.regions.size()) return;
    remember();  // undo_.back() is what the stroke blends from
    if (tool == PaintTool::Content && now_.content.empty()) {
        now_.content = zeros();
        std::fill(now_.content.values.begin(), now_.content.values.end(), 1.0f);
    }
    stroke_.active = true;
    stroke_.tool = tool;
    stroke_.region = region;
    stroke_.brush = brush;
    stroke_.brush.radius = std::max(1.0f, brush.radius);
    stroke_.brush.softness = std::clamp(brush.softness, 0.0f, 1.0f);
    stroke_.brush.multiplier = std::clamp(brush.multiplier, 0.0f, nst::kMaxContentMultiplier);
    stroke_.has_last = false;
    stroke_.alpha.assign(static_cast<std::size_t>(width_) * height_, 0.0f);
}

void MaskLayers::stroke_to(float x, float y) {
    if (!stroke_.active) return;
    if (!stroke_.has_last) {
        stamp(x, y);
    } else {
        // Stamps a quarter of the radius apart: a fast drag leaves a line, not beads.
        const float dx = x - stroke_.last_x, dy = y - stroke_.last_y;
        const float spacing = std::max(0.5f, stroke_.brush.radius * 0.25f);
        const int n = std::max(1, static_cast<int>(std::ceil(std::hypot(dx, dy) / spacing)));
        for (int k = 1; k <= n; ++k) stamp(stroke_.last_x + dx * k / n, stroke_.last_y + dy * k / n);
    }
    stroke_.has_last = true;
    stroke_.last_x = x;
    stroke_.last_y = y;
}

void MaskLayers::end_stroke() { stroke_.active = false; }

void MaskLayers::stamp(float cx, float cy) {
    const Brush& b = stroke_.brush;
    const float r = b.radius, hard = r * (1.0f - b.softness);
    const int x0 = std::max(0, static_cast<int>(std::floor(cx - r))), x1 = std::min(width_ - 1, static_cast<int>(std::ceil(cx + r)));
    const int y0 = std::max(0, static_cast<int>(std::floor(cy - r))), y1 = std::min(height_ - 1, static_cast<int>(std::ceil(cy + r)));
    if (x0 > x1 || y0 > y1) return;
    const State& base = undo_.back();
    bool any = false;
    for (int y = y0; y <= y1; ++y)
        for (int x = x0; x <= x1; ++x) {
            const float d = std::hypot(x + 0.5f - cx, y + 0.5f - cy);
            float a = d <= hard ? 1.0f : d >= r ? 0.0f : (r - d) / (r - hard);
            a = a * a * (3.0f - 2.0f * a);  // smoothstep: no visible ring at the hard edge
            const std::size_t i = static_cast<std::size_t>(y) * width_ + x;
            if (a <= stroke_.alpha[i]) continue;
            stroke_.alpha[i] = a;
            any = true;
            switch (stroke_.tool) {
                case PaintTool::Brush:
                    for (std::size_t k = 0; k < now_.regions.size(); ++k) {
                        const float v = base.regions[k].mask.values[i];
                        now_.regions[k].mask.values[i] = k == stroke_.region ? v + (1.0f - v) * a : v * (1.0f - a);
                    }
                    break;
                case PaintTool::Eraser:
                    now_.regions[stroke_.region].mask.values[i] = base.regions[stroke_.region].mask.values[i] * (1.0f - a);
                    break;
                case PaintTool::Content: {
                    const float v = base.content.empty() ? 1.0f : base.content.values[i];
                    now_.content.values[i] = v + (b.multiplier - v) * a;
                    break;
                }
                case PaintTool::Fill: break;
            }
        }
    if (any) changed();
}

nst::SpatialControl MaskLayers::spatial() const {
    nst::SpatialControl c;
    for (std::size_t i = 0; i < now_.regions.size(); ++i) {
        const MaskRegion& r = now_.regions[i];
        // A region that covers nothing changes nothing: the optimizer need not pool it.
        if (!covers_something(r.mask)) continue;
        c.regions.push_back(nst::Region{r.mask, r.style, r.weight, "region " + std::to_string(i + 1)});
    }
    if (has_content_map()) c.content_map = now_.content;
    return c;
}

Rgba8 MaskLayers::overlay(bool content) const {
    Rgba8 out;
    if (!sized()) return out;
    out.width = width_;
    out.height = height_;
    const std::size_t n = static_cast<std::size_t>(width_) * height_;
    out.pixels.assign(n * 4, 0);
    if (content) {
        if (now_.content.empty()) return out;
        for (std::size_t i = 0; i < n; ++i) {
            const float m = now_.content.values[i];
            const bool style = m < 1.0f;
            out.pixels[i * 4 + 0] = style ? 230 : 70;
            out.pixels[i * 4 + 1] = style ? 60 : 220;
            out.pixels[i * 4 + 2] = style ? 210 : 110;
            out.pixels[i * 4 + 3] = byte(style ? 1.0f - m : (m - 1.0f) / (nst::kMaxContentMultiplier - 1.0f));
        }
        return out;
    }
    std::vector<float> acc(n * 4, 0.0f);  // colour weighted by coverage, then the coverage
    for (const auto& r : now_.regions) {
        if (!r.visible || r.mask.values.size() != n) continue;
        const float cr = ((r.colour >> 16) & 255) / 255.0f, cg = ((r.colour >> 8) & 255) / 255.0f, cb = (r.colour & 255) / 255.0f;
        for (std::size_t i = 0; i < n; ++i) {
            const float m = r.mask.values[i];
            if (m <= 0) continue;
            acc[i * 4 + 0] += m * cr;
            acc[i * 4 + 1] += m * cg;
            acc[i * 4 + 2] += m * cb;
            acc[i * 4 + 3] += m;
        }
    }
    for (std::size_t i = 0; i < n; ++i) {
        const float s = acc[i * 4 + 3];
        if (s <= 0) continue;
        for (int c = 0; c < 3; ++c) out.pixels[i * 4 + c] = byte(acc[i * 4 + c] / s);
        out.pixels[i * 4 + 3] = byte(s);
    }
    return out;
}

}  // namespace nstv
