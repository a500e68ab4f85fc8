#include "support/cli_fixture.h"

#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <cerrno>
#include <fstream>
#include <sstream>

extern char** environ;

namespace nst::test {

std::string quote(const std::string& s) {
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

std::vector<nlohmann::json> read_log(const fs::path& path) {
    std::vector<nlohmann::json> lines;
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
    return lines;
}

nst::Plane band(int width, int height, int x0, int x1) {
    nst::Plane p{width, height, std::vector<float>(static_cast<std::size_t>(width) * height, 0.0f)};
    for (int y = 0; y < height; ++y)
        for (int x = x0; x < x1; ++x) p.values[static_cast<std::size_t>(y) * width + x] = 1.0f;
    return p;
}

Result run_nst(const std::vector<std::string>& args, const fs::path& dir, const std::vector<std::string>& env) {
    std::string cmd = "env " + quote(std::string("NST_WEIGHTS_URL=") + kUnreachableWeightsUrl) + " " +
                      quote("XDG_CACHE_HOME=" + (dir / "xdg-cache").string());
    for (const auto& e : env) cmd += " " + quote(e);
    cmd += " " + quote(NST_CLI_PATH);
    for (const auto& a : args) cmd += " " + quote(a);
    const fs::path out = dir / "cli-output.txt";
    cmd += " > " + quote(out.string()) + " 2>&1";
    // posix_spawn + wait4 rather than std::system: wait4 also reports the peak memory of the
    // shell and everything it ran (the nst process).
    Result r;
    const char* argv[] = {"sh", "-c", cmd.c_str(), nullptr};
    pid_t pid = 0;
    if (posix_spawn(&pid, "/bin/sh", nullptr, nullptr, const_cast<char**>(argv), environ) != 0) {
        ADD_FAILURE() << "cannot start /bin/sh";
        return r;
    }
    int status = 0;
    rusage usage{};
    while (wait4(pid, &status, 0, &usage) < 0 && errno == EINTR) {
    }
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.peak_rss_kb = usage.ru_maxrss;
    std::ifstream in(out);
    std::stringstream ss;
    ss << in.rdbuf();
    r.output = ss.str();
    return r;
}

}  // namespace nst::test
