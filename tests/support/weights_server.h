#pragma once
// tests/support/weights_server.py run as a child process on 127.0.0.1: started by the constructor (which
// waits for it to listen), always stopped by the destructor. No test touches the internet.
#include <sys/types.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

namespace nst::test {

class WeightsServer {
public:
    // Serves `file` (see the modes in weights_server.py). Throws if the server does not start.
    explicit WeightsServer(const std::filesystem::path& file);
    ~WeightsServer();
    WeightsServer(const WeightsServer&) = delete;
    WeightsServer& operator=(const WeightsServer&) = delete;

    [[nodiscard]] int port() const { return port_; }
    // http://127.0.0.1:PORT/<mode>/model.safetensors
    [[nodiscard]] std::string url(const std::string& mode) const;
    // The server's /stats: {mode: {"requests", "bytes", "ranges"}}.
    [[nodiscard]] nlohmann::json stats() const;
    // Body bytes the server sent for `mode` (0 if none).
    [[nodiscard]] std::uint64_t bytes_sent(const std::string& mode) const;

private:
    pid_t pid_ = -1;
    int port_ = 0;
};

}  // namespace nst::test
