#pragma once
// The viewer's background download of the VGG19 weights: nst::fetch_vgg19_features on a
// std::jthread of its own (never the UI thread, never the optimizer thread, so optimisation goes
// on during the download). The UI polls snapshot() every frame; nothing here ever blocks it for
// longer than a copy of a few fields. Torch-free.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace nstv {

class WeightsDownload {
public:
    enum class State { Idle, Running, Done, Failed, Cancelled };

    struct Snapshot {
        State state = State::Idle;
        std::uint64_t done = 0, total = 0;  // bytes of what must be fetched (total 0: not known yet)
        double seconds = 0;                 // since this attempt started
        std::string error;                  // Failed: the one-line reason
        std::filesystem::path path;         // Done: the file written
        std::uint64_t bytes_downloaded = 0; // Done: HTTP body bytes received
        std::uint64_t remote_size = 0;      // Done: size of the remote model file
        int attempt = 0;                    // 1 for the first start, +1 per retry
    };

    // `wake` is called on the download thread when there is something new to show (throttled to a
    // few times a second); it must be thread-safe (glfwPostEmptyEvent is).
    explicit WeightsDownload(std::function<void()> wake = {}) : wake_(std::move(wake)) {}
    // Cancels a running download (stop token; noticed within about a second) and waits for it.
    // Nothing is left half-written: the fetch writes a temp file and renames it only when valid.
    ~WeightsDownload() { cancel_and_wait(); }
    WeightsDownload(const WeightsDownload&) = delete;
    WeightsDownload& operator=(const WeightsDownload&) = delete;

    // Starts (or restarts after a failure) a download of `url` into `dest` (empty: the cache).
    // Does nothing while one is running.
    void start(const std::string& url, const std::filesystem::path& dest = {});
    // Asks the running download to stop; returns at once.
    void request_stop() { thread_.request_stop(); }
    void cancel_and_wait();

    [[nodiscard]] Snapshot snapshot() const;
    [[nodiscard]] State state() const { return state_.load(std::memory_order_acquire); }

private:
    void run(std::stop_token stop, std::string url, std::filesystem::path dest);
    void wake() {
        if (wake_) wake_();
    }

    std::function<void()> wake_;
    std::atomic<State> state_{State::Idle};
    std::atomic<std::uint64_t> done_{0}, total_{0};
    std::atomic<std::int64_t> started_ns_{0};
    mutable std::mutex mu_;  // guards the fields below; held only to copy them
    std::string error_;
    std::filesystem::path path_;
    std::uint64_t bytes_downloaded_ = 0, remote_size_ = 0;
    int attempt_ = 0;
    std::jthread thread_;  // last: stopped and joined first
};

const char* download_state_name(WeightsDownload::State s);

}  // namespace nstv
