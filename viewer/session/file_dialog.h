#pragma once
// The desktop's own file dialog, found at run time, for opening and saving sessions: the XDG
// desktop portal (org.freedesktop.portal.FileChooser, spoken to through `gdbus` when a portal
// answers on the session bus), else `zenity`, else `kdialog` from PATH. No library is linked for
// any of them: a desktop without them still runs the viewer, which then offers its path field.
// The dialog is a child process run on a worker thread (std::jthread), so the window keeps
// drawing; the answer comes back through poll() on the UI thread. No ImGui, no LibTorch here.
#include <filesystem>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

namespace nstv {

enum class DialogTool { None, Portal, Zenity, Kdialog };
enum class DialogKind { Open, Save };

[[nodiscard]] const char* dialog_tool_name(DialogTool t);

// `name`'s executable in the colon-separated `path_env` (as PATH), if any.
[[nodiscard]] std::optional<std::filesystem::path> find_on_path(const std::string& name, const std::string& path_env);

// Which dialog to use. `forced` (NST_FILE_DIALOG: auto, portal, zenity, kdialog, none; empty =
// auto) picks one; auto takes the portal when `portal_answers()` says a portal service is on the
// session bus (only asked when gdbus is on PATH), else zenity, else kdialog, else none. A forced
// tool that is not on PATH is none: the path field.
template <class PortalProbe>
[[nodiscard]] DialogTool choose_dialog_tool(const std::string& path_env, const std::string& forced, PortalProbe&& portal_answers) {
    const auto has = [&](const char* n) { return find_on_path(n, path_env).has_value(); };
    if (forced == "none") return DialogTool::None;
    if (forced == "zenity") return has("zenity") ? DialogTool::Zenity : DialogTool::None;
    if (forced == "kdialog") return has("kdialog") ? DialogTool::Kdialog : DialogTool::None;
    if (forced == "portal") return has("gdbus") && portal_answers() ? DialogTool::Portal : DialogTool::None;
    if (has("gdbus") && portal_answers()) return DialogTool::Portal;
    if (has("zenity")) return DialogTool::Zenity;
    if (has("kdialog")) return DialogTool::Kdialog;
    return DialogTool::None;
}

// The command line for zenity or kdialog (argv[0] the program's name): open one file, or save
// one (confirming an overwrite), starting at `start` (a file or a folder; may be empty).
[[nodiscard]] std::vector<std::string> dialog_command(DialogTool tool, DialogKind kind, const std::string& title,
                                                      const std::string& start);

struct DialogResult {
    enum class Status { Chosen, Cancelled, Failed };
    Status status = Status::Failed;
    std::string path;    // Chosen: the file
    std::string detail;  // Failed: why (for the window)
    DialogTool tool = DialogTool::None;
};

// Runs one dialog to its end (blocking; a worker thread calls it). `path_env` finds the programs.
// A stop request ends the dialog's process. Exit 0 with a path = chosen, exit 1 (or the portal's
// code 1) = cancelled, anything else = failed.
[[nodiscard]] DialogResult run_dialog(DialogTool tool, DialogKind kind, const std::string& title, const std::string& start,
                                      const std::string& path_env, std::stop_token stop = {});

// A file:// URI as a path ("file:///a%20b/c.json" -> "/a b/c.json"); empty for other URIs.
[[nodiscard]] std::string path_from_file_uri(const std::string& uri);

// Is an org.freedesktop.portal.FileChooser on the session bus? (gdbus introspect, 3 s at most;
// false without a session bus.)
[[nodiscard]] bool portal_answers(const std::string& path_env);

// One dialog at a time on a worker thread. start() returns at once; poll() (UI thread) hands back
// the answer once. The tool is chosen on the worker the first time (the portal probe may take a
// moment) and kept. Destruction ends a dialog still open (its process is terminated).
class FileDialog {
public:
    FileDialog();
    ~FileDialog();
    FileDialog(const FileDialog&) = delete;
    FileDialog& operator=(const FileDialog&) = delete;

    // False (and nothing started) while a dialog is open.
    bool start(DialogKind kind, std::string title, std::string start_path);
    [[nodiscard]] bool busy() const;
    [[nodiscard]] std::optional<DialogResult> poll();
    // What start() will use: from the environment (PATH, NST_FILE_DIALOG), decided on first use.
    [[nodiscard]] DialogTool tool_if_known() const;

private:
    mutable std::mutex mu_;
    std::optional<DialogResult> result_;
    bool busy_ = false;
    std::optional<DialogTool> tool_;
    std::string path_env_, forced_;
    std::jthread worker_;
};

// The output field of a render dialog ("Render final...", "Render video..."): the path as typed,
// the name offered when the dialog opened (a fresh one each time unless the user typed their own),
// why Start refused, and the Browse dialog.
struct OutputPath {
    std::string path, offered, problem;
    FileDialog dialog;

    // Takes the Browse dialog's answer, if one came: the chosen path, or why there is none.
    void poll();
    // On opening: `fresh` is offered unless the user typed a path of their own.
    void offer(std::string fresh);
    // The path to write, absolute ("" when blank); for the offered name its folder is made (the
    // screenshot folder is made on first use, as for screenshots; any other must exist).
    [[nodiscard]] std::string resolve() const;
    // After a start: the offered name is used up (the next start gets a fresh one); a typed one stays.
    void used(const std::string& absolute);
};

}  // namespace nstv
