#include "panels/creative_panel.h"

#include <imgui.h>

#include <algorithm>
#include <string>

#include "app/widgets.h"

namespace nstv {
namespace {

// The grid: one row per style layer, one column per style, each cell that layer's weight for that
// style (normalised per layer by the engine). A row with its own weights is a LayerBlend; "="
// puts a row back on the common blend of the Styles section.
void draw_layer_grid(ControlState& s, UiProbe& probe, ControlActions& a) {
    const std::size_t n = s.styles.size();
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextDisabled("which painting feeds which layer (coarse: relu4/5, fine: relu1/2)");
    ImGui::PopTextWrapPos();
    if (!ImGui::BeginTable("layer_grid", static_cast<int>(n) + 2, ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_RowBg))
        return;
    ImGui::TableSetupColumn("layer");
    for (std::size_t k = 0; k < n; ++k) ImGui::TableSetupColumn(("style " + std::to_string(k + 1)).c_str());
    ImGui::TableSetupColumn("");
    ImGui::TableHeadersRow();
    std::vector<float> common;
    for (const auto& e : s.styles) common.push_back(e.weight);
    for (const auto& lw : s.params.style_layers) {
        ImGui::PushID(lw.layer.c_str());
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        auto own = std::find_if(s.params.layer_blend.begin(), s.params.layer_blend.end(),
                                [&](const nst::LayerBlend& b) { return b.layer == lw.layer; });
        const bool has_own = own != s.params.layer_blend.end() && own->weights.size() == n;
        ImGui::TextUnformatted(lw.layer.c_str());
        if (!has_own) ImGui::SameLine(), ImGui::TextDisabled("(blend)");
        std::vector<float> w = has_own ? own->weights : common;
        bool changed = false;
        for (std::size_t k = 0; k < n; ++k) {
            ImGui::TableNextColumn();
            ImGui::PushID(static_cast<int>(k));
            ImGui::SetNextItemWidth(ImGui::GetFontSize() * 3.5f);
            changed |= ImGui::DragFloat("##w", &w[k], 0.01f, 0.0f, 1.0f, "%.2f", ImGuiSliderFlags_AlwaysClamp);
            probe.item(("layer_blend_" + lw.layer + "_" + std::to_string(k)).c_str());
            ImGui::PopID();
        }
        ImGui::TableNextColumn();
        if (has_own && ImGui::SmallButton("=")) {
            s.params.layer_blend.erase(own);
            a.params_changed = true;
        } else if (changed && std::any_of(w.begin(), w.end(), [](float v) { return v > 0; })) {
            if (has_own) own->weights = w;
            else s.params.layer_blend.push_back({lw.layer, w});
            a.params_changed = true;
        }
        ImGui::PopID();
    }
    ImGui::EndTable();
}

}  // namespace

void draw_creative_controls(ControlState& s, UiProbe& probe, ControlActions& a) {
    const bool open = ImGui::CollapsingHeader("Creative");
    probe.item("creative_header");
    if (!open) return;
    // Texture: a re-target (new targets, a fresh start from noise).
    if (s.retargeting) ImGui::BeginDisabled();
    if (ImGui::Checkbox("texture (no content)", &s.texture)) a.texture_changed = true;
    probe.item("texture");
    if (s.retargeting) ImGui::EndDisabled();
    help_marker("A texture of size x size from the styles alone (Gatys et al. 2015): no content term, from noise. "
                "With seamless it tiles.");
    if (ImGui::Checkbox(nst::param("seamless").label.empty() ? "seamless" : nst::param("seamless").label.c_str(),
                        &s.params.seamless))
        a.params_changed = true;
    probe.item("seamless");
    help_marker("The result tiles without seams: VGG19 pads around the image and TV wraps, so the loss sees a "
                "torus. Sides are rounded to a multiple of 16. The toolbar's \"Tile 2x2\" shows the seams, or "
                "their absence.");
    if (ImGui::Checkbox("colours only", &s.params.colors_only)) a.colors_only_changed = true;
    probe.item("colors_only");
    help_marker("The photo recoloured with the paintings' palette (its colour mean and covariance mapped to "
                "theirs), nothing else: no optimisation (the run pauses while it is shown).");
    ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x * 0.55f);
    a.params_changed |= param_slider(nst::param("normalize-gradients"), &s.params.normalize_gradients);
    probe.item("normalize_gradients");
    help_marker("0: plain gradients. 1: each layer's gradient rescaled to an L1 norm in proportion to its weight "
                "(neural-style's -normalize_gradients), so no layer drowns the others.");
    if (s.styles.size() >= 2 && s.params.style_loss != nst::StyleLoss::REMD) draw_layer_grid(s, probe, a);
    else if (s.styles.size() >= 2) ImGui::TextDisabled("per-layer blends: not with remd (its layers are joined)");
}

}  // namespace nstv
