#include "video/video_render_panel.h"

#include <imgui.h>
#include <imgui_stdlib.h>

#include <algorithm>
#include <filesystem>

#include "app/widgets.h"
#include "control/controller.h"
#include "gl/screenshots.h"
#include "nst/video/render.h"
#include "windows/render_panel.h"
#include "probe/ui_probe.h"
#include "run/render_check.h"
#include "run/render_mode.h"  // duration_text

namespace nstv {
namespace {

namespace fs = std::filesystem;
constexpr const char* kPopup = "Render video##video_render_dialog";

// The frames a range names in a clip of `frames` (all of them for an empty or bad range: the
// estimate only; Start checks the range).
int range_count(const std::string& spec, int frames) {
    if (spec.empty()) return frames;
    try {
        return nst::video::parse_frame_range(spec, frames).count();
    } catch (const std::exception&) {
        return frames;
    }
}

}  // namespace

void VideoRenderPanel::draw(Controller& c, RenderPanel& render, float scale, UiProbe& probe) {
    output_.poll();
    if (std::exchange(want_open_, false) && !ImGui::IsPopupOpen(kPopup)) {
        output_.offer(fresh_output_path(c.state().screenshot_dir, "nst-video", c.showing_random(), ".mp4"));
        ImGui::OpenPopup(kPopup);
    }
    dialog_open_ = modal_dialog(kPopup, scale, close_, [&] { draw_setup(c, render, probe); });
}

void VideoRenderPanel::draw_setup(Controller& c, RenderPanel& render, UiProbe& probe) {
    ControlState& s = c.state();
    const int frames = c.clip_frames();
    if (frames <= 0) {
        ImGui::TextWrapped("The content is not a clip. Open a video (type its path as the content, drop it on the "
                           "window, or start with nst-viewer --video FILE), then render it here.");
        if (ImGui::Button("Close##video_render_close")) close_ = true;
        probe.item("video_render_close");
        return;
    }
    ImGui::TextWrapped("Renders the clip with the current look, frame by frame: the first frame from its content, "
                       "each later one from the previous result carried by the optical flow and held to it by the "
                       "temporal loss (as nst --video). The live run waits meanwhile. Cancel keeps the finished "
                       "frames; starting the same render again continues.");
    ImGui::Spacing();
    const auto field = [&](const char* label, const char* id, auto&& widget) {
        ImGui::TextUnformatted(label);
        ImGui::SameLine(170);
        ImGui::SetNextItemWidth(160);
        widget();
        probe.item(id);
        if (ImGui::IsItemActive()) probe.item((std::string(id) + "_active").c_str());
    };
    field("Frames (A:B)", "video_render_frames", [&] { ImGui::InputText("##video_render_frames", &s.video_frames); });
    ImGui::SameLine();
    ImGui::TextDisabled("1 to %d; empty: all", frames);
    int first_steps = s.video_first_steps > 0 ? s.video_first_steps : 300;
    field("First frame steps", "video_render_steps", [&] { ImGui::InputInt("##video_render_steps", &first_steps, 0, 0); });
    s.video_first_steps = std::clamp(first_steps, 1, kMaxRenderSteps);
    field("Steps per frame", "video_render_frame_steps",
          [&] { ImGui::InputInt("##video_render_frame_steps", &s.frame_steps, 0, 0); });
    s.frame_steps = std::clamp(s.frame_steps, 1, kMaxRenderSteps);
    field("Temporal weight", "video_render_temporal_weight", [&] {
        if (ImGui::InputFloat("##video_render_temporal_weight", &s.params.temporal_weight, 0, 0, "%g")) params_changed_ = true;
    });
    s.params.temporal_weight = std::max(0.0f, s.params.temporal_weight);
    ImGui::SameLine();
    ImGui::TextDisabled("0: each frame on its own");
    field("Held to frames", "video_render_temporal_frames",
          [&] { ImGui::InputText("##video_render_temporal_frames", &s.temporal_frames); });
    ImGui::SameLine();
    ImGui::TextDisabled("earlier frames, as offsets");

    // The estimate: the live run's step time (same size, same network) times the steps.
    const int n = range_count(s.video_frames, frames);
    const long steps = s.video_first_steps + static_cast<long>(std::max(0, n - 1)) * s.frame_steps;
    const double ms = c.status().ms_per_step;
    std::string estimate = std::to_string(n) + " frames, " + std::to_string(steps) + " steps";
    if (ms > 0) estimate += ": about " + duration_text(steps * ms / 1000.0) + " at the live run's " +
                            std::to_string(static_cast<int>(ms)) + " ms per step";
    ImGui::TextDisabled("%s", estimate.c_str());
    probe.item("video_render_estimate");

    ImGui::TextUnformatted("Output");
    ImGui::SameLine(170);
    ImGui::SetNextItemWidth(-110);
    if (ImGui::InputText("##video_render_output", &output_.path)) output_.problem.clear();
    probe.item("video_render_output");
    if (ImGui::IsItemActive()) probe.item("video_render_output_active");
    ImGui::SameLine();
    ImGui::BeginDisabled(output_.dialog.busy());
    if (ImGui::Button("Browse...##video_render_browse"))
        output_.dialog.start(DialogKind::Save, "Render the clip to (.mp4, .webm, .mkv or out_%04d.png)", output_.path);
    ImGui::EndDisabled();
    ImGui::TextDisabled("a video (.mp4, .webm, .mkv: the clip's audio is copied) or a frame pattern (out_%%04d.png)");
    if (!output_.problem.empty()) {
        ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1.0f, 0.45f, 0.4f, 1.0f));
        ImGui::TextWrapped("%s", output_.problem.c_str());
        ImGui::PopStyleColor();
        probe.item("video_render_problem");
    }
    ImGui::Spacing();
    if (ImGui::Button("Start##video_render_start")) start(c, render);
    probe.item("video_render_start");
    ImGui::SameLine();
    if (ImGui::Button("Close##video_render_close")) close_ = true;
    probe.item("video_render_close");
    if (std::exchange(params_changed_, false)) {
        ControlActions a;  // the temporal weight travels with the parameters (sessions, commands)
        a.params_changed = true;
        c.apply(a);
    }
}

void VideoRenderPanel::start(Controller& c, RenderPanel& render) {
    const ControlState& s = c.state();
    RenderSetup r;
    r.size = s.applied.size;
    r.steps = s.video_first_steps > 0 ? s.video_first_steps : 300;
    r.output = output_.resolve();
    r.video.on = true;
    r.video.frames = s.video_frames;
    r.video.frame_steps = s.frame_steps;
    r.video.frame_lr = s.frame_lr;
    r.video.temporal_frames = s.temporal_frames;
    r.video.temporal_weight = s.params.temporal_weight;
    output_.problem = render.start_video(c, r);
    if (!output_.problem.empty()) return;
    output_.used(r.output);
    close_ = true;
}

}  // namespace nstv
