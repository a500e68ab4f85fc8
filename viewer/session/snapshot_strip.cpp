#include "session/snapshot_strip.h"

#include <imgui.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string_view>

#include "control/controller.h"
#include "control/run_settings.h"
#include "gl/screenshots.h"
#include "paint/paint_panel.h"
#include "run/json_log.h"
#include "session/copy_command.h"

namespace nstv {
namespace {

std::string short_number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

constexpr float kThumb = 64.0f;  // thumbnail height (unscaled pixels)

bool untrained(const nst::Snapshot& s) { return !s.settings.features.empty(); }

// The painted regions as a snapshot records them: each one's style and weight (the masks belong
// to the session's files, not to the snapshot).
void add_regions(nst::RunSettings& s, const nst::SpatialControl& spatial) {
    for (std::size_t i = 0; i < spatial.regions.size(); ++i)
        s.regions.push_back(nst::RegionSpec{"region" + std::to_string(i + 1) + ".png", spatial.regions[i].style,
                                            spatial.regions[i].weight});
    if (!spatial.content_map.empty()) s.content_map = "content.png";
}

}  // namespace

float SnapshotStrip::height() const {
    const ImGuiStyle& st = ImGui::GetStyle();
    const float row = ImGui::GetFrameHeightWithSpacing();
    if (model_.all().empty()) return row + st.ItemSpacing.y;
    return row + kThumb + 2 * ImGui::GetTextLineHeightWithSpacing() + 2 * st.FramePadding.y + st.ScrollbarSize +
           3 * st.ItemSpacing.y;
}

std::string SnapshotStrip::label(int i) const {
    char buf[96];
    if (i < 0 || i >= static_cast<int>(model_.all().size())) {
        std::snprintf(buf, sizeof buf, "live, step %ld%s", live_step_, live_random_ ? " (untrained features)" : "");
    } else {
        const nst::Snapshot& s = model_.all()[static_cast<std::size_t>(i)];
        std::snprintf(buf, sizeof buf, "snapshot %d, step %d%s", i + 1, s.step, untrained(s) ? " (untrained features)" : "");
    }
    return buf;
}

std::optional<ImageView::Compare> SnapshotStrip::compare(const Texture& live) const {
    const int n = static_cast<int>(thumbs_.size());
    if (shown_ >= n || other_ >= n || (shown_ < 0 && other_ < 0)) return std::nullopt;
    ImageView::Compare c;
    c.a = shown_ >= 0 ? &thumbs_[static_cast<std::size_t>(shown_)] : &live;
    c.label_a = label(shown_);
    if (other_ >= 0) {
        c.b = &thumbs_[static_cast<std::size_t>(other_)];
        c.label_b = label(other_);
    }
    return c;
}

void SnapshotStrip::sync_textures() {
    if (seen_ == model_.version()) return;
    seen_ = model_.version();
    const auto& all = model_.all();
    thumbs_.resize(all.size());
    for (std::size_t i = 0; i < all.size(); ++i) thumbs_[i].upload(rgba8_of(all[i].image));
    // A session opened with fewer snapshots: back to live rather than pointing past the end.
    const int n = static_cast<int>(all.size());
    if (shown_ >= n) shown_ = -1;
    if (other_ >= n) other_ = -1;
}

void SnapshotStrip::draw(ImageView& view, UiProbe& probe) {
    sync_textures();
    const int n = static_cast<int>(thumbs_.size());
    ImGui::PushID("snapshots");
    if (ImGui::Button("Keep [K]")) keep_ = true;
    probe.item("snapshot_keep");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Keep the current result with every parameter, its step and losses");
    ImGui::SameLine();
    if (ImGui::Button("Copy as command")) copy_ = true;
    probe.item("snapshot_copy_command");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Copy the nst command line that reproduces this result");
    if (shown_ >= 0 || other_ >= 0) {
        ImGui::SameLine();
        if (ImGui::Button("Live##snap")) shown_ = other_ = -1;
        probe.item("snapshot_live");
    }
    if (shown_ >= 0 && shown_ < n) {
        if (other_ < 0) {
            ImGui::SameLine();
            const bool vs_live = ImGui::Button("vs live");
            probe.item("snapshot_compare_live");
            if (ImGui::IsItemHovered()) ImGui::SetTooltip("Compare this snapshot with the live result");
            if (vs_live) {
                other_ = shown_;
                shown_ = -1;
                if (view.mode() == ViewMode::Result) view.set_mode(ViewMode::SideBySide);
            }
        }
        ImGui::SameLine();
        if (ImGui::Button("Delete##snap")) delete_ = shown_;
        probe.item("snapshot_delete");
        ImGui::SameLine();
        ImGui::TextDisabled("|");
        ImGui::SameLine();
        if (ImGui::Button("Restore")) restore_ = shown_;
        probe.item("snapshot_restore");
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("Put this snapshot's parameters back");
        // Last: the widest, and the one that may be clipped in a narrow window.
        ImGui::SameLine();
        ImGui::Checkbox("also its image as the new start", &restore_image_);
        probe.item("snapshot_restore_image");
    } else if (n == 0) {
        ImGui::SameLine();
        ImGui::TextDisabled("K keeps the current result here; click one to show it, ctrl+click a second to compare");
    }
    if (other_ >= 0 && other_ < n) {
        // Last on the row: it may be clipped, the buttons may not.
        ImGui::SameLine();
        if (shown_ >= 0) ImGui::TextDisabled("| A: #%d  B: #%d", shown_ + 1, other_ + 1);
        else ImGui::TextDisabled("| A: live  B: #%d", other_ + 1);
        probe.item("snapshot_comparing");
    }
    if (n > 0) {
        const ImVec2 avail = ImGui::GetContentRegionAvail();
        ImGui::BeginChild("strip", ImVec2(avail.x, avail.y), false, ImGuiWindowFlags_HorizontalScrollbar);
        const bool ctrl = ImGui::GetIO().KeyCtrl;
        for (int i = 0; i < n; ++i) {
            const Texture& t = thumbs_[static_cast<std::size_t>(i)];
            const nst::Snapshot& s = model_.all()[static_cast<std::size_t>(i)];
            const float w = t.height() > 0 ? kThumb * static_cast<float>(t.width()) / static_cast<float>(t.height()) : kThumb;
            if (i) ImGui::SameLine();
            ImGui::BeginGroup();
            ImGui::PushID(i);
            // A (shown) in blue, B (compared) in orange.
            const ImVec4 border = i == shown_ ? ImVec4(0.35f, 0.6f, 1.0f, 1.0f)
                                  : i == other_ ? ImVec4(1.0f, 0.6f, 0.2f, 1.0f)
                                                : ImVec4(0, 0, 0, 0);
            ImGui::PushStyleColor(ImGuiCol_Button, border);
            const bool clicked = ImGui::ImageButton(t.imgui_id(), ImVec2(w, kThumb));
            ImGui::PopStyleColor();
            char name[32];
            std::snprintf(name, sizeof name, "snapshot_thumb_%d", i);
            probe.item(name);
            if (ImGui::IsItemHovered())
                ImGui::SetTooltip("%s\nclick: show it, ctrl+click: compare with the one shown", label(i).c_str());
            if (clicked) {
                if (ctrl && i != shown_) {
                    other_ = i;  // compared with what is shown (the live result when none is)
                    if (view.mode() == ViewMode::Result) view.set_mode(ViewMode::SideBySide);
                } else if (!ctrl) {
                    const bool again = i == shown_ && other_ < 0;
                    shown_ = again ? -1 : i;
                    other_ = -1;
                }
            }
            ImGui::Text("#%d step %d", i + 1, s.step);
            ImGui::TextDisabled("loss %.3g%s", s.losses.total, untrained(s) ? ", untrained" : "");
            ImGui::PopID();
            ImGui::EndGroup();
        }
        ImGui::EndChild();
    }
    draw_popup();
    ImGui::PopID();
    mode_ = view_mode_name(view.mode());
}

void SnapshotStrip::draw_popup() {
    if (open_popup_) {
        ImGui::OpenPopup("Copy as command");
        open_popup_ = false;
    }
    ImGui::SetNextWindowSize(ImVec2(640, 0), ImGuiCond_Appearing);
    if (!ImGui::BeginPopupModal("Copy as command", nullptr)) return;
    ImGui::TextWrapped("Copied to the clipboard. Running it renders this result with nst:");
    // Read-only but selectable: the text can be copied again by hand.
    ImGui::InputTextMultiline("##command", command_.data(), command_.size() + 1,
                              ImVec2(-1, ImGui::GetTextLineHeight() * 8), ImGuiInputTextFlags_ReadOnly);
    for (const auto& note : command_notes_) ImGui::TextWrapped("%s", note.c_str());
    if (ImGui::Button("Copy again")) ImGui::SetClipboardText(command_.c_str());
    ImGui::SameLine();
    if (ImGui::Button("Close##command") || ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape)))
        ImGui::CloseCurrentPopup();
    ImGui::EndPopup();
}

void SnapshotStrip::apply(Controller& controller, const PaintPanel& paint, Snapshots& model, const ViewerOptions& o,
                          JsonLog* log) {
    if (const Frame* f = controller.frame()) {
        live_step_ = f->step;
        live_random_ = f->sources ? f->sources->random_features : controller.showing_random();
    }
    // What the view shows, for the log (tests and a record of what was looked at).
    const bool mode_moved = (shown_ >= 0 || other_ >= 0) && std::string_view(mode_) != logged_mode_;
    if (log && (shown_ != logged_shown_ || other_ != logged_other_ || mode_moved)) {
        log->event("snapshot_view", {{"a", shown_}, {"b", other_}, {"mode", mode_}});
        logged_shown_ = shown_;
        logged_other_ = other_;
        logged_mode_ = mode_;
    }
    if (std::exchange(keep_, false)) keep(controller, paint, model, o, log);
    if (std::exchange(copy_, false)) copy_command(controller, paint, o, log);
    if (const int i = std::exchange(restore_, -1); i >= 0 && i < static_cast<int>(model.all().size())) {
        const nst::Snapshot& s = model.all()[static_cast<std::size_t>(i)];
        controller.adopt_settings(s.settings, restore_image_ ? &s.image : nullptr, s.frame);
        if (log)
            log->event("snapshot_restore", {{"index", i},
                                            {"at_step", s.step},
                                            {"image", restore_image_},
                                            {"style_weight", s.settings.params.style_weight}});
        // Painted regions are the paint panel's: their masks stay as they are now.
        if (!s.settings.regions.empty() || !paint.layers().spatial().empty())
            say(Notice::Level::Info, "the painted regions are kept as they are now (restore sets the parameters)");
        shown_ = other_ = -1;  // back to live, to watch the restored run
    }
    if (const int i = std::exchange(delete_, -1); i >= 0 && i < static_cast<int>(model.all().size())) {
        model.remove(static_cast<std::size_t>(i));
        // Indices after it move down by one.
        const auto shift = [i](int& k) { k = k == i ? -1 : k > i ? k - 1 : k; };
        shift(shown_);
        shift(other_);
        if (log) log->event("snapshot_delete", {{"index", i}, {"count", model.all().size()}});
    }
}

void SnapshotStrip::keep(Controller& controller, const PaintPanel& paint, Snapshots& model, const ViewerOptions& o,
                         JsonLog* log) {
    const Frame* f = controller.frame();
    if (!f || f->image.empty()) {
        say(Notice::Level::Info, "nothing to keep yet: the first image is still being prepared");
        return;
    }
    nst::Snapshot s;
    s.image = image_of(f->image);
    s.step = static_cast<int>(f->step);
    s.losses = nst::Losses{f->losses.content, f->losses.style, f->losses.tv, f->losses.total};
    s.settings = settings_of(controller.state(), o, s.step);
    if (f->sources && !f->sources->video.empty()) s.frame = f->sources->frame;  // the clip's frame it shows
    add_regions(s.settings, paint.layers().spatial());
    s.taken = nst::utc_timestamp();
    const bool random = untrained(s);
    model.add(std::move(s));
    const nst::Snapshot& kept = model.all().back();
    if (log)
        log->event("snapshot", {{"index", model.all().size() - 1},
                                {"at_step", kept.step},
                                {"total", kept.losses.total},
                                {"style_weight", kept.settings.params.style_weight},
                                {"untrained", random}});
    char msg[96];
    std::snprintf(msg, sizeof msg, "kept snapshot %zu (step %d)", model.all().size(), kept.step);
    say(Notice::Level::Info, msg);
}

void SnapshotStrip::copy_command(Controller& controller, const PaintPanel& paint, const ViewerOptions& o, JsonLog* log) {
    const Frame* f = controller.frame();
    const long step = f ? f->step : 0;
    const ControlState& state = controller.state();
    const std::string stem = timestamped_name("nst-command");
    const std::filesystem::path dir = absolute_path(state.screenshot_dir);
    nst::RunSettings s = settings_of(state, o, static_cast<int>(step));
    command_notes_.clear();
    try {
        s = with_mask_files(std::move(s), paint.layers().spatial(), dir / stem);
    } catch (const std::exception& e) {
        say(Notice::Level::Error, std::string("copy as command: cannot save the region masks: ") + e.what());
        return;
    }
    if (!s.regions.empty() || !s.content_map.empty())
        command_notes_.push_back("The painted masks were saved to " + (dir / stem).string() + ".");
    const Schedule sched = nst_schedule(s.size, s.scales, s.coarse_steps, s.steps);
    if (!sched.exact) command_notes_.push_back("No step has run yet: the command runs one.");
    if (sched.scales < s.scales)
        command_notes_.push_back("The run is still at a coarse level: the command stops at that level's size.");
    if (!s.features.empty()) command_notes_.push_back("Untrained (random) features, as the viewer runs them.");
    std::string output = (dir / (stem + ".png")).string();
    if (!s.video.empty()) {
        // A clip: the line that renders it with this look (nst --video), every frame or the
        // "Render video..." range, the first frame with the steps reached here.
        output = (dir / (stem + ".mp4")).string();
        command_notes_.push_back("It renders the clip (frames " + (s.frames.empty() ? std::string("all") : s.frames) +
                                 ") with this look and a temporal weight of " + short_number(s.params.temporal_weight) +
                                 "; the frame shown here is not a flag.");
    } else {
        command_notes_.push_back("It reproduces the result when the parameters did not change during the run.");
    }
    command_ = shell_join(command_words(s, output));
    ImGui::SetClipboardText(command_.c_str());
    open_popup_ = true;
    // Also where logs and tests can read it (the clipboard may be no one's).
    std::fprintf(stderr, "nst-viewer: copied command: %s\n", command_.c_str());
    if (log) log->event("copy_command", {{"command", command_}, {"at_step", step}});
}

}  // namespace nstv
