#pragma once
// Measurements for docs/PERFORMANCE.md: UI frame times, the longest the UI thread spent in any
// call into the runner, launch -> first frame and -> first stylized image, publication cost.
#include <chrono>
#include <string>
#include <vector>

namespace nstv {

// Milliseconds since this process was started by the kernel (so time before main() counts).
double ms_since_process_start();

class FrameStats {
public:
    // `painting`: a brush stroke was in progress (those frames are also summarised on their own).
    void frame_done(double work_ms, double interval_ms, bool optimizer_running, bool painting = false);
    void ui_wait(double ms) { max_ui_wait_ms_ = std::max(max_ui_wait_ms_, ms); }
    void first_frame() { if (first_frame_ms_ < 0) first_frame_ms_ = ms_since_process_start(); }
    void first_stylized() { if (first_stylized_ms_ < 0) first_stylized_ms_ = ms_since_process_start(); }
    void publication(double ms) { publish_ms_.push_back(ms); }
    void upload(double ms) { upload_ms_.push_back(ms); }
    // The UI thread's own CPU work (events, handoff, widgets) without GL drawing and the swap.
    void build(double ms, bool painting = false) {
        build_ms_.push_back(ms);
        if (painting) build_painting_ms_.push_back(ms);
    }

    // A clip's timeline: from the UI asking for another frame to the first stylized step of it on
    // screen, and the step time then (the goal is a ratio of at most 1.5).
    void scrub(double latency_ms, double step_ms) {
        scrub_ms_.push_back(latency_ms);
        if (step_ms > 0) scrub_steps_.push_back(latency_ms / step_ms);
    }
    // Frame work while the timeline moves (a frame move in flight) and while a video renders.
    void video_frame(double work_ms, bool scrubbing, bool rendering) {
        if (scrubbing) scrubbing_.push_back(work_ms);
        if (rendering) rendering_.push_back(work_ms);
    }
    [[nodiscard]] long frames() const { return static_cast<long>(idle_.size() + running_.size()); }
    [[nodiscard]] std::string json() const;

private:
    std::vector<double> idle_, running_, painting_, interval_;
    std::vector<double> publish_ms_, upload_ms_, build_ms_, build_painting_ms_;
    std::vector<double> scrub_ms_, scrub_steps_, scrubbing_, rendering_;
    double max_ui_wait_ms_ = 0;
    double first_frame_ms_ = -1, first_stylized_ms_ = -1;
};

// Times a scope and reports it to FrameStats::ui_wait (every UI-side runner call goes through it).
class UiWaitTimer {
public:
    explicit UiWaitTimer(FrameStats& s) : stats_(s), t0_(std::chrono::steady_clock::now()) {}
    ~UiWaitTimer() {
        stats_.ui_wait(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0_).count());
    }
    UiWaitTimer(const UiWaitTimer&) = delete;
    UiWaitTimer& operator=(const UiWaitTimer&) = delete;

private:
    FrameStats& stats_;
    std::chrono::steady_clock::time_point t0_;
};

}  // namespace nstv
