#include "panels/optimizer_panel.h"

#include <imgui.h>
#include <imgui_stdlib.h>

#include <string>
#include <utility>

#include "app/widgets.h"

namespace nstv {

void draw_optimizer_controls(ControlState& s, UiProbe& probe, ControlActions& a) {
    const float full = ImGui::GetContentRegionAvail().x;
    ImGui::Spacing();
    if (!ImGui::CollapsingHeader("Optimizer", ImGuiTreeNodeFlags_DefaultOpen)) return;
    ImGui::PushItemWidth(full * 0.62f);

    for (const nst::Optimizer o : {nst::Optimizer::Adam, nst::Optimizer::LBFGS}) {
        if (o == nst::Optimizer::LBFGS) ImGui::SameLine();
        const char* name = o == nst::Optimizer::Adam ? "Adam" : "L-BFGS";
        if (ImGui::RadioButton(name, s.params.optimizer == o) && s.params.optimizer != o) {
            s.params.optimizer = o;
            std::swap(s.params.lr, s.other_lr);  // each optimiser keeps its own learning rate
            a.params_changed = true;
        }
        probe.item(o == nst::Optimizer::Adam ? "optimizer_adam" : "optimizer_lbfgs");
    }
    help_marker("Switching keeps the image and starts the new optimiser afresh. One step is one loss-and-gradient "
                "evaluation for both. L-BFGS (neural-style's default) usually needs far fewer steps; it keeps "
                "pixels in [0,1] by optimising z with x = sin^2(pi z/2).");
    const nst::ParamSpec& lr = nst::param("lr");
    a.params_changed |= param_slider(lr, &s.params.lr);
    probe.item(lr.probe_name().c_str());
    if (s.params.optimizer == nst::Optimizer::LBFGS) {
        const nst::ParamSpec& history = nst::param("lbfgs-history");
        a.params_changed |= param_slider(history, &s.params.lbfgs_history);
        probe.item(history.probe_name().c_str());
    }

    bool averaging = s.params.average > 0;
    if (ImGui::Checkbox("average the iterates", &averaging)) {
        s.params.average = averaging ? s.average_decay : 0.0f;
        a.params_changed = true;
    }
    probe.item("average_on");
    help_marker("Shows and saves an exponential moving average of the images (bias-corrected), which removes "
                "Adam's pixel noise. The losses are the iterate's. A new decay restarts the average.");
    if (averaging) {
        const nst::ParamSpec& decay = nst::param("average");
        if (param_slider(decay, &s.params.average, "%.3f")) {
            s.average_decay = s.params.average;
            a.params_changed = true;
        }
        probe.item("average");
        ImGui::AlignTextToFramePadding();
        ImGui::TextUnformatted("show");
        ImGui::SameLine();
        if (ImGui::RadioButton("average##show", s.show_average) && !s.show_average) {
            s.show_average = true;
            a.show_changed = true;
        }
        probe.item("show_average");
        ImGui::SameLine();
        if (ImGui::RadioButton("iterate##show", !s.show_average) && s.show_average) {
            s.show_average = false;
            a.show_changed = true;
        }
        probe.item("show_iterate");
    }

    // Restart from: a start image for this restart and every Reset after it.
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted("restart from");
    for (const nst::Init init : {nst::Init::Content, nst::Init::Noise, nst::Init::Gray}) {
        ImGui::SameLine();
        const char* name = nst::init_name(init);
        // "##restart": the inputs section has a "content" field; ImGui IDs must not collide.
        if (ImGui::RadioButton((std::string(name) + "##restart").c_str(), !s.restart_from_file && s.restart_init == init)) {
            s.restart_init = init;
            s.restart_from_file = false;
        }
        probe.item((std::string("restart_") + name).c_str());
    }
    ImGui::SameLine();
    if (ImGui::RadioButton("file##restart", s.restart_from_file)) s.restart_from_file = true;
    probe.item("restart_file_choice");
    bool enter = false;
    if (s.restart_from_file) {
        ImGui::SetNextItemWidth(full * 0.7f);
        enter = ImGui::InputTextWithHint("##restart_file", "image file (e.g. a saved result)", &s.restart_file,
                                         ImGuiInputTextFlags_EnterReturnsTrue);
        probe.item("restart_file");
        ImGui::SameLine();
    }
    const bool can = !s.restart_from_file || !s.restart_file.empty();
    if (!can) ImGui::BeginDisabled();
    if (ImGui::Button("Restart##from") || (can && enter)) a.restart = true;
    probe.item("restart");
    if (!can) ImGui::EndDisabled();
    help_marker("Starts over from the content image, uniform noise, gray (0.5 and a little noise) or an image file "
                "(e.g. a saved result, to carry on from it), resized to the content. Reset [R] then starts from "
                "the same.");
    ImGui::PopItemWidth();
}

}  // namespace nstv
