#pragma once
// Sessions in the window: the "Session" menu (Open..., Save, Save as..., Type a path...), Ctrl+O /
// Ctrl+S, --session FILE at start, the desktop file dialog (file_dialog.h) or the path field, the
// question when inputs changed since the session was saved, the offer to restore the session of
// a viewer that crashed, and the autosave (autosave.h). Opening checks everything first
// (nst::load_session); a bad file is one message and the session open until then stays as it is.
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "app/options.h"
#include "control/control_state.h"
#include "nst/session.h"
#include "probe/ui_probe.h"
#include "run/frame.h"
#include "session/autosave.h"
#include "session/file_dialog.h"
#include "session/session_io.h"

namespace nstv {

class SessionPanel {
public:
    // Starts the autosave (--autosave-seconds, 0 = off) and looks for crashed viewers' autosaves.
    explicit SessionPanel(const ViewerOptions& o);
    ~SessionPanel();
    SessionPanel(const SessionPanel&) = delete;
    SessionPanel& operator=(const SessionPanel&) = delete;

    // The main menu bar; returns its height (the rest of the window goes below it). `more` draws
    // the other panels' menus after the Session menu.
    float menu_bar(UiProbe& probe, const std::function<void()>& more = {});
    // Ctrl+S (ask = Save as...), Ctrl+O.
    void save(bool ask);
    void open();
    // Per frame, outside other windows: answers of the file dialog, the modals, --session at start,
    // the autosave.
    void draw(const SessionParts& p, UiProbe& probe, ControlActions& a);
    // A clean quit: the last autosave (autosave.json) and the marker goes.
    void quit(const SessionParts& p);
    // What to tell the user since the last call.
    [[nodiscard]] std::vector<Notice> take_messages();

private:
    enum class Want { Open, Save };
    void ask_path(Want want, std::string problem = {});
    void open_file(const std::filesystem::path& file, const SessionParts& p, ControlActions& a);
    void adopt(const SessionParts& p, ControlActions& a);
    void save_file(const std::filesystem::path& file, const SessionParts& p);
    void draw_path_modal(const SessionParts& p, UiProbe& probe, ControlActions& a);
    void draw_changed_modal(const SessionParts& p, UiProbe& probe, ControlActions& a);
    void draw_restore_modal(const SessionParts& p, UiProbe& probe, ControlActions& a);
    void say(Notice::Level level, std::string text) {
        const std::lock_guard lock(mu_);
        messages_.push_back(Notice{level, std::move(text), {}});
    }

    std::filesystem::path file_;  // the open session: where Ctrl+S writes
    std::string startup_;         // --session, opened in the first draw
    bool quick_save_ = false;     // Ctrl+S with a file open

    FileDialog dialog_;
    std::optional<Want> dialog_want_;  // what the running dialog is for
    std::optional<Want> queued_;       // a menu entry or key asked for this, handled in draw()

    // The path field (no desktop dialog, or it failed).
    std::optional<Want> path_want_;
    bool path_popup_opened_ = false;
    std::string path_text_;
    std::string path_problem_;

    // A loaded session waiting for the user's answer about changed inputs.
    std::optional<nst::Session> pending_;
    std::filesystem::path pending_file_;
    std::optional<CrashedRun> pending_crash_;  // the pending session is a crashed run's autosave
    std::vector<std::string> changed_;

    std::vector<CrashedRun> crashed_;  // offered one after the other at start
    std::unique_ptr<Autosave> autosave_;

    // Saving runs on a worker (PNG encoding); one at a time.
    std::jthread writer_;
    bool writing_ = false;  // guarded by mu_

    std::mutex mu_;
    std::vector<Notice> messages_;
};

}  // namespace nstv
