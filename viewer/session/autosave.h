#pragma once
// Autosave: the viewer's whole session written to nst::state_dir() every interval (when something
// changed) and on quit, so a crash or a kill loses at most one interval of work.
//
// Files, all in the state folder, named by process id so two viewers never write each other's:
//   running-<pid>.json    the marker: created at start, removed on a clean quit
//   autosave-<pid>.json   (+ autosave-<pid>_files/) the session while the viewer runs
//   autosave.json         (+ autosave_files/) the last session closed cleanly (written on quit;
//                         the per-pid files then go)
// At launch a marker whose process is gone means that viewer crashed or was killed: its
// autosave-<pid>.json is offered for restoring (find_crashed).
//
// The UI thread decides (tick: has anything changed since the last write?) and hands a copy of
// the session to a worker thread (std::jthread), which encodes the PNGs and writes the files
// (nst::save_session: atomic), so no frame waits for it. No LibTorch, no ImGui here.
#include <chrono>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "nst/session.h"

namespace nstv {

// A viewer that did not quit cleanly and left an autosave.
struct CrashedRun {
    int pid = 0;
    std::filesystem::path marker;   // running-<pid>.json
    std::filesystem::path session;  // autosave-<pid>.json
    std::string when;               // the autosave's time, local ("2026-11-26 10:00:12")
};

// Is `pid` a live process (a viewer; a pid reused by another program counts as gone)?
[[nodiscard]] bool viewer_alive(int pid);

class Autosave {
public:
    using Clock = std::chrono::steady_clock;

    // Creates `dir` and the marker for this process. Failing that (read-only home...), autosave
    // is off and error() says why.
    Autosave(std::filesystem::path dir, std::chrono::milliseconds interval);
    // Waits for a write in flight. The marker stays unless finish() ran (a crash leaves it too).
    ~Autosave();
    Autosave(const Autosave&) = delete;
    Autosave& operator=(const Autosave&) = delete;

    [[nodiscard]] bool enabled() const { return enabled_; }
    [[nodiscard]] const std::string& error() const { return error_; }
    [[nodiscard]] const std::filesystem::path& file() const { return file_; }
    [[nodiscard]] const std::filesystem::path& dir() const { return dir_; }

    // Per frame. When the interval has passed and `fingerprint` (a cheap summary of the state)
    // differs from the one last written, `make()` builds the session and a worker writes it.
    // A write still in flight defers to the next frame.
    template <class Make>
    void tick(Clock::time_point now, const std::string& fingerprint, Make&& make) {
        if (!enabled_ || now < next_ || writing()) return;
        next_ = now + interval_;
        if (fingerprint == written_) return;
        written_ = fingerprint;
        write_async(make());
    }
    // On a clean quit: waits for the worker, writes `session` to autosave.json, removes this
    // process's autosave and its marker.
    void finish(const nst::Session& session);
    // Write failures since the last call (for the window), one line each.
    [[nodiscard]] std::vector<std::string> take_errors();

    // Earlier viewers (markers in `dir` whose process is gone) with an autosave, newest first.
    // Markers of crashed runs without an autosave are removed.
    [[nodiscard]] static std::vector<CrashedRun> find_crashed(const std::filesystem::path& dir);
    // Removes a crashed run's marker, autosave and its folder.
    static void discard(const CrashedRun& run);

private:
    [[nodiscard]] bool writing() const;
    void write_async(nst::Session session);

    std::filesystem::path dir_, file_, marker_;
    std::chrono::milliseconds interval_;
    bool enabled_ = false;
    std::string error_;
    Clock::time_point next_;
    std::string written_;

    mutable std::mutex mu_;
    bool busy_ = false;
    std::vector<std::string> errors_;
    std::jthread worker_;
};

}  // namespace nstv
