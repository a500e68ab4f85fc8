#include "windows/render_panel.h"

#include <imgui.h>
#include <imgui_stdlib.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "app/widgets.h"
#include "control/controller.h"
#include "gl/screenshots.h"
#include "nst/tiling.h"
#include "probe/ui_probe.h"
#include "run/render_check.h"
#include "run/render_mode.h"  // duration_text

namespace nstv {
namespace {

namespace fs = std::filesystem;

constexpr const char* kPopup = "Render final##render_dialog";
constexpr int kPresets[] = {1024, 2048, 4096};
constexpr int kPresetCount = static_cast<int>(std::size(kPresets));

// The output's size for a long side, as nst::resize_long_side makes it from the content.
std::pair<int, int> output_size(const Sources* src, int long_side) {
    if (!src || src->content.empty()) return {long_side, long_side};
    const double w = src->content.width, h = src->content.height;
    if (w >= h) return {long_side, std::max(1, static_cast<int>(std::lround(long_side * h / w)))};
    return {std::max(1, static_cast<int>(std::lround(long_side * w / h))), long_side};
}

// How far through its steps a render is.
double fraction(const RenderFrame& f) {
    return f.steps <= 0 ? 0.0 : std::clamp(f.steps_done() / static_cast<double>(f.steps), 0.0, 1.0);
}

double since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// "tile 7/16 · step 12/200 · 3 min left": the tile and step under way, the time left (counted
// down from the last estimate by `waited` seconds).
std::string progress_text(const RenderFrame& f, double waited) {
    using Phase = RenderFrame::Phase;
    if (f.phase == Phase::Building)
        return "preparing: building the network and computing the targets" +
               (f.width > 0 ? " at " + std::to_string(f.width) + "x" + std::to_string(f.height) : std::string()) + "...";
    if (f.phase == Phase::Writing) return "writing " + f.path + "...";
    if (f.ended()) return f.message;
    std::string out;
    if (f.video) {
        // A clip: the frame under way (k of n, and its number in the clip), its step, the time left.
        out += "frame " + std::to_string(std::min(f.frames_done + 1, f.frames)) + "/" + std::to_string(f.frames) +
               " (#" + std::to_string(f.frame + 1) + ") · step " + std::to_string(std::min(f.step_in_frame + 1, std::max(1, f.steps_of_frame))) +
               "/" + std::to_string(f.steps_of_frame) + " · ";
        out += f.left_s < 0 ? std::string("estimating the time left") : duration_text(std::max(0.0, f.left_s - waited)) + " left";
        return out;
    }
    if (f.tiles > 0 && f.pass > 0)
        out += "tile " + std::to_string(std::min(f.tile + 1, f.tiles)) + "/" + std::to_string(f.tiles) + " · ";
    out += "step " + std::to_string(std::min(f.step + 1, f.steps)) + "/" + std::to_string(f.steps) + " · ";
    out += f.left_s < 0 ? std::string("estimating the time left") : duration_text(std::max(0.0, f.left_s - waited)) + " left";
    return out;
}

}  // namespace

void RenderPanel::say(Notice::Level level, std::string text) { notices_.push_back(Notice{level, std::move(text), {}}); }

int RenderPanel::chosen_size() const { return size_choice_ < kPresetCount ? kPresets[size_choice_] : custom_size_; }

void RenderPanel::receive(Controller& c) {
    if (const RenderFrame* f = c.poll_render_frame(); f && f->render == id_) {
        progress_ = *f;
        received_at_ = std::chrono::steady_clock::now();
        if (progress_.preview && progress_.preview != uploaded_ && !progress_.preview->empty()) {
            preview_.upload(*progress_.preview);
            uploaded_ = progress_.preview;
        }
        if (progress_.video && progress_.frame_errors && progress_.frame_errors != seen_errors_)
            new_errors_ = seen_errors_ = progress_.frame_errors;
        if (progress_.video && progress_.phase == RenderFrame::Phase::Done && !progress_ended_seen_) {
            ++video_done_;
            video_output_ = progress_.path;
            video_first_ = progress_.first_frame;
            video_frames_ = progress_.frames;
        }
        progress_ended_seen_ = progress_.ended();
        if (progress_.ended()) active_ = false;  // the runner has told (a toast) how it ended
    }
    // Every command handled and nothing rendering, yet no end seen: the optimizer could not even
    // begin (no engine); the live view comes back.
    const RunnerStatus& st = c.status();
    if (active_ && st.render_commands_handled >= commands_sent_ && !st.rendering) active_ = false;
    if (!active_) {
        cancelling_ = false;
        if (uploaded_) {
            uploaded_.reset();
            preview_ = Texture{};  // a print-size preview's memory goes back too
        }
    }
}

void RenderPanel::cancel(Controller& c) {
    if (!active_ || cancelling_) return;
    c.cancel_render();
    ++commands_sent_;
    cancelling_ = true;
}

void RenderPanel::draw(Controller& c, float scale, UiProbe& probe) {
    receive(c);
    output_.poll();
    if (std::exchange(want_open_, false) && !ImGui::IsPopupOpen(kPopup)) {
        // A fresh name each time unless the user chose one.
        output_.offer(fresh_output_path(c.state().screenshot_dir, "nst-render", c.showing_random(), ".png"));
        ImGui::OpenPopup(kPopup);
    }
    dialog_open_ = modal_dialog(kPopup, scale, close_, [&] { draw_setup(c, probe); });
}

void RenderPanel::draw_setup(Controller& c, UiProbe& probe) {
    const auto [w, h] = output_size(c.sources(), chosen_size());
    ImGui::TextWrapped("Renders the current look at print size: a second network continues from the current result, "
                       "upsampled, and the file is written when every step is done. The live run waits meanwhile.");
    ImGui::Spacing();
    ImGui::TextUnformatted("Long side");
    for (int i = 0; i <= kPresetCount; ++i) {
        ImGui::SameLine();
        const std::string label = i < kPresetCount ? std::to_string(kPresets[i]) + "##render_size" + std::to_string(i)
                                                   : std::string("other##render_size_other");
        if (ImGui::RadioButton(label.c_str(), size_choice_ == i)) size_choice_ = i;
        const std::string name = i < kPresetCount ? "render_size_" + std::to_string(kPresets[i]) : "render_size_other";
        probe.item(name.c_str());
    }
    ImGui::SameLine();
    ImGui::SetNextItemWidth(90);
    if (ImGui::InputInt("##render_custom", &custom_size_, 0, 0)) size_choice_ = kPresetCount;
    probe.item("render_custom");
    if (ImGui::IsItemActive()) probe.item("render_custom_active");
    custom_size_ = std::clamp(custom_size_, kMinRenderSize, kMaxRenderSize);
    ImGui::SameLine();
    ImGui::TextDisabled("px  ->  %d x %d", w, h);

    ImGui::TextUnformatted("Steps    ");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(90);
    ImGui::InputInt("##render_steps", &steps_, 0, 0);
    probe.item("render_steps");
    if (ImGui::IsItemActive()) probe.item("render_steps_active");
    steps_ = std::clamp(steps_, 1, kMaxRenderSteps);

    ImGui::TextUnformatted("Tiles    ");
    ImGui::SameLine();
    if (ImGui::RadioButton("by memory##render_tile_auto", auto_tile_)) auto_tile_ = true;
    probe.item("render_tile_auto");
    ImGui::SameLine();
    if (ImGui::RadioButton("of##render_tile_fixed", !auto_tile_)) auto_tile_ = false;
    probe.item("render_tile_fixed");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(90);
    if (ImGui::InputInt("##render_tile", &tile_, 0, 0)) auto_tile_ = false;
    probe.item("render_tile");
    if (ImGui::IsItemActive()) probe.item("render_tile_active");
    tile_ = std::clamp(tile_, kMinRenderSize, kMaxRenderSize);
    ImGui::SameLine();
    ImGui::TextDisabled("px");
    // What one step costs (the CLI's estimate, tiling.h): why tiles, and how many.
    {
        const nst::Params p = c.state().snapshot();
        const nst::Precision prec = c.state().applied.options.precision;
        const std::uint64_t whole = nst::estimate_step_bytes(w, h, 0, p, prec);
        std::string note = "one untiled step needs about " + nst::format_memory(whole);
        if (auto_tile_) {
            note += "; tiles are chosen to fit in 3/4 of the free memory";
        } else {
            const nst::TilePlan plan = nst::plan_tiles(w, h, tile_, p);
            if (plan.tiled())
                note += "; " + std::to_string(plan.count()) + " tiles of " + std::to_string(plan.tile) + " px (+" +
                        std::to_string(plan.halo) + " px halo) need about " +
                        nst::format_memory(nst::estimate_step_bytes(w, h, plan.tile, p, prec));
            else
                note += "; the image fits in one tile";
        }
        ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
        ImGui::TextWrapped("%s", note.c_str());
        ImGui::PopStyleColor();
    }

    ImGui::TextUnformatted("Output   ");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(-110);
    if (ImGui::InputText("##render_output", &output_.path)) output_.problem.clear();
    probe.item("render_output");
    if (ImGui::IsItemActive()) probe.item("render_output_active");
    ImGui::SameLine();
    ImGui::BeginDisabled(output_.dialog.busy());
    if (ImGui::Button("Browse...##render_browse"))
        output_.dialog.start(DialogKind::Save, "Render to (.png or .jpg)", output_.path);
    probe.item("render_browse");
    ImGui::EndDisabled();
    if (std::error_code ec; !output_.path.empty() && fs::exists(output_.path, ec) && !fs::is_directory(output_.path, ec))
        ImGui::TextColored(ImVec4(1.0f, 0.8f, 0.35f, 1), "this file exists: the render will replace it");

    if (!output_.problem.empty()) {
        ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1.0f, 0.45f, 0.4f, 1.0f));
        ImGui::TextWrapped("%s", output_.problem.c_str());
        ImGui::PopStyleColor();
        probe.item("render_problem");
    }
    ImGui::Spacing();
    if (ImGui::Button("Start##render_start")) start(c);
    probe.item("render_start");
    ImGui::SameLine();
    if (ImGui::Button("Close##render_close")) close_ = true;
    probe.item("render_close");
}

void RenderPanel::start(Controller& c) {
    RenderSetup r;
    r.size = chosen_size();
    r.steps = steps_;
    r.tile = auto_tile_ ? 0 : tile_;
    r.output = output_.resolve();
    std::string why;
    if (active_ || c.status().rendering) why = "a render is already running: cancel it first";
    else if (!c.status().ready) why = "the run has no image yet: render once the first one shows";
    else why = render_setup_problem(r);
    if (!why.empty()) {
        // Nothing starts: one message, in the dialog (which stays open to fix it) and on stderr.
        output_.problem = why;
        say(Notice::Level::Error, "render not started: " + why);
        return;
    }
    output_.problem.clear();
    output_.used(r.output);
    begin(c, r);
    close_ = true;
}

std::string RenderPanel::start_video(Controller& c, const RenderSetup& r) {
    std::string why;
    if (active_ || c.status().rendering) why = "a render is already running: cancel it first";
    else if (!c.status().ready) why = "the run has no image yet: render once the first one shows";
    else if (c.clip_frames() <= 0) why = "the content is not a clip: open a video first";
    else why = video_render_problem(r, c.clip_frames());
    if (!why.empty()) {
        say(Notice::Level::Error, "video render not started: " + why);
        return why;
    }
    begin(c, r);
    return {};
}

void RenderPanel::begin(Controller& c, const RenderSetup& r) {
    id_ = c.start_render(r);
    ++commands_sent_;
    active_ = true;
    cancelling_ = false;
    progress_ = RenderFrame{};
    progress_ended_seen_ = false;
    progress_.render = id_;
    progress_.path = r.output;
    progress_.steps = r.steps;
    progress_.video = r.video.on;
    started_at_ = received_at_ = std::chrono::steady_clock::now();
}

void RenderPanel::draw_view(Controller& c, UiProbe& probe) {
    const ImGuiStyle& st = ImGui::GetStyle();
    // Header: what is being made, and Cancel at the right.
    const char* kCancel = "Cancel [Esc]##render_cancel";
    const float cancel_w = ImGui::CalcTextSize("Cancel [Esc]").x + 2 * st.FramePadding.x;
    const char* what = progress_.video ? "Render video" : "Render final";
    if (progress_.width > 0)
        ImGui::Text("%s  %d x %d  ->  %s", what, progress_.width, progress_.height, progress_.path.c_str());
    else
        ImGui::Text("%s  ->  %s", what, progress_.path.c_str());
    ImGui::SameLine(std::max(ImGui::GetCursorPosX(), ImGui::GetWindowContentRegionMax().x - cancel_w));
    ImGui::BeginDisabled(cancelling_);
    if (ImGui::Button(kCancel)) cancel(c);
    probe.item("render_cancel");
    ImGui::EndDisabled();

    const std::string text =
        cancelling_ ? (progress_.video ? "cancelling: stopping after this step (finished frames are kept)..." : "cancelling: stopping at the end of this tile...") : progress_text(progress_, since(received_at_));
    ImGui::ProgressBar(static_cast<float>(fraction(progress_)), ImVec2(-1, 0), text.c_str());
    probe.item("render_progress");
    // The details: which pass, speed, time so far, the tiling.
    std::string detail;
    if (progress_.phase == RenderFrame::Phase::Stepping) {
        if (progress_.tiles > 0)
            detail = progress_.pass == 1 ? "pass 1 of 2: style statistics (no gradients) · "
                                         : progress_.pass == 2 ? "pass 2 of 2: gradients · " : "";
        if (progress_.ms_per_step > 0) {
            char buf[48];
            std::snprintf(buf, sizeof buf, "%.1f s/step · ", progress_.ms_per_step / 1000.0);
            detail += buf;
        }
        detail += duration_text(since(started_at_)) + " so far · ";
        if (progress_.video) {
            const auto& e = progress_.frame_errors;
            detail += std::to_string(progress_.frames_done) + " frames finished" +
                      (e && !e->empty() ? " · last warping error " + std::to_string(e->rbegin()->second).substr(0, 6) : std::string());
        } else {
            detail += progress_.tile_size > 0 ? std::to_string(progress_.tiles) + " tiles of " +
                                                    std::to_string(progress_.tile_size) + " px"
                                              : std::string("untiled");
        }
    }
    ImGui::TextDisabled("%s", detail.c_str());

    // The preview, fitted to what is left above the footer line (the banner above says when the
    // features are untrained, as for the live view).
    const float footer = ImGui::GetTextLineHeightWithSpacing();
    const ImVec2 avail = ImGui::GetContentRegionAvail();
    const ImVec2 area(avail.x, std::max(1.0f, avail.y - footer));
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddRectFilled(origin, ImVec2(origin.x + area.x, origin.y + area.y), IM_COL32(20, 20, 23, 255));
    if (!preview_.empty()) {
        const float s = std::min(area.x / preview_.width(), area.y / preview_.height());
        const ImVec2 size(preview_.width() * s, preview_.height() * s);
        const ImVec2 a(origin.x + (area.x - size.x) / 2, origin.y + (area.y - size.y) / 2);
        dl->AddImage(preview_.imgui_id(), a, ImVec2(a.x + size.x, a.y + size.y));
        probe.rect("render_preview", a.x, a.y, a.x + size.x, a.y + size.y);
    } else {
        const char* wait = "the preview appears after the first step";
        const ImVec2 ts = ImGui::CalcTextSize(wait);
        dl->AddText(ImVec2(origin.x + (area.x - ts.x) / 2, origin.y + (area.y - ts.y) / 2),
                    ImGui::GetColorU32(ImGuiCol_TextDisabled), wait);
    }
    ImGui::Dummy(area);
    ImGui::TextDisabled("preview %dx%d · the live run waits at step %ld and carries on when the render ends",
                        preview_.width(), preview_.height(), c.status().steps);
}

}  // namespace nstv
