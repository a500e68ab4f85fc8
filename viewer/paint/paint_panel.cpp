#include "paint/paint_panel.h"

#include <imgui.h>
#include <imgui_stdlib.h>

#include <algorithm>
#include <exception>
#include <string>

#include "app/widgets.h"
#include "paint/mask_files.h"

namespace nstv {
namespace {

ImVec4 colour_of(std::uint32_t rgb) {
    return ImVec4(((rgb >> 16) & 255) / 255.0f, ((rgb >> 8) & 255) / 255.0f, (rgb & 255) / 255.0f, 1.0f);
}

const char* tool_name(PaintTool t) {
    switch (t) {
        case PaintTool::Brush: return "brush";
        case PaintTool::Eraser: return "eraser";
        case PaintTool::Fill: return "fill";
        case PaintTool::Content: return "content";
    }
    return "";
}

std::string style_label(const std::vector<std::string>& names, int style) {
    if (style == nst::kRegionNone) return "none";
    if (style < 0 || static_cast<std::size_t>(style) >= names.size()) return std::to_string(style) + ": ?";
    return std::to_string(style) + ": " + names[static_cast<std::size_t>(style)];
}

}  // namespace

void PaintPanel::update(const Sources* sources, bool retargeting) {
    retargeting_ = retargeting;
    if (!sources) return;
    layers_.resize(sources->content.width, sources->content.height);  // resampled when the run's size changes
    if (style_names_ != sources->style_names) style_names_ = sources->style_names;
    if (!pending_regions_.empty() || !pending_map_.empty()) {
        try {
            LoadedMasks m = load_masks(pending_regions_, pending_map_, layers_.width(), layers_.height(), style_names_.size());
            layers_.replace(std::move(m.regions), std::move(m.content));
        } catch (const std::exception& e) {
            say(Notice::Level::Error, std::string("masks from the command line not loaded: ") + e.what());
        }
        pending_regions_.clear();
        pending_map_.clear();
    }
}

void PaintPanel::set_masks(const nst::SpatialControl& masks) {
    std::vector<MaskRegion> regions;
    for (const auto& r : masks.regions) regions.push_back(MaskRegion{r.mask, r.style, r.weight});
    pending_regions_.clear();  // what was opened replaces masks still waiting for the first frame
    pending_map_.clear();
    layers_.replace(std::move(regions), masks.content_map);
    selected_ = 0;
}

void PaintPanel::undo() {
    if (layers_.undo()) selected_ = std::min(selected_, std::max(0, static_cast<int>(layers_.regions().size()) - 1));
}

void PaintPanel::redo() {
    if (layers_.redo()) selected_ = std::min(selected_, std::max(0, static_cast<int>(layers_.regions().size()) - 1));
}

void PaintPanel::scale_brush(float factor) { brush_.radius = std::clamp(brush_.radius * factor, 1.0f, 128.0f); }

void PaintPanel::style_removed(int index, std::size_t count) {
    if (index < 0 || static_cast<std::size_t>(index) >= count || count <= 1) return;  // as the Controller decides
    layers_.style_removed(index);
}

std::shared_ptr<const nst::SpatialControl> PaintPanel::take_change() {
    if (layers_.version() == published_) return nullptr;
    published_ = layers_.version();
    return std::make_shared<const nst::SpatialControl>(layers_.spatial());
}

void PaintPanel::draw(UiProbe& probe) {
    ImGui::Spacing();
    const bool open = ImGui::CollapsingHeader("Paint##paint", ImGuiTreeNodeFlags_DefaultOpen);
    probe.item("paint_header");
    if (!open) return;
    ImGui::Checkbox("paint mode  [P]##paint", &on_);
    probe.item("paint_mode");
    help_marker("Paint regions over the image, each with its own style (or none) and weight; pixels that no "
                "region covers take the blend of all styles. A stroke is used by the next step: no restart, no "
                "new targets. Left button paints, right or middle button pans, wheel zooms, [ and ] resize the "
                "brush. Ctrl+Z / Ctrl+Shift+Z undo / redo a stroke.");
    if (!on_) {
        if (counted_ != layers_.version()) {  // a scan of every mask: not on every frame
            painted_ = layers_.painted_regions();
            counted_ = layers_.version();
        }
        const std::size_t n = painted_;
        if (n > 0 || layers_.has_content_map())
            ImGui::TextDisabled("%zu painted region%s%s in use", n, n == 1 ? "" : "s",
                                layers_.has_content_map() ? " and a content map" : "");
        return;
    }
    draw_tools(probe);
    draw_regions(probe);
    draw_files(probe);
}

void PaintPanel::draw_tools(UiProbe& probe) {
    const float full = ImGui::GetContentRegionAvail().x;
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted("tool");
    for (const PaintTool t : {PaintTool::Brush, PaintTool::Eraser, PaintTool::Fill, PaintTool::Content}) {
        ImGui::SameLine();
        const std::string name = tool_name(t);
        if (ImGui::RadioButton((name + "##paint_tool").c_str(), tool_ == t)) tool_ = t;
        probe.item(("paint_tool_" + name).c_str());
    }
    help_marker("brush: gives the pixels to the selected region (and takes them from the others). eraser: takes "
                "them from it. fill: click the image, the region takes every pixel no other region covers. "
                "content: paints the content strength (0 pure style, 1 as set, 4 photographic).");
    ImGui::PushItemWidth(full * 0.55f);
    ImGui::SliderFloat("brush size##paint", &brush_.radius, 1.0f, 128.0f, "%.0f px", ImGuiSliderFlags_Logarithmic);
    probe.item("paint_size");
    ImGui::SliderFloat("softness##paint", &brush_.softness, 0.0f, 1.0f, "%.2f");
    probe.item("paint_softness");
    if (tool_ == PaintTool::Content) {
        ImGui::SliderFloat("content strength##paint", &brush_.multiplier, 0.0f, nst::kMaxContentMultiplier, "x %.2f");
        probe.item("paint_strength");
        ImGui::SameLine();
        if (ImGui::SmallButton("reset##paint_content")) layers_.clear_content_map();
        probe.item("paint_content_reset");
    }
    ImGui::PopItemWidth();
}

void PaintPanel::draw_regions(UiProbe& probe) {
    const ImGuiStyle& st = ImGui::GetStyle();
    const auto& regions = layers_.regions();
    const bool full_list = regions.size() >= static_cast<std::size_t>(nst::kMaxRegions);
    if (full_list) ImGui::BeginDisabled();
    if (ImGui::Button("Add region##paint"))
        if (const int added = layers_.add_region(default_style()); added >= 0) selected_ = added;
    probe.item("paint_add_region");
    if (full_list) ImGui::EndDisabled();
    ImGui::SameLine();
    ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x);
    ImGui::SliderFloat("##paint_opacity", &opacity_, 0.0f, 1.0f, "overlay %.2f");
    probe.item("paint_opacity");

    int remove = -1;
    selected_ = std::clamp(selected_, 0, std::max(0, static_cast<int>(regions.size()) - 1));
    const float h = ImGui::GetFrameHeight();
    for (std::size_t i = 0; i < regions.size(); ++i) {
        const MaskRegion& r = regions[i];
        const std::string id = std::to_string(i);
        ImGui::PushID(static_cast<int>(i));
        if (ImGui::RadioButton("##select", selected_ == static_cast<int>(i))) selected_ = static_cast<int>(i);
        probe.item(("paint_select_" + id).c_str());
        ImGui::SameLine();
        if (ImGui::ColorButton("##swatch", colour_of(r.colour), ImGuiColorEditFlags_NoTooltip, ImVec2(h, h)))
            selected_ = static_cast<int>(i);
        ImGui::SameLine();
        const float rest = ImGui::GetContentRegionAvail().x;
        const float remove_w = ImGui::CalcTextSize("x").x + 2 * st.FramePadding.x;
        const float check_w = h;
        const float weight_w = std::max(50.0f, rest * 0.26f);
        ImGui::SetNextItemWidth(rest - weight_w - check_w - remove_w - 3 * st.ItemSpacing.x);
        if (retargeting_) ImGui::BeginDisabled();  // the list is about to change: wait for it
        const std::string preview = style_label(style_names_, r.style);
        const bool combo = ImGui::BeginCombo("##style", preview.c_str());
        if (!combo) probe.item(("paint_style_" + id).c_str());  // once open, the last item is the popup
        if (combo) {
            for (std::size_t k = 0; k <= style_names_.size(); ++k) {
                const int style = k < style_names_.size() ? static_cast<int>(k) : nst::kRegionNone;
                if (ImGui::Selectable(style_label(style_names_, style).c_str(), r.style == style)) layers_.set_style(i, style);
                probe.item(("paint_style_" + id + "_" + (style == nst::kRegionNone ? std::string("none") : std::to_string(k))).c_str());
            }
            ImGui::EndCombo();
        }
        if (retargeting_) ImGui::EndDisabled();
        ImGui::SameLine();
        float weight = r.weight;
        ImGui::SetNextItemWidth(weight_w);
        if (ImGui::DragFloat("##weight", &weight, 0.01f, 0.0f, 100.0f, "w %.2f", ImGuiSliderFlags_AlwaysClamp))
            layers_.set_weight(i, std::max(0.0f, weight));
        probe.item(("paint_weight_" + id).c_str());
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("the region's weight in the style loss (drag, or ctrl+click to type)");
        ImGui::SameLine();
        bool visible = r.visible;
        if (ImGui::Checkbox("##visible", &visible)) layers_.set_visible(i, visible);
        probe.item(("paint_visible_" + id).c_str());
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("show this region in the overlay");
        ImGui::SameLine();
        if (ImGui::Button("x")) remove = static_cast<int>(i);
        probe.item(("paint_remove_" + id).c_str());
        ImGui::PopID();
    }
    if (remove >= 0) layers_.remove_region(static_cast<std::size_t>(remove));
    if (regions.empty()) ImGui::TextDisabled("no regions: add one, then paint it on the image");

    if (!layers_.can_undo()) ImGui::BeginDisabled();
    if (ImGui::Button("Undo##paint")) undo();
    probe.item("paint_undo");
    if (!layers_.can_undo()) ImGui::EndDisabled();
    ImGui::SameLine();
    if (!layers_.can_redo()) ImGui::BeginDisabled();
    if (ImGui::Button("Redo##paint")) redo();
    probe.item("paint_redo");
    if (!layers_.can_redo()) ImGui::EndDisabled();
    ImGui::SameLine();
    if (ImGui::Button("Fill##paint")) layers_.fill(static_cast<std::size_t>(selected_));
    probe.item("paint_fill");
    ImGui::SameLine();
    if (ImGui::Button("Clear##paint")) layers_.clear(static_cast<std::size_t>(selected_));
    probe.item("paint_clear");
}

void PaintPanel::draw_files(UiProbe& probe) {
    const ImGuiStyle& st = ImGui::GetStyle();
    const float buttons = ImGui::CalcTextSize("SaveLoad").x + 4 * st.FramePadding.x + 2 * st.ItemSpacing.x;
    ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x - buttons);
    ImGui::InputTextWithHint("##paint_dir", "masks folder", &dir_);
    probe.item("paint_dir");
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("region1.png, region2.png, ... (white = inside), content.png and flags.txt in this folder");
    ImGui::SameLine();
    if (ImGui::Button("Save##paint_masks")) {
        try {
            save_masks(layers_, dir_);
            say(Notice::Level::Info, "masks saved to " + dir_ + " (" + std::to_string(layers_.regions().size()) + " regions)");
        } catch (const std::exception& e) {
            say(Notice::Level::Error, std::string("could not save the masks: ") + e.what());
        }
    }
    probe.item("paint_save");
    ImGui::SameLine();
    if (ImGui::Button("Load##paint_masks")) {
        try {
            LoadedMasks m = load_masks(dir_, layers_.width(), layers_.height(), style_names_.size());
            const std::size_t n = m.regions.size();
            layers_.replace(std::move(m.regions), std::move(m.content));
            selected_ = 0;
            say(Notice::Level::Info, "masks loaded from " + dir_ + " (" + std::to_string(n) + " regions)");
        } catch (const std::exception& e) {
            say(Notice::Level::Error, std::string("could not load the masks (the current ones are kept): ") + e.what());
        }
    }
    probe.item("paint_load");
    std::string flags = mask_flags(layers_, dir_);
    if (flags.empty()) flags = "(no regions)";
    ImGui::TextDisabled("the same with nst:");
    ImGui::InputTextMultiline("##paint_flags", &flags, ImVec2(-1, ImGui::GetTextLineHeight() * 3 + 2 * st.FramePadding.y),
                              ImGuiInputTextFlags_ReadOnly);
    probe.item("paint_flags");
}

void PaintPanel::canvas(const ImageView& view, UiProbe& probe) {
    const ImageView::Canvas& c = view.canvas();
    if (!on_ || !c.has_result || !layers_.sized()) {
        if (layers_.stroking()) layers_.end_stroke();
        return;
    }
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->PushClipRect(c.min, c.max, true);
    probe.rect("paint_image", c.result_min.x, c.result_min.y, c.result_max.x, c.result_max.y);

    // The overlay: uploaded only when the masks (or what it shows) changed.
    const bool content = tool_ == PaintTool::Content;
    if (layers_.overlay_version() != overlay_shown_ || content != overlay_content_) {
        overlay_.upload(layers_.overlay(content));
        overlay_shown_ = layers_.overlay_version();
        overlay_content_ = content;
    }
    if (!overlay_.empty())
        dl->AddImage(overlay_.imgui_id(), c.result_min, c.result_max, ImVec2(0, 0), ImVec2(1, 1),
                     IM_COL32(255, 255, 255, static_cast<int>(opacity_ * 255.0f + 0.5f)));

    // Mouse -> mask pixels.
    const ImGuiIO& io = ImGui::GetIO();
    const float sx = static_cast<float>(layers_.width()) / std::max(1.0f, c.result_max.x - c.result_min.x);
    const float sy = static_cast<float>(layers_.height()) / std::max(1.0f, c.result_max.y - c.result_min.y);
    const float mx = (io.MousePos.x - c.result_min.x) * sx, my = (io.MousePos.y - c.result_min.y) * sy;
    const bool inside = mx >= 0 && my >= 0 && mx < layers_.width() && my < layers_.height();
    const bool has_region = !layers_.regions().empty();
    if (c.left_pressed && inside) {
        if (tool_ == PaintTool::Fill) {
            if (has_region) layers_.fill(static_cast<std::size_t>(selected_));
        } else if (has_region || tool_ == PaintTool::Content) {
            layers_.begin_stroke(tool_, static_cast<std::size_t>(selected_), brush_);
        } else {
            say(Notice::Level::Info, "add a region first (Paint: Add region), then paint it");
        }
    }
    if (layers_.stroking()) {
        if (c.left_held) layers_.stroke_to(mx, my);
        else layers_.end_stroke();
    }

    // The brush's outline where it would paint, and a reminder of what the left button does.
    if (c.hovered && inside && tool_ != PaintTool::Fill) {
        const float r = brush_.radius / sx;
        dl->AddCircle(io.MousePos, r + 1.0f, IM_COL32(0, 0, 0, 160), 0, 1.0f);
        dl->AddCircle(io.MousePos, r, IM_COL32(255, 255, 255, 220), 0, 1.5f);
    }
    std::string hint = std::string("painting: ") + tool_name(tool_);
    if (tool_ != PaintTool::Content && has_region) hint += ", region " + std::to_string(selected_ + 1);
    hint += "  |  right-drag pans  |  P: paint mode off";
    const ImVec2 ts = ImGui::CalcTextSize(hint.c_str());
    const ImVec2 at(c.min.x + 8, c.max.y - ts.y - 12);
    dl->AddRectFilled(at, ImVec2(at.x + ts.x + 10, at.y + ts.y + 6), IM_COL32(0, 0, 0, 170), 3.0f);
    dl->AddText(ImVec2(at.x + 5, at.y + 3), IM_COL32(235, 235, 235, 255), hint.c_str());
    dl->PopClipRect();
}

}  // namespace nstv
