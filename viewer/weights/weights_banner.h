#pragma once
// The banner above the image: the untrained-features warning (shown wherever such a result is),
// and the background download of the VGG19 weights with its progress bar, its failure and a
// Retry button. Owns the WeightsDownload (its own thread) and writes the download's --log-json
// events; the app switches the run to the weights once poll() hands over the file.
#include <chrono>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "control/control_state.h"
#include "probe/ui_probe.h"
#include "run/json_log.h"
#include "weights/weights_download.h"

namespace nstv {

// "1.2 MB" and the like.
std::string human_bytes(double bytes);

class WeightsBanner {
public:
    // `wake` (thread-safe) wakes the UI for new progress.
    WeightsBanner(std::function<void()> wake, JsonLog* log) : download_(std::move(wake)), log_(log) {}

    void start(const std::string& url);
    // Per frame: takes the download's progress; returns the file once a download has finished.
    std::optional<std::filesystem::path> poll();
    [[nodiscard]] WeightsDownload::State state() const { return seen_; }
    [[nodiscard]] bool downloading() const { return download_.state() == WeightsDownload::State::Running; }
    // At exit: ask a download in flight to stop (returns at once), then wait for it.
    void request_stop() { download_.request_stop(); }
    void cancel_and_wait() { download_.cancel_and_wait(); }

    struct Context {
        bool showing_random = false;  // the shown result comes from untrained features
        bool target_random = false;   // the optimizer was asked for untrained features
        std::string idle_detail;      // why the features are untrained, when no download explains it
    };
    // Draws nothing when there is nothing to say. Retry sets a.retry_download.
    void draw(const Context& c, UiProbe& probe, ControlActions& a);

private:
    WeightsDownload download_;
    JsonLog* log_;
    WeightsDownload::State seen_ = WeightsDownload::State::Idle;
    WeightsDownload::Snapshot snap_;
    std::deque<std::pair<std::chrono::steady_clock::time_point, std::uint64_t>> rate_;  // (when, bytes) over ~3 s
};

}  // namespace nstv
