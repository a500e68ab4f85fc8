#include "frame_progress.h"

#include <algorithm>
#include <cmath>

namespace nst::cli {
namespace {
double seconds_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}
}  // namespace

FrameProgress::FrameProgress(int frames, long total_steps, std::FILE* out)
    : frames_(frames),
      total_steps_(std::max(1L, total_steps)),
      status_(out),
      start_(std::chrono::steady_clock::now()),
      last_plain_(start_) {}

void FrameProgress::frame(int k, int number, int steps) {
    k_ = k;
    number_ = number;
    steps_ = steps;
    step_ = 0;
}

std::string FrameProgress::line() const {
    const double elapsed = seconds_since(start_);
    const double per_step = steps_done_ > 0 ? elapsed / static_cast<double>(steps_done_) : 0.0;
    const double fpm = elapsed > 0 ? 60.0 * frames_done_ / elapsed : 0.0;
    char text[320];
    std::snprintf(text, sizeof text, "frame %d/%d (#%d)  step %d/%d  %.1f frames/min  total %.4g  temporal %.3g  %s left",
                  k_, frames_, number_, step_, steps_, fpm, last_.total, last_.temporal,
                  steps_done_ > 0 ? format_duration(per_step * static_cast<double>(total_steps_ - steps_done_)).c_str() : "?");
    return text;
}

void FrameProgress::update(int step, const Losses& losses) {
    step_ = step;
    ++steps_done_;
    last_ = losses;
    if (status_.tty()) {
        status_.redraw(line(), step == steps_);
    } else if (std::chrono::steady_clock::now() - last_plain_ >= std::chrono::seconds(10)) {
        status_.print(line());
        last_plain_ = std::chrono::steady_clock::now();
    }
}

void FrameProgress::frame_done() {
    ++frames_done_;
    if (!status_.tty()) {
        status_.print(line());
        last_plain_ = std::chrono::steady_clock::now();
    }
}

void FrameProgress::note(const std::string& text) {
    status_.end();
    std::fprintf(status_.out(), "%s\n", text.c_str());
    std::fflush(status_.out());
}

void FrameProgress::finish(const std::string& what) {
    const double elapsed = seconds_since(start_);
    status_.end();
    std::fprintf(status_.out(), "%s: %d frames in %s (%.1f frames/min)\n", what.c_str(), frames_done_,
                 format_duration(elapsed).c_str(), elapsed > 0 ? 60.0 * frames_done_ / elapsed : 0.0);
    std::fflush(status_.out());
}

}  // namespace nst::cli
