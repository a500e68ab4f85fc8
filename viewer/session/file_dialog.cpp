#include "session/file_dialog.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <utility>

extern char** environ;

namespace nstv {
namespace fs = std::filesystem;
namespace {

using Clock = std::chrono::steady_clock;

// A child process with its stdout on a pipe; terminated and reaped on destruction unless it was
// waited for. Only ever signals the one process it started.
class Child {
public:
    Child(const fs::path& exe, const std::vector<std::string>& args) {
        int fds[2];
        if (pipe2(fds, O_CLOEXEC) != 0) return;
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
        posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);  // GTK/Qt chatter
        std::vector<char*> argv;
        for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        const int rc = posix_spawn(&pid_, exe.c_str(), &fa, nullptr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&fa);
        close(fds[1]);
        if (rc != 0) {
            pid_ = -1;
            close(fds[0]);
            return;
        }
        fd_ = fds[0];
    }
    ~Child() {
        if (fd_ >= 0) close(fd_);
        if (pid_ > 0) {
            kill(pid_, SIGTERM);
            int status = 0;
            waitpid(pid_, &status, 0);
        }
    }
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;

    [[nodiscard]] bool started() const { return pid_ > 0; }

    // Reads what is available within `ms` into `out`; false at end of output.
    bool read_some(std::string& out, int ms) {
        if (fd_ < 0) return false;
        pollfd p{fd_, POLLIN, 0};
        if (poll(&p, 1, ms) <= 0) return true;
        char buf[4096];
        const ssize_t n = read(fd_, buf, sizeof buf);
        if (n > 0) {
            out.append(buf, static_cast<std::size_t>(n));
            return true;
        }
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) return true;
        close(fd_);
        fd_ = -1;
        return false;
    }

    // All of stdout and the exit code; nullopt when stopped (the process is then terminated).
    std::optional<int> finish(std::string& out, std::stop_token stop, std::chrono::milliseconds limit = std::chrono::hours(24)) {
        const auto end = Clock::now() + limit;
        while (read_some(out, 100))
            if (stop.stop_requested() || Clock::now() > end) return std::nullopt;
        for (;;) {
            int status = 0;
            const pid_t r = waitpid(pid_, &status, WNOHANG);
            if (r == pid_) {
                pid_ = -1;
                return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            }
            if (r < 0) return std::nullopt;
            if (stop.stop_requested() || Clock::now() > end) return std::nullopt;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    }

private:
    pid_t pid_ = -1;
    int fd_ = -1;
};

std::string trim_line(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
    if (const auto nl = s.find('\n'); nl != std::string::npos) s.resize(nl);  // one file only
    return s;
}

// A GVariant text string literal.
std::string gvariant_string(const std::string& s) {
    std::string out = "'";
    for (const char c : s) {
        if (c == '\'' || c == '\\') out += '\\';
        out += c;
    }
    return out + "'";
}

bool session_bus_known() {
    if (const char* a = std::getenv("DBUS_SESSION_BUS_ADDRESS"); a && *a) return true;
    const char* run = std::getenv("XDG_RUNTIME_DIR");
    std::error_code ec;
    return run && *run && fs::exists(fs::path(run) / "bus", ec);
}

DialogResult failed(DialogTool tool, std::string why) { return {DialogResult::Status::Failed, {}, std::move(why), tool}; }

std::atomic<unsigned> token_counter{0};

// org.freedesktop.portal.FileChooser through gdbus: watch the portal's signals (gdbus monitor),
// call OpenFile/SaveFile with our own handle_token, then wait for the Response signal of the
// request object whose path ends in that token.
DialogResult run_portal(DialogKind kind, const std::string& title, const std::string& start, const fs::path& gdbus,
                        std::stop_token stop) {
    Child monitor(gdbus, {"gdbus", "monitor", "--session", "--dest", "org.freedesktop.portal.Desktop"});
    if (!monitor.started()) return failed(DialogTool::Portal, "cannot run gdbus monitor");
    std::string seen;
    // gdbus monitor says it is watching before any signal: from then on no Response is missed.
    const auto ready_by = Clock::now() + std::chrono::seconds(3);
    while (seen.find('\n') == std::string::npos && Clock::now() < ready_by && !stop.stop_requested())
        if (!monitor.read_some(seen, 50)) return failed(DialogTool::Portal, "gdbus monitor exited");

    const std::string token = "nst" + std::to_string(getpid()) + "_" + std::to_string(++token_counter);
    std::string options = "{'handle_token': <" + gvariant_string(token) + ">";
    if (!start.empty()) {
        const fs::path p(start);
        const fs::path folder = kind == DialogKind::Save && p.has_filename() && !fs::is_directory(p) ? p.parent_path() : p;
        if (!folder.empty()) options += ", 'current_folder': <b" + gvariant_string(folder.string()) + ">";
        if (kind == DialogKind::Save && p.has_filename() && !fs::is_directory(p))
            options += ", 'current_name': <" + gvariant_string(p.filename().string()) + ">";
    }
    options += "}";
    Child call(gdbus, {"gdbus", "call", "--session", "--dest", "org.freedesktop.portal.Desktop", "--object-path",
                       "/org/freedesktop/portal/desktop", "--method",
                       kind == DialogKind::Open ? "org.freedesktop.portal.FileChooser.OpenFile"
                                                : "org.freedesktop.portal.FileChooser.SaveFile",
                       "", gvariant_string(title), options});
    std::string handle;
    const auto code = call.finish(handle, stop, std::chrono::seconds(30));
    if (!code) return failed(DialogTool::Portal, "the portal did not answer");
    if (*code != 0) return failed(DialogTool::Portal, "the portal refused the request (gdbus exited with " + std::to_string(*code) + ")");

    // "/org/freedesktop/portal/desktop/request/1_42/TOKEN: org.freedesktop.portal.Request.Response (uint32 0, {'uris': <['file:///...']>, ...})"
    for (;;) {
        std::size_t nl;
        while ((nl = seen.find('\n')) != std::string::npos) {
            const std::string line = seen.substr(0, nl);
            seen.erase(0, nl + 1);
            if (line.find("/" + token + ":") == std::string::npos || line.find("Request.Response") == std::string::npos) continue;
            const auto u = line.find("uint32 ");
            const int response = u == std::string::npos ? 2 : std::atoi(line.c_str() + u + 7);
            if (response == 1) return {DialogResult::Status::Cancelled, {}, {}, DialogTool::Portal};
            if (response != 0) return failed(DialogTool::Portal, "the portal's dialog ended with code " + std::to_string(response));
            const auto q = line.find("'file://");
            if (q == std::string::npos) return failed(DialogTool::Portal, "the portal returned no file");
            const auto q2 = line.find('\'', q + 1);
            const std::string path = path_from_file_uri(line.substr(q + 1, q2 - q - 1));
            if (path.empty()) return failed(DialogTool::Portal, "the portal returned no local file");
            return {DialogResult::Status::Chosen, path, {}, DialogTool::Portal};
        }
        if (stop.stop_requested()) return {DialogResult::Status::Cancelled, {}, {}, DialogTool::Portal};
        if (!monitor.read_some(seen, 100)) return failed(DialogTool::Portal, "gdbus monitor exited before the dialog answered");
    }
}

}  // namespace

const char* dialog_tool_name(DialogTool t) {
    switch (t) {
        case DialogTool::Portal: return "portal";
        case DialogTool::Zenity: return "zenity";
        case DialogTool::Kdialog: return "kdialog";
        case DialogTool::None: break;
    }
    return "none";
}

std::optional<fs::path> find_on_path(const std::string& name, const std::string& path_env) {
    std::stringstream dirs(path_env);
    std::string dir;
    while (std::getline(dirs, dir, ':')) {
        if (dir.empty()) continue;  // an empty entry would mean ".": not for a program we run
        const fs::path p = fs::path(dir) / name;
        std::error_code ec;
        if (fs::is_regular_file(p, ec) && access(p.c_str(), X_OK) == 0) return p;
    }
    return std::nullopt;
}

std::vector<std::string> dialog_command(DialogTool tool, DialogKind kind, const std::string& title, const std::string& start) {
    const bool save = kind == DialogKind::Save;
    if (tool == DialogTool::Zenity) {
        std::vector<std::string> c{"zenity", "--file-selection", "--title=" + title};
        if (save) c.insert(c.end(), {"--save", "--confirm-overwrite"});
        if (!start.empty()) c.push_back("--filename=" + start);
        c.push_back("--file-filter=Sessions (*.json) | *.json");
        c.push_back("--file-filter=All files | *");
        return c;
    }
    if (tool == DialogTool::Kdialog) {
        return {"kdialog", "--title", title, save ? "--getsavefilename" : "--getopenfilename",
                start.empty() ? std::string(".") : start, "Sessions (*.json)"};
    }
    return {};
}

std::string path_from_file_uri(const std::string& uri) {
    constexpr std::string_view scheme = "file://";
    if (uri.rfind(scheme, 0) != 0) return {};
    std::string rest = uri.substr(scheme.size());
    if (rest.empty() || rest[0] != '/') {
        // file://localhost/path
        const auto slash = rest.find('/');
        if (slash == std::string::npos || rest.substr(0, slash) != "localhost") return {};
        rest.erase(0, slash);
    }
    std::string out;
    for (std::size_t i = 0; i < rest.size(); ++i) {
        if (rest[i] == '%' && i + 2 < rest.size() && std::isxdigit(static_cast<unsigned char>(rest[i + 1])) &&
            std::isxdigit(static_cast<unsigned char>(rest[i + 2]))) {
            out += static_cast<char>(std::stoi(rest.substr(i + 1, 2), nullptr, 16));
            i += 2;
        } else {
            out += rest[i];
        }
    }
    return out;
}

bool portal_answers(const std::string& path_env) {
    const auto gdbus = find_on_path("gdbus", path_env);
    if (!gdbus || !session_bus_known()) return false;
    Child c(*gdbus, {"gdbus", "introspect", "--session", "--dest", "org.freedesktop.portal.Desktop", "--object-path",
                     "/org/freedesktop/portal/desktop"});
    std::string out;
    const auto code = c.finish(out, {}, std::chrono::seconds(3));
    return code && *code == 0 && out.find("org.freedesktop.portal.FileChooser") != std::string::npos;
}

DialogResult run_dialog(DialogTool tool, DialogKind kind, const std::string& title, const std::string& start,
                        const std::string& path_env, std::stop_token stop) {
    if (tool == DialogTool::None) return failed(tool, "no file dialog on this desktop");
    const auto exe = find_on_path(tool == DialogTool::Portal ? "gdbus" : dialog_tool_name(tool), path_env);
    if (!exe) return failed(tool, std::string(dialog_tool_name(tool)) + " is not on PATH");
    if (tool == DialogTool::Portal) return run_portal(kind, title, start, *exe, stop);
    Child c(*exe, dialog_command(tool, kind, title, start));
    if (!c.started()) return failed(tool, std::string("cannot run ") + exe->string());
    std::string out;
    const auto code = c.finish(out, stop);
    if (!code) return {DialogResult::Status::Cancelled, {}, {}, tool};
    const std::string path = trim_line(out);
    if (*code == 0 && !path.empty()) return {DialogResult::Status::Chosen, path, {}, tool};
    if (*code == 1 || (*code == 0 && path.empty())) return {DialogResult::Status::Cancelled, {}, {}, tool};
    return failed(tool, std::string(dialog_tool_name(tool)) + " exited with " + std::to_string(*code));
}

FileDialog::FileDialog() {
    const char* p = std::getenv("PATH");
    path_env_ = p ? p : "/usr/bin:/bin";
    const char* f = std::getenv("NST_FILE_DIALOG");
    forced_ = f ? f : "";
}

FileDialog::~FileDialog() {
    if (worker_.joinable()) {
        worker_.request_stop();
        worker_.join();
    }
}

bool FileDialog::start(DialogKind kind, std::string title, std::string start_path) {
    {
        const std::lock_guard lock(mu_);
        if (busy_) return false;
        busy_ = true;
        result_.reset();
    }
    if (worker_.joinable()) worker_.join();  // the previous dialog has ended (busy_ was false)
    worker_ = std::jthread([this, kind, title = std::move(title), start_path = std::move(start_path)](std::stop_token stop) {
        std::optional<DialogTool> known;
        {
            const std::lock_guard lock(mu_);
            known = tool_;
        }
        // Chosen once, here: the portal probe may take a moment, never on the UI thread.
        const DialogTool tool = known ? *known : choose_dialog_tool(path_env_, forced_, [&] { return portal_answers(path_env_); });
        DialogResult r = run_dialog(tool, kind, title, start_path, path_env_, stop);
        const std::lock_guard lock(mu_);
        tool_ = tool;
        result_ = std::move(r);
        busy_ = false;
    });
    return true;
}

bool FileDialog::busy() const {
    const std::lock_guard lock(mu_);
    return busy_;
}

std::optional<DialogResult> FileDialog::poll() {
    const std::lock_guard lock(mu_);
    return std::exchange(result_, std::nullopt);
}

DialogTool FileDialog::tool_if_known() const {
    const std::lock_guard lock(mu_);
    return tool_.value_or(DialogTool::None);
}

void OutputPath::poll() {
    const auto r = dialog.poll();
    if (!r) return;
    if (r->status == DialogResult::Status::Chosen) {
        path = r->path;
        problem.clear();
    } else if (r->status == DialogResult::Status::Failed) {
        problem = r->tool == DialogTool::None ? "no desktop file dialog here: type the path"
                                              : "the file dialog failed: " + r->detail;
    }
}

void OutputPath::offer(std::string fresh) {
    if (path.empty() || path == offered) {
        offered = std::move(fresh);
        path = offered;
    }
    problem.clear();
}

std::string OutputPath::resolve() const {
    if (path.find_first_not_of(" \t") == std::string::npos) return {};
    std::error_code ec;
    const std::filesystem::path out = std::filesystem::absolute(path, ec);
    if (path == offered) std::filesystem::create_directories(out.parent_path(), ec);
    return out.string();
}

void OutputPath::used(const std::string& absolute) { path = path == offered ? std::string() : absolute; }

}  // namespace nstv
