#include "panels/controls.h"

#include <imgui.h>
#include <imgui_stdlib.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "app/widgets.h"

namespace nstv {

namespace {

// A slider for the table parameter `name` (label, range and scale from nst/param_table.h);
// ctrl+click types an exact value.
bool table_slider(const char* name, float* v, UiProbe& probe) {
    const nst::ParamSpec& p = nst::param(name);
    const bool changed = param_slider(p, v);
    probe.item(p.probe_name().c_str());
    return changed;
}

}  // namespace

void draw_run_controls(ControlState& s, const RunnerStatus& st, UiProbe& probe, ControlActions& a) {
    const float full = ImGui::GetContentRegionAvail().x;
    const float bw = (full - 2 * ImGui::GetStyle().ItemSpacing.x) * 0.3f;
    const float bw_main = full - 2 * ImGui::GetStyle().ItemSpacing.x - 2 * bw;
    ImGui::PushStyleColor(ImGuiCol_Button, st.paused ? ImVec4(0.20f, 0.55f, 0.30f, 1) : ImVec4(0.60f, 0.45f, 0.15f, 1));
    if (ImGui::Button(st.paused ? "Resume  [Space]" : "Pause  [Space]", ImVec2(bw_main, 0))) a.toggle_pause = true;
    probe.item("pause");
    ImGui::PopStyleColor();
    ImGui::SameLine();
    if (ImGui::Button("Step  [->]", ImVec2(bw, 0))) ++a.steps;
    probe.item("step");
    ImGui::SameLine();
    if (ImGui::Button("Reset  [R]", ImVec2(bw, 0))) a.reset = true;
    probe.item("reset");
    ImGui::SetNextItemWidth(full * 0.5f);
    if (ImGui::SliderInt("update every N steps", &s.update_every, 1, 50, "%d", ImGuiSliderFlags_Logarithmic))
        a.update_every_changed = true;
    probe.item("update_every");

    // Precision: switching rebuilds the network (in the background) and keeps the current image.
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted("precision");
    const bool switching = st.busy || s.precision != s.applied.options.precision;
    if (switching) ImGui::BeginDisabled();
    for (const nst::Precision p : {nst::Precision::FP32, nst::Precision::BF16, nst::Precision::TF32}) {
        if (p == nst::Precision::TF32 && !s.cuda && s.applied.options.precision != p) continue;  // CUDA only
        ImGui::SameLine();
        const char* name = nst::precision_name(p);
        if (ImGui::RadioButton(name, s.applied.options.precision == p) && s.applied.options.precision != p) {
            s.precision = p;
            a.precision_changed = true;
        }
        probe.item((std::string("precision_") + name).c_str());
    }
    if (switching) ImGui::EndDisabled();
    help_marker("fp32: exact. bf16: the network runs in bfloat16 (oneDNN on CPUs with AVX-512 BF16, tensor cores "
                "on CUDA); losses and Adam stay fp32. tf32 (CUDA only): TF32 tensor-core convolutions. Switching "
                "rebuilds the network in the background and carries on from the current image.");

}

void draw_weight_controls(ControlState& s, UiProbe& probe, ControlActions& a) {
    const float full = ImGui::GetContentRegionAvail().x;
    ImGui::Spacing();
    if (ImGui::CollapsingHeader("Loss weights", ImGuiTreeNodeFlags_DefaultOpen)) {
        ImGui::PushItemWidth(full * 0.62f);
        a.params_changed |= table_slider("content-weight", &s.params.content_weight, probe);
        a.params_changed |= table_slider("style-weight", &s.params.style_weight, probe);
        a.params_changed |= table_slider("tv-weight", &s.params.tv_weight, probe);
        ImGui::PopItemWidth();
        ImGui::TextDisabled("take effect at the next step; the optimiser's state is kept");
    }

}

void draw_layer_controls(ControlState& s, UiProbe& probe, ControlActions& a) {
    const float full = ImGui::GetContentRegionAvail().x;
    if (ImGui::CollapsingHeader("Style layers", ImGuiTreeNodeFlags_DefaultOpen)) {
        ImGui::PushItemWidth(full * 0.55f);
        for (std::size_t i = 0; i < s.params.style_layers.size(); ++i) {
            auto& l = s.params.style_layers[i];
            ImGui::PushID(static_cast<int>(i));
            bool on = s.style_enabled[i];
            if (ImGui::Checkbox("##on", &on)) {
                s.style_enabled[i] = on;
                a.params_changed = true;
            }
            ImGui::SameLine();
            if (!on) ImGui::BeginDisabled();
            if (ImGui::SliderFloat(l.layer.c_str(), &l.weight, 0.01f, 10.0f, "%.3g", ImGuiSliderFlags_Logarithmic))
                a.params_changed = true;
            probe.item(("layer_" + l.layer).c_str());
            if (!on) ImGui::EndDisabled();
            ImGui::PopID();
        }
        ImGui::PopItemWidth();
        // Adding a layer changes the layer set: the optimizer recomputes targets in the background.
        if (ImGui::BeginCombo("##add", "+ add a style layer", ImGuiComboFlags_HeightLarge)) {
            for (const auto& vl : nst::vgg19_layers()) {
                if (vl.kind != nst::LayerKind::ReLU) continue;
                const bool present = std::any_of(s.params.style_layers.begin(), s.params.style_layers.end(),
                                                 [&](const nst::LayerWeight& w) { return w.layer == vl.name; });
                if (present) continue;
                if (ImGui::Selectable(vl.name.c_str())) {
                    s.params.style_layers.push_back({vl.name, 0.2f});
                    s.style_enabled.push_back(true);
                    a.params_changed = true;
                }
            }
            ImGui::EndCombo();
        }
        help_marker("Switching a layer off keeps its targets (instant). Adding a new layer recomputes the "
                    "targets in the background and carries on from the current image.");
    }

}

void draw_input_controls(ControlState& s, UiProbe& probe, ControlActions& a) {
    const float full = ImGui::GetContentRegionAvail().x;
    const bool inputs_open = ImGui::CollapsingHeader("Images and network");
    probe.item("images_header");
    if (inputs_open) {
        ImGui::PushItemWidth(full * 0.70f);
        bool enter = false;
        enter |= ImGui::InputText("content", &s.content_path, ImGuiInputTextFlags_EnterReturnsTrue);
        probe.item("content_path");
        param_slider(nst::param("size"), &s.size, "%d px");
        probe.item("size");
        param_slider(nst::param("scales"), &s.scales);
        probe.item("scales");
        help_marker("1: optimise at the full size only. N: start at size/2^(N-1) and double the size after "
                    "each level's steps, continuing from the upsampled image (coarse steps are cheap). A new "
                    "schedule starts with the next Reset.");
        if (s.scales > 1) {
            param_slider(nst::param("coarse-steps"), &s.coarse_steps);
            probe.item("coarse_steps");
        }
        ImGui::Combo("pooling", &s.pooling, "max\0avg\0");
        ImGui::Checkbox("random features", &s.random_features);
        if (s.random_features) {
            ImGui::SameLine();
            ImGui::SetNextItemWidth(full * 0.25f);
            ImGui::InputInt("seed", &s.features_seed);
        } else {
            enter |= ImGui::InputText("weights", &s.weights_path, ImGuiInputTextFlags_EnterReturnsTrue);
        }
        ImGui::PopItemWidth();
        const EngineSetup e = s.edited_setup();
        const bool dirty = e.content_path != s.applied.content_path ||
                           e.size != s.applied.size || e.scales != s.applied.scales ||
                           e.coarse_steps != s.applied.coarse_steps || e.options.pooling != s.applied.options.pooling ||
                           e.options.features.weights_path != s.applied.options.features.weights_path ||
                           e.options.features.random_seed != s.applied.options.features.random_seed;
        const std::string invalid = check_levels(e.size, e.scales, e.coarse_steps);
        if (!invalid.empty()) ImGui::TextColored(ImVec4(1.0f, 0.45f, 0.4f, 1), "%s", invalid.c_str());
        const bool can_apply = dirty && invalid.empty();
        if (!can_apply) ImGui::BeginDisabled();
        if (ImGui::Button("Apply (re-target)", ImVec2(full * 0.5f, 0)) || (can_apply && enter)) a.retarget = true;
        probe.item("apply_inputs");
        if (!can_apply) ImGui::EndDisabled();
        help_marker("Re-targets in the background and carries on from the current image (resampled when "
                    "the size changes). Tip: drop an image file onto the window. Style images: the Styles section.");
    }

}

void draw_screenshot_controls(ControlState& s, UiProbe& probe, ControlActions& a) {
    const float full = ImGui::GetContentRegionAvail().x;
    if (ImGui::CollapsingHeader("Screenshots", ImGuiTreeNodeFlags_DefaultOpen)) {
        ImGui::SetNextItemWidth(full * 0.70f);
        ImGui::InputText("folder", &s.screenshot_dir);
        if (ImGui::Button("Save result  [S]", ImVec2(full * 0.49f, 0))) a.save_result = true;
        probe.item("save_result");
        ImGui::SameLine();
        if (ImGui::Button("Save window  [W]", ImVec2(full * 0.49f, 0))) a.save_window = true;
    }
}

}  // namespace nstv
