#include "session/session_panel.h"

#include <imgui.h>
#include <imgui_stdlib.h>

#include <exception>
#include <system_error>

#include "control/controller.h"
#include "control/run_settings.h"
#include "nst/error.h"
#include "video/clip_frames.h"

namespace nstv {
namespace fs = std::filesystem;
namespace {

constexpr const char* kPathPopup = "Session file##session_path_popup";
constexpr const char* kChangedPopup = "Inputs changed##session_changed_popup";
constexpr const char* kRestorePopup = "Restore##session_restore_popup";

std::string with_json_extension(std::string path) {
    if (!path.empty() && fs::path(path).extension().empty()) path += ".json";
    return path;
}

}  // namespace

SessionPanel::SessionPanel(const ViewerOptions& o) : startup_(o.session) {
    if (o.autosave_seconds > 0) {
        const fs::path dir = nst::state_dir();
        crashed_ = Autosave::find_crashed(dir);
        autosave_ = std::make_unique<Autosave>(
            dir, std::chrono::milliseconds(static_cast<long long>(o.autosave_seconds * 1000.0)));
        if (!autosave_->enabled()) say(Notice::Level::Warning, autosave_->error());
    }
}

SessionPanel::~SessionPanel() {
    if (writer_.joinable()) writer_.join();  // a save in flight completes: no half-written session
}

std::vector<Notice> SessionPanel::take_messages() {
    const std::lock_guard lock(mu_);
    return std::exchange(messages_, {});
}

float SessionPanel::menu_bar(UiProbe& probe, const std::function<void()>& more) {
    float height = 0;
    if (!ImGui::BeginMainMenuBar()) return height;
    height = ImGui::GetWindowSize().y;
    const bool shown = ImGui::BeginMenu("Session##session_menu");
    probe.item("session_menu");
    if (shown) {
        if (ImGui::MenuItem("Open...##session", "Ctrl+O")) open();
        probe.item("session_open");
        if (ImGui::MenuItem("Save##session", "Ctrl+S")) save(false);
        probe.item("session_save");
        if (ImGui::MenuItem("Save as...##session")) save(true);
        probe.item("session_save_as");
        ImGui::Separator();
        if (ImGui::MenuItem("Open a path...##session")) ask_path(Want::Open);
        probe.item("session_open_path");
        if (ImGui::MenuItem("Save to a path...##session")) ask_path(Want::Save);
        probe.item("session_save_path");
        ImGui::EndMenu();
    }
    if (more) more();
    if (!file_.empty()) {
        ImGui::SameLine();
        ImGui::TextDisabled("%s", file_.filename().string().c_str());
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", file_.string().c_str());
    }
    ImGui::EndMainMenuBar();
    return height;
}

void SessionPanel::save(bool ask) {
    if (!ask && !file_.empty()) quick_save_ = true;  // the open session's file, without asking
    else queued_ = Want::Save;
}

void SessionPanel::open() { queued_ = Want::Open; }

void SessionPanel::ask_path(Want want, std::string problem) {
    path_want_ = want;
    path_popup_opened_ = false;
    path_problem_ = std::move(problem);
    if (path_text_.empty()) path_text_ = file_.empty() ? (fs::current_path() / "session.json").string() : file_.string();
}

void SessionPanel::draw(const SessionParts& p, UiProbe& probe, ControlActions& a) {
    if (!startup_.empty()) open_file(std::exchange(startup_, {}), p, a);
    if (std::exchange(quick_save_, false)) save_file(file_, p);
    if (queued_) {
        const Want want = *std::exchange(queued_, std::nullopt);
        if (dialog_.busy()) {
            say(Notice::Level::Info, "a file dialog is already open");
        } else {
            const std::string start = file_.empty() ? fs::current_path().string() + "/" : file_.string();
            dialog_.start(want == Want::Open ? DialogKind::Open : DialogKind::Save,
                          want == Want::Open ? "Open a session (.json) or a clip (video, frame folder)" : "Save the session", start);
            dialog_want_ = want;
        }
    }
    if (auto r = dialog_.poll(); r && dialog_want_) {
        const Want want = *std::exchange(dialog_want_, std::nullopt);
        if (r->status == DialogResult::Status::Chosen) {
            if (want == Want::Open) open_file(r->path, p, a);
            else save_file(with_json_extension(r->path), p);
        } else if (r->status == DialogResult::Status::Failed) {
            // No desktop dialog (or it failed): the path field.
            ask_path(want, r->tool == DialogTool::None ? std::string() : r->detail);
        }
    }
    // One question at a time: a crashed run's session first, then changed inputs, then the path.
    if (!crashed_.empty() && !pending_) draw_restore_modal(p, probe, a);
    else if (pending_) draw_changed_modal(p, probe, a);
    else if (path_want_) draw_path_modal(p, probe, a);

    if (autosave_) {
        autosave_->tick(Autosave::Clock::now(), session_fingerprint(p), [&] { return capture_session(p); });
        for (auto& e : autosave_->take_errors()) say(Notice::Level::Error, std::move(e));
    }
}

void SessionPanel::open_file(const fs::path& file, const SessionParts& p, ControlActions& a) {
    // A clip chosen in the Open dialog becomes the content (the timeline appears); the session
    // open until now stays as it is otherwise.
    if (looks_like_clip(file.string()) && file.extension() != ".json") {
        p.controller.state().content_path = file.string();
        a.retarget = true;
        say(Notice::Level::Info, "opening the clip " + file.filename().string() + " as the content...");
        return;
    }
    try {
        nst::Session s = nst::load_session(file, viewer_defaults());
        pending_file_ = fs::absolute(file);
        changed_ = nst::changed_inputs(s);
        pending_ = std::move(s);
        if (changed_.empty()) adopt(p, a);  // else the question first (draw_changed_modal)
    } catch (const std::exception& e) {
        // Nothing was touched: the session open until now stays open and unchanged.
        say(Notice::Level::Error, std::string("could not open the session: ") + e.what());
        if (pending_crash_) pending_crash_.reset();
    }
}

void SessionPanel::adopt(const SessionParts& p, ControlActions& a) {
    const nst::Session s = std::move(*pending_);
    pending_.reset();
    changed_.clear();
    restore_session(s, p, a);
    if (pending_crash_) {
        // Restored: the crashed run's files have done their job (ours take over from here).
        Autosave::discard(*pending_crash_);
        say(Notice::Level::Info, "session restored from the autosave of " + pending_crash_->when);
        pending_crash_.reset();
    } else {
        file_ = pending_file_;
        say(Notice::Level::Info, "session opened from " + file_.string());
    }
}

void SessionPanel::save_file(const fs::path& file, const SessionParts& p) {
    {
        const std::lock_guard lock(mu_);
        if (writing_) {
            messages_.push_back(Notice{Notice::Level::Info, "still saving the session: try again in a moment", {}});
            return;
        }
        writing_ = true;
    }
    if (writer_.joinable()) writer_.join();
    const fs::path target = fs::absolute(file);
    file_ = target;  // Ctrl+S goes on writing here
    // The copy is taken now (UI thread); the PNGs are encoded and written on the worker.
    writer_ = std::jthread([this, target, s = capture_session(p)] {
        Notice n;
        try {
            nst::save_session(target, s);
            n = Notice{Notice::Level::Info, "session saved to " + target.string(), {}};
        } catch (const std::exception& e) {
            n = Notice{Notice::Level::Error, std::string("could not save the session: ") + e.what(), {}};
        }
        const std::lock_guard lock(mu_);
        messages_.push_back(std::move(n));
        writing_ = false;
    });
}

void SessionPanel::quit(const SessionParts& p) {
    if (writer_.joinable()) writer_.join();
    if (autosave_ && autosave_->enabled()) autosave_->finish(capture_session(p));
}

void SessionPanel::draw_path_modal(const SessionParts& p, UiProbe& probe, ControlActions& a) {
    if (!path_popup_opened_) {
        ImGui::OpenPopup(kPathPopup);
        path_popup_opened_ = true;
    }
    ImGui::SetNextWindowSize(ImVec2(ImGui::GetMainViewport()->Size.x * 0.5f, 0), ImGuiCond_Appearing);
    if (!ImGui::BeginPopupModal(kPathPopup, nullptr, ImGuiWindowFlags_NoSavedSettings)) {
        path_want_.reset();  // closed
        return;
    }
    const Want want = *path_want_;
    ImGui::TextUnformatted(want == Want::Open ? "Open the session file:" : "Save the session to (a .json file):");
    if (!path_problem_.empty()) ImGui::TextColored(ImVec4(1.0f, 0.55f, 0.45f, 1.0f), "%s", path_problem_.c_str());
    ImGui::SetNextItemWidth(-1);
    if (ImGui::IsWindowAppearing()) ImGui::SetKeyboardFocusHere();
    const bool enter = ImGui::InputText("##session_path", &path_text_, ImGuiInputTextFlags_EnterReturnsTrue);
    probe.item("session_path");
    const bool ok = ImGui::Button(want == Want::Open ? "Open##session_path_ok" : "Save##session_path_ok");
    probe.item("session_path_ok");
    ImGui::SameLine();
    const bool cancel = ImGui::Button("Cancel##session_path_cancel");
    probe.item("session_path_cancel");
    if ((enter || ok) && !path_text_.empty()) {
        ImGui::CloseCurrentPopup();
        path_want_.reset();
        if (want == Want::Open) open_file(path_text_, p, a);
        else save_file(with_json_extension(path_text_), p);
    } else if (cancel) {
        ImGui::CloseCurrentPopup();
        path_want_.reset();
    }
    ImGui::EndPopup();
}

void SessionPanel::draw_changed_modal(const SessionParts& p, UiProbe& probe, ControlActions& a) {
    if (!ImGui::IsPopupOpen(kChangedPopup)) ImGui::OpenPopup(kChangedPopup);
    if (!ImGui::BeginPopupModal(kChangedPopup, nullptr, ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoSavedSettings))
        return;
    ImGui::Text("The session %s names input files that changed since it was saved:", pending_file_.filename().string().c_str());
    for (const auto& c : changed_) ImGui::BulletText("%s", c.c_str());
    const bool go = ImGui::Button("Continue with the files as they are now##session_continue");
    probe.item("session_continue");
    ImGui::SameLine();
    const bool cancel = ImGui::Button("Cancel##session_changed_cancel");
    probe.item("session_changed_cancel");
    if (go) {
        ImGui::CloseCurrentPopup();
        adopt(p, a);
    } else if (cancel) {
        ImGui::CloseCurrentPopup();
        pending_.reset();
        pending_crash_.reset();
        changed_.clear();
        say(Notice::Level::Info, "session not opened: the open one stays");
    }
    ImGui::EndPopup();
}

void SessionPanel::draw_restore_modal(const SessionParts& p, UiProbe& probe, ControlActions& a) {
    if (!ImGui::IsPopupOpen(kRestorePopup)) ImGui::OpenPopup(kRestorePopup);
    if (!ImGui::BeginPopupModal(kRestorePopup, nullptr, ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoSavedSettings))
        return;
    const CrashedRun run = crashed_.front();
    ImGui::Text("nst-viewer did not quit cleanly last time.");
    ImGui::Text("Restore the session from %s?", run.when.c_str());
    const bool restore = ImGui::Button("Restore##session_restore");
    probe.item("session_restore");
    ImGui::SameLine();
    const bool discard = ImGui::Button("Discard##session_discard");
    probe.item("session_discard");
    if (restore || discard) {
        ImGui::CloseCurrentPopup();
        crashed_.erase(crashed_.begin());
        if (discard) {
            Autosave::discard(run);
        } else {
            pending_crash_ = run;
            open_file(run.session, p, a);
        }
    }
    ImGui::EndPopup();
}

}  // namespace nstv
