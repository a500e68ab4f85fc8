#include "support/weights_server.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <stdexcept>
#include <thread>
#include <vector>

extern char** environ;

namespace nst::test {
namespace {

// Kills and reaps the child: politely first, then for sure.
void stop_child(pid_t pid) {
    if (pid <= 0) return;
    ::kill(pid, SIGTERM);
    for (int i = 0; i < 100; ++i) {
        if (::waitpid(pid, nullptr, WNOHANG) == pid) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
}

// Reads the first line the server prints (its port), waiting at most `timeout`.
std::string read_line(int fd, std::chrono::milliseconds timeout) {
    std::string line;
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (line.find('\n') == std::string::npos) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
        if (left.count() <= 0) break;
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
        char buf[64];
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n <= 0) break;
        line.append(buf, static_cast<std::size_t>(n));
    }
    return line;
}

std::size_t append(char* data, std::size_t size, std::size_t count, void* out) {
    static_cast<std::string*>(out)->append(data, size * count);
    return size * count;
}

}  // namespace

WeightsServer::WeightsServer(const std::filesystem::path& file) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    const std::string script = NST_WEIGHTS_SERVER_SCRIPT;
    const std::string file_arg = file.string();
    std::vector<char*> argv = {const_cast<char*>("python3"), const_cast<char*>(script.c_str()),
                               const_cast<char*>("--file"), const_cast<char*>(file_arg.c_str()), nullptr};
    const int rc = ::posix_spawnp(&pid_, "python3", &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    if (rc != 0) {
        ::close(fds[0]);
        pid_ = -1;
        throw std::runtime_error("cannot start python3 " + script);
    }
    const std::string line = read_line(fds[0], std::chrono::seconds(30));
    ::close(fds[0]);
    try {
        port_ = std::stoi(line);
    } catch (const std::exception&) {
        stop_child(pid_);
        throw std::runtime_error("the weights test server did not report a port (got '" + line + "')");
    }
}

WeightsServer::~WeightsServer() { stop_child(pid_); }

std::string WeightsServer::url(const std::string& mode) const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/" + mode + "/model.safetensors";
}

nlohmann::json WeightsServer::stats() const {
    const std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), &curl_easy_cleanup);
    std::string body;
    const std::string u = "http://127.0.0.1:" + std::to_string(port_) + "/stats";
    curl_easy_setopt(curl.get(), CURLOPT_URL, u.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_PROXY, "");
    curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT, 10L);
    curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, &append);
    curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &body);
    if (curl_easy_perform(curl.get()) != CURLE_OK) throw std::runtime_error("cannot read " + u);
    return nlohmann::json::parse(body);
}

std::uint64_t WeightsServer::bytes_sent(const std::string& mode) const {
    const auto s = stats();
    return s.contains(mode) ? s[mode]["bytes"].get<std::uint64_t>() : 0;
}

}  // namespace nst::test
