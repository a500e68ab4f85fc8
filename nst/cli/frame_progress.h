#pragma once
// The progress line of nst --video: frame k/n, the step within it, frames per minute and the time
// left of the whole render (estimated from the steps still to run at the rate so far).
#include <chrono>
#include <cstdio>
#include <string>

#include "nst/engine.h"
#include "progress.h"

namespace nst::cli {

class FrameProgress {
public:
    // `frames` in the range, `total_steps` the render's estimated steps (for the time left).
    FrameProgress(int frames, long total_steps, std::FILE* out);
    // Frame `k` (1-based within the range, `number` the clip's frame number) starts with `steps`.
    void frame(int k, int number, int steps);
    void update(int step, const Losses& losses);
    void frame_done();
    void note(const std::string& text);
    void finish(const std::string& what);

private:
    [[nodiscard]] std::string line() const;

    int frames_;
    long total_steps_;
    StatusLine status_;
    std::chrono::steady_clock::time_point start_, last_plain_;
    int k_ = 0, number_ = 0, steps_ = 0, step_ = 0, frames_done_ = 0;
    long steps_done_ = 0;
    Losses last_{};
};

}  // namespace nst::cli
