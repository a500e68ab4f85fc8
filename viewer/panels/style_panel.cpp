#include "panels/style_panel.h"

#include <imgui.h>
#include <imgui_stdlib.h>

#include <algorithm>
#include <filesystem>
#include <string>

#include "app/widgets.h"
#include "nst/engine.h"

namespace nstv {
namespace {

std::string trimmed(const std::string& s) {
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return {};
    return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

// The image fitted (aspect kept) and centred in a square of `side` pixels at the cursor.
void thumbnail(const Texture* t, float side) {
    const ImVec2 a = ImGui::GetCursorScreenPos();
    ImGui::Dummy(ImVec2(side, side));
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 b(a.x + side, a.y + side);
    dl->AddRectFilled(a, b, IM_COL32(20, 21, 25, 255), 3.0f);
    if (!t || t->empty()) {
        const ImVec2 ts = ImGui::CalcTextSize("...");
        dl->AddText(ImVec2(a.x + (side - ts.x) / 2, a.y + (side - ts.y) / 2), IM_COL32(150, 150, 150, 255), "...");
        return;
    }
    const float w = static_cast<float>(t->width()), h = static_cast<float>(t->height());
    const float k = std::min(side / w, side / h);
    const ImVec2 c(a.x + side / 2, a.y + side / 2);
    dl->AddImage(t->imgui_id(), ImVec2(c.x - w * k / 2, c.y - h * k / 2), ImVec2(c.x + w * k / 2, c.y + h * k / 2));
}

void draw_style_list(ControlState& s, const std::vector<const Texture*>& thumbs, UiProbe& probe, ControlActions& a) {
    const ImGuiStyle& st = ImGui::GetStyle();
    const float full = ImGui::GetContentRegionAvail().x;
    const float side = 2 * ImGui::GetFrameHeight() + st.ItemSpacing.y;  // the name row and the slider row
    const float column = full - side - st.ItemSpacing.x;
    float sum = 0;
    for (const auto& e : s.styles) sum += std::max(0.0f, e.weight);
    for (std::size_t i = 0; i < s.styles.size(); ++i) {
        StyleEntry& e = s.styles[i];
        const std::string id = std::to_string(i);
        ImGui::PushID(static_cast<int>(i));
        thumbnail(i < thumbs.size() ? thumbs[i] : nullptr, side);
        ImGui::SameLine();
        ImGui::BeginGroup();
        const char* kRemove = "remove";
        const float remove_w = ImGui::CalcTextSize(kRemove).x + 2 * st.FramePadding.x;
        ImGui::AlignTextToFramePadding();
        const std::string name = std::filesystem::path(e.path).filename().string();
        ImGui::TextUnformatted(fit_text(name, column - remove_w - st.ItemSpacing.x).c_str());
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", e.path.c_str());
        ImGui::SameLine(column - remove_w);  // inside a group: from the group's left edge
        const bool last = s.styles.size() == 1;  // at least one style image is needed
        if (last) ImGui::BeginDisabled();
        if (ImGui::Button(kRemove)) a.remove_style = static_cast<int>(i);
        probe.item(("style_remove_" + id).c_str());
        if (last) ImGui::EndDisabled();
        const float share_w = ImGui::CalcTextSize("100%").x;
        ImGui::SetNextItemWidth(column - share_w - st.ItemSpacing.x);
        if (ImGui::SliderFloat("##blend", &e.weight, 0.0f, 1.0f, "blend %.2f", ImGuiSliderFlags_AlwaysClamp))
            a.blend_changed = true;
        probe.item(("blend_" + id).c_str());
        ImGui::SameLine();
        ImGui::Text("%3.0f%%", sum > 0 ? 100.0 * std::max(0.0f, e.weight) / sum : 0.0);
        ImGui::EndGroup();
        ImGui::PopID();
    }
    const char* kAdd = "Add";
    ImGui::SetNextItemWidth(full - ImGui::CalcTextSize(kAdd).x - 2 * st.FramePadding.x - st.ItemSpacing.x);
    const bool enter = ImGui::InputTextWithHint("##add_style", "image path, or drop a file here", &s.new_style,
                                                ImGuiInputTextFlags_EnterReturnsTrue);
    probe.item("add_style_path");
    ImGui::SameLine();
    const bool click = ImGui::Button(kAdd);
    probe.item("add_style");
    if ((enter || click) && !trimmed(s.new_style).empty()) {
        a.add_styles.push_back(trimmed(s.new_style));
        s.new_style.clear();
    }
}

void draw_style_knobs(ControlState& s, UiProbe& probe, ControlActions& a) {
    const float full = ImGui::GetContentRegionAvail().x;
    ImGui::SetNextItemWidth(full * 0.62f);  // as the loss weights above: the labels line up
    const bool open = ImGui::BeginCombo("colours", nst::color_mode_name(s.params.colors));
    if (!open) probe.frame("colors", "colours");  // once open, the last item is the popup, not the combo
    if (open) {
        for (const nst::ColorMode m : {nst::ColorMode::Off, nst::ColorMode::Post, nst::ColorMode::Luminance, nst::ColorMode::Histogram}) {
            const char* name = nst::color_mode_name(m);
            if (ImGui::Selectable(name, s.params.colors == m) && s.params.colors != m) {
                s.params.colors = m;
                a.colors_changed = true;
            }
            probe.item((std::string("colors_") + name).c_str());
        }
        ImGui::EndCombo();
    }
    help_marker("Keep the photo's colours. off: plain transfer. post: the result's luminance with the content's "
                "colours, only in what is shown and saved (instant). luminance: the style is transferred on "
                "luminance alone. histogram: each style's colours are matched to the content's first. The last "
                "two compute new targets in the background.");
    ImGui::SetNextItemWidth(full * 0.62f);  // as the loss weights above: the labels line up
    const nst::ParamSpec& scale = nst::param("style-scale");
    param_slider(scale, &s.params.style_scale, "%.2f");
    probe.frame(scale.probe_name().c_str(), scale.label.c_str());
    if (ImGui::IsItemDeactivatedAfterEdit()) a.style_scale_changed = true;  // new targets once, when let go
    help_marker("Each style image is resized so that its long side is this times the content's (larger: "
                "bigger brush strokes). New targets are computed in the background when the slider is let go; "
                "the run carries on from the current image.");
    // Two rows: the statistics (instant), then the losses that match features (the first of them
    // computes the styles' activations once; switching among them, or back, computes nothing).
    const auto loss_row = [&](const char* label, std::initializer_list<nst::StyleLoss> losses) {
        ImGui::AlignTextToFramePadding();
        ImGui::TextUnformatted(label);
        for (const nst::StyleLoss l : losses) {
            ImGui::SameLine();
            const char* name = nst::style_loss_name(l);
            if (ImGui::RadioButton(name, s.params.style_loss == l) && s.params.style_loss != l) {
                a.statistic_from = s.params.style_loss;
                s.params.style_loss = l;
                a.statistic_changed = true;
            }
            probe.item((std::string("statistic_") + name).c_str());
        }
    };
    loss_row("statistic", {nst::StyleLoss::Gram, nst::StyleLoss::W2});
    help_marker("gram: Gram matrices (Gatys et al.). w2: the 2-Wasserstein distance between Gaussians fitted to "
                "the activations. Switching needs no forward pass, only a matrix square root per layer.");
    loss_row("matching ", {nst::StyleLoss::SW, nst::StyleLoss::REMD, nst::StyleLoss::NN});
    help_marker("Losses that match the features themselves. sw: sliced Wasserstein (random projections, "
                "sorted). remd: STROTSS's relaxed earth mover's distance of sampled hypercolumns, with moments "
                "and palette. nn: each feature pulled to its nearest style feature. The first one computes the "
                "styles' activations once (a forward pass); switching among them or back computes nothing.");
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted("content  ");
    for (const nst::ContentLoss l : {nst::ContentLoss::MSE, nst::ContentLoss::SelfSimilarity}) {
        ImGui::SameLine();
        const char* name = nst::content_loss_name(l);
        if (ImGui::RadioButton(name, s.params.content_loss == l) && s.params.content_loss != l) {
            a.content_loss_from = s.params.content_loss;
            s.params.content_loss = l;
            a.content_loss_changed = a.params_changed = true;
        }
        probe.item((std::string("content_loss_") + name).c_str());
    }
    help_marker("mse: the squared difference of the content's activations (Gatys et al.). self-similarity: "
                "STROTSS's: which places are alike stays, so strokes may replace edges. Instant.");
    if (s.params.style_loss == nst::StyleLoss::SW) {
        ImGui::SetNextItemWidth(full * 0.62f);
        const nst::ParamSpec& directions = nst::param("sw-directions");
        a.params_changed |= param_slider(directions, &s.params.sw_directions);
        probe.frame(directions.probe_name().c_str(), directions.label.c_str());
    }
    if (s.params.style_loss == nst::StyleLoss::REMD || s.params.style_loss == nst::StyleLoss::NN ||
        s.params.content_loss == nst::ContentLoss::SelfSimilarity) {
        ImGui::SetNextItemWidth(full * 0.62f);
        const nst::ParamSpec& samples = nst::param("samples");
        a.params_changed |= param_slider(samples, &s.params.samples);
        probe.frame(samples.probe_name().c_str(), samples.label.c_str());
        help_marker("remd and self-similarity: positions sampled each step; nn: style features each output "
                    "feature is matched against, per layer. More: closer to the exact loss, slower.");
    }
}

}  // namespace

void StylePanel::draw(ControlState& s, const std::vector<const Texture*>& thumbs, UiProbe& probe, ControlActions& a) {
    zone_ = Rect{0, 0, 0, 0};
    const bool open = ImGui::CollapsingHeader("Styles", ImGuiTreeNodeFlags_DefaultOpen);
    probe.item("styles_header");
    if (!open) return;
    const ImVec2 top = ImGui::GetCursorScreenPos();
    // While a re-target is on its way the list waits for it (its thumbnails are not loaded yet).
    if (s.retargeting) ImGui::BeginDisabled();
    draw_style_list(s, thumbs, probe, a);
    if (s.retargeting) ImGui::EndDisabled();
    // Only the part in view (the controls scroll) takes drops.
    const ImDrawList* dl = ImGui::GetWindowDrawList();
    zone_ = Rect{std::max(top.x, dl->GetClipRectMin().x), std::max(top.y, dl->GetClipRectMin().y),
                 std::min(top.x + ImGui::GetContentRegionAvail().x, dl->GetClipRectMax().x),
                 std::min(ImGui::GetItemRectMax().y, dl->GetClipRectMax().y)};
    // One line that is always there (so nothing below jumps under the pointer): a problem with the
    // blend, else a re-target on its way, else a hint.
    const std::string why = s.blend_problem();
    if (!why.empty()) ImGui::TextColored(ImVec4(1.0f, 0.45f, 0.4f, 1), "%s", fit_text(why, ImGui::GetContentRegionAvail().x).c_str());
    else if (s.retargeting) ImGui::TextDisabled("re-targeting in the background...");
    else ImGui::TextDisabled("%s", fit_text("blend: instant  |  add or remove: new targets", ImGui::GetContentRegionAvail().x).c_str());
    if (!why.empty() && ImGui::IsItemHovered()) ImGui::SetTooltip("%s", why.c_str());
    ImGui::Spacing();
    draw_style_knobs(s, probe, a);
}

}  // namespace nstv
