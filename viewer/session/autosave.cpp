#include "session/autosave.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <ctime>
#include <exception>
#include <fstream>
#include <iterator>

#include <nlohmann/json.hpp>

#include "nst/error.h"
#include "nst/image.h"

namespace nstv {
namespace fs = std::filesystem;
namespace {

std::string local_time(fs::file_time_type t) {
    // (no clock_cast in GCC 12: the offset between the two clocks now, to the second)
    const auto sys = std::chrono::system_clock::now() +
                     std::chrono::duration_cast<std::chrono::system_clock::duration>(t - fs::file_time_type::clock::now());
    const std::time_t tt = std::chrono::system_clock::to_time_t(sys);
    std::tm tm{};
    localtime_r(&tt, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
    return buf;
}

void remove_session_files(const fs::path& json) {
    std::error_code ec;
    fs::remove(json, ec);
    fs::remove_all(nst::session_folder(json), ec);
}

// "running-123.json" -> 123; 0 for other names.
int marker_pid(const fs::path& p) {
    const std::string n = p.filename().string();
    constexpr std::string_view pre = "running-", post = ".json";
    if (n.size() <= pre.size() + post.size() || n.rfind(pre, 0) != 0 || !n.ends_with(post)) return 0;
    const std::string digits = n.substr(pre.size(), n.size() - pre.size() - post.size());
    if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }) || digits.size() > 9) return 0;
    return std::stoi(digits);
}

}  // namespace

bool viewer_alive(int pid) {
    if (pid <= 0) return false;
    if (kill(pid, 0) != 0 && errno != EPERM) return false;
    // A pid is reused: alive only if it is still a viewer (where /proc says so).
    std::ifstream comm("/proc/" + std::to_string(pid) + "/comm");
    if (!comm) return true;
    std::string name;
    std::getline(comm, name);
    return name.rfind("nst-viewer", 0) == 0 || name.rfind("nst_viewer", 0) == 0;
}

Autosave::Autosave(fs::path dir, std::chrono::milliseconds interval)
    : dir_(std::move(dir)), interval_(interval), next_(Clock::now() + interval) {
    const std::string pid = std::to_string(getpid());
    file_ = dir_ / ("autosave-" + pid + ".json");
    marker_ = dir_ / ("running-" + pid + ".json");
    try {
        fs::create_directories(dir_);
        const nlohmann::json m = {{"pid", getpid()}, {"started", nst::utc_timestamp()}, {"session", file_.filename().string()}};
        const std::string text = m.dump(2) + "\n";
        nst::write_file_atomically(marker_, std::vector<std::uint8_t>(text.begin(), text.end()));
        enabled_ = true;
    } catch (const std::exception& e) {
        error_ = "autosave is off: cannot write to " + dir_.string() + " (" + e.what() + ")";
    }
}

Autosave::~Autosave() {
    if (worker_.joinable()) worker_.join();
}

bool Autosave::writing() const {
    const std::lock_guard lock(mu_);
    return busy_;
}

void Autosave::write_async(nst::Session session) {
    if (worker_.joinable()) worker_.join();  // finished: busy_ was false
    {
        const std::lock_guard lock(mu_);
        busy_ = true;
    }
    worker_ = std::jthread([this, s = std::move(session)] {
        std::string problem;
        try {
            nst::save_session(file_, s);
        } catch (const std::exception& e) {
            problem = std::string("autosave failed: ") + e.what();
        }
        const std::lock_guard lock(mu_);
        busy_ = false;
        if (!problem.empty()) errors_.push_back(std::move(problem));
    });
}

void Autosave::finish(const nst::Session& session) {
    if (!enabled_) return;
    if (worker_.joinable()) worker_.join();
    try {
        nst::save_session(dir_ / "autosave.json", session);
    } catch (const std::exception& e) {
        // The per-pid autosave stays (and the marker: the next launch offers it).
        const std::lock_guard lock(mu_);
        errors_.push_back(std::string("autosave on quit failed: ") + e.what());
        return;
    }
    remove_session_files(file_);
    std::error_code ec;
    fs::remove(marker_, ec);
    enabled_ = false;
}

std::vector<std::string> Autosave::take_errors() {
    const std::lock_guard lock(mu_);
    return std::exchange(errors_, {});
}

std::vector<CrashedRun> Autosave::find_crashed(const fs::path& dir) {
    std::vector<std::pair<fs::file_time_type, CrashedRun>> found;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        const int pid = marker_pid(entry.path());
        if (pid == 0 || pid == getpid() || viewer_alive(pid)) continue;
        CrashedRun run;
        run.pid = pid;
        run.marker = entry.path();
        run.session = dir / ("autosave-" + std::to_string(pid) + ".json");
        std::error_code e2;
        const auto t = fs::last_write_time(run.session, e2);
        if (e2) {  // crashed before anything was saved: nothing to offer
            discard(run);
            continue;
        }
        run.when = local_time(t);
        found.emplace_back(t, std::move(run));
    }
    std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    std::vector<CrashedRun> out;
    for (auto& f : found) out.push_back(std::move(f.second));
    return out;
}

void Autosave::discard(const CrashedRun& run) {
    remove_session_files(run.session);
    std::error_code ec;
    fs::remove(run.marker, ec);
}

}  // namespace nstv
