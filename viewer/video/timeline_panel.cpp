#include "video/timeline_panel.h"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "probe/ui_probe.h"
#include "video/clip_frames.h"

namespace nstv {

float TimelinePanel::height(const Sources* sources) const {
    if (!sources || sources->video.empty()) return 0;
    return ImGui::GetFrameHeightWithSpacing() + 26.0f + 2 * ImGui::GetStyle().ItemSpacing.y;
}

void TimelinePanel::set_rendered(const std::string& output, int first_frame, int frames) {
    rendered_ = output;
    rendered_first_ = first_frame;
    rendered_count_ = frames;
    if (playback_.on()) playback_.close();
}

const ImageView::Compare* TimelinePanel::playback_view(const Sources* sources) {
    if (!sources || sources->video.empty()) {
        if (playback_.on()) playback_.close();
        return nullptr;
    }
    playback_.update();
    return playback_.on() ? playback_.view() : nullptr;
}

void TimelinePanel::set_errors(const std::string& clip, std::map<int, double> errors) {
    errors_clip_ = clip;
    errors_ = std::move(errors);
}

int TimelinePanel::stepped(const ControlState& state, const Sources* sources, int delta) {
    const int frames = sources && !sources->video.empty() ? sources->frames : 0;
    if (frames <= 0) return -1;
    return std::clamp(state.frame + delta, 0, frames - 1);
}

void TimelinePanel::follow(const Sources* sources) {
    // The scan follows the clip that runs (a new one starts it again).
    const std::string clip = sources ? sources->video : std::string();
    if (clip != scanner_.path()) {
        if (clip.empty()) scanner_.stop();
        else scanner_.start(clip);
        scan_ = ClipScan::Result{};
        if (clip != errors_clip_) errors_.clear();
    }
    if (!clip.empty()) scanner_.poll(scan_);
}

void TimelinePanel::draw(const Sources* sources, const ControlState& state, UiProbe& probe, ControlActions& a) {
    follow(sources);
    if (!sources || sources->video.empty()) return;
    const int frames = std::max(1, sources->frames);
    const bool playing_back = playback_.on();
    const int cursor = std::clamp(playing_back && playback_.frame() >= 0 ? playback_.frame() : state.frame, 0, frames - 1);
    // In playback the timeline moves the playback, not the live run.
    const auto go = [&](int frame) {
        if (playing_back) playback_.seek(frame);
        else a.goto_frame = frame;
    };

    // Row 1: step buttons, where the cursor is, what the run shows, the scan's state.
    if (ImGui::ArrowButton("##timeline_prev", ImGuiDir_Left)) go(std::max(0, cursor - 1));
    probe.item("timeline_prev");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("previous frame (,)  Shift: 10 frames back");
    ImGui::SameLine();
    if (ImGui::ArrowButton("##timeline_next", ImGuiDir_Right)) go(std::min(frames - 1, cursor + 1));
    probe.item("timeline_next");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("next frame (.)  Shift: 10 frames on; Home / End: first / last");
    ImGui::SameLine();
    char text[160];
    std::snprintf(text, sizeof text, "frame %d / %d  %s", cursor + 1, frames, time_code(cursor, sources->fps).c_str());
    ImGui::TextUnformatted(text);
    probe.item("timeline_frame");
    ImGui::SameLine();
    // Playback of the last render beside the content (the view modes: side by side or split).
    ImGui::BeginDisabled(rendered_.empty());
    if (ImGui::Button(playing_back ? "Live##timeline_playback" : "Rendered##timeline_playback")) {
        if (playing_back) playback_.close();
        else playback_.open(rendered_, rendered_first_, rendered_count_, sources->video, sources->fps, cursor);
    }
    probe.item("timeline_playback");
    if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled))
        ImGui::SetTooltip(rendered_.empty() ? "render the clip first (Render > Render video...)"
                          : playing_back    ? "back to the live run"
                                            : "the rendered frames beside the content (V: side by side or split)");
    ImGui::EndDisabled();
    if (playing_back) {
        ImGui::SameLine();
        if (ImGui::Button(playback_.playing() ? "Pause##timeline_play" : "Play##timeline_play")) playback_.toggle_play();
        probe.item("timeline_play");
    }
    ImGui::SameLine();
    std::string note;
    if (playing_back && !playback_.error().empty()) note = "playback: " + playback_.error() + " · ";
    if (playing_back) note += "playing back the render (frames " + std::to_string(playback_.first_frame() + 1) + "-" +
                              std::to_string(playback_.last_frame() + 1) + ")";
    else if (sources->frame != cursor) note = "moving to the frame...";
    else if (sources->carried == "warped") note = "carried over by the flow";
    else if (sources->carried == "content") note = "started from its content";
    if (!scan_.error.empty()) note += (note.empty() ? "" : " · ") + std::string("cuts unknown: ") + scan_.error;
    else if (!scan_.done() && scan_.frames > 0)
        note += (note.empty() ? "" : " · ") + std::string("finding cuts ") + std::to_string(scan_.scanned) + "/" +
                std::to_string(scan_.frames);
    else if (scan_.done())
        note += (note.empty() ? "" : " · ") + std::to_string(scan_.cuts.size()) + (scan_.cuts.size() == 1 ? " cut" : " cuts");
    if (!errors_.empty()) {
        double sum = 0;
        for (const auto& [k, e] : errors_) sum += e;
        char buf[64];
        std::snprintf(buf, sizeof buf, " · warping error %.4f (mean of %zu)", sum / errors_.size(), errors_.size());
        note += buf;
    }
    ImGui::TextDisabled("%s", note.c_str());

    // Row 2: the bar. Click or drag to scrub; marks for cuts (red) and rendered frames' errors.
    const float w = std::max(40.0f, ImGui::GetContentRegionAvail().x);
    const float h = 26.0f;
    const ImVec2 p0 = ImGui::GetCursorScreenPos();
    ImGui::InvisibleButton("##timeline", ImVec2(w, h));
    probe.item("timeline");
    const auto frame_at = [&](float x) {
        const float f = (x - p0.x) / w * frames;
        return std::clamp(static_cast<int>(std::floor(f)), 0, frames - 1);
    };
    if (ImGui::IsItemActive()) {
        const int want = frame_at(ImGui::GetIO().MousePos.x);
        if (want != cursor) go(want);
    }
    if (ImGui::IsItemHovered()) {
        const int at = frame_at(ImGui::GetIO().MousePos.x);
        const auto e = errors_.find(at);
        if (e != errors_.end())
            ImGui::SetTooltip("frame %d  %s\nwarping error %.4f", at + 1, time_code(at, sources->fps).c_str(), e->second);
        else
            ImGui::SetTooltip("frame %d  %s", at + 1, time_code(at, sources->fps).c_str());
    }
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 p1(p0.x + w, p0.y + h);
    dl->AddRectFilled(p0, p1, IM_COL32(40, 40, 46, 255), 3.0f);
    const auto x_of = [&](int k) { return p0.x + (k + 0.5f) * w / frames; };
    if (scan_.frames > 0 && !scan_.done())  // how far the scan got
        dl->AddRectFilled(p0, ImVec2(p0.x + w * scan_.scanned / std::max(1, scan_.frames), p0.y + 3), IM_COL32(90, 90, 110, 255));
    if (!errors_.empty()) {
        double top = 0;
        for (const auto& [k, e] : errors_) top = std::max(top, e);
        const float bw = std::max(1.0f, w / frames - 1.0f);
        for (const auto& [k, e] : errors_) {
            const float bh = top > 0 ? static_cast<float>(e / top) * (h - 6) : 0.0f;
            const float x = x_of(k);
            dl->AddRectFilled(ImVec2(x - bw / 2, p1.y - 2 - bh), ImVec2(x + bw / 2, p1.y - 2), IM_COL32(90, 160, 230, 200));
        }
    }
    for (const int c : scan_.cuts) {
        const float x = p0.x + c * w / frames;
        dl->AddLine(ImVec2(x, p0.y), ImVec2(x, p1.y), IM_COL32(230, 70, 60, 255), 2.0f);
    }
    if (!playing_back && sources->frame != cursor)  // where the run still is while it moves
        dl->AddLine(ImVec2(x_of(sources->frame), p0.y), ImVec2(x_of(sources->frame), p1.y), IM_COL32(160, 160, 160, 160), 1.0f);
    dl->AddLine(ImVec2(x_of(cursor), p0.y - 1), ImVec2(x_of(cursor), p1.y + 1), IM_COL32(255, 255, 255, 255), 2.0f);
    probe.rect("timeline_cursor", x_of(cursor) - 1, p0.y, x_of(cursor) + 1, p1.y);
}

}  // namespace nstv
