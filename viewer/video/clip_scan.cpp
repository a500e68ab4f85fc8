#include "video/clip_scan.h"

#include <exception>

#include "nst/image.h"
#include "nst/video/flow.h"
#include "nst/video/render.h"
#include "nst/video/video_io.h"

namespace nstv {
namespace {

// The long side the cuts are looked for at: a cut is a change of the whole picture, and small
// frames keep the scan cheap (a few ms a frame) beside the optimizer.
constexpr int kScanSize = 96;

}  // namespace

void ClipScan::start(const std::string& path) {
    stop();
    path_ = path;
    {
        const std::lock_guard lock(mu_);
        result_ = Result{};
        result_.path = path;
        changed_ = true;
    }
    worker_ = std::jthread([this, path](std::stop_token st) { run(st, path, this); });
}

void ClipScan::stop() {
    if (worker_.joinable()) {
        worker_.request_stop();
        worker_.join();
    }
}

bool ClipScan::poll(Result& out) {
    std::unique_lock lock(mu_, std::try_to_lock);
    if (!lock.owns_lock() || !changed_) return false;
    out = result_;
    changed_ = false;
    return true;
}

void ClipScan::publish(const Result& r) {
    const std::lock_guard lock(mu_);
    result_ = r;
    changed_ = true;
}

void ClipScan::run(std::stop_token stop, std::string path, ClipScan* self) {
    Result r;
    r.path = path;
    try {
        const auto source = nst::video::open_frames(path);
        r.frames = source->info().frames;
        r.fps = source->info().rate.fps();
        self->publish(r);
        const double cut_below = nst::video::TemporalSettings{}.cut_below;
        nst::Image previous;
        for (int i = 0; i < r.frames && !stop.stop_requested(); ++i) {
            nst::Image frame = nst::resize_long_side(source->frame(i), kScanSize);
            if (!previous.empty()) {
                const nst::video::Flow backward = nst::video::compute_flow(frame, previous);
                const nst::video::Flow forward = nst::video::compute_flow(previous, frame);
                if (nst::video::reliability(backward, forward).mean() < cut_below) r.cuts.push_back(i);
            }
            previous = std::move(frame);
            r.scanned = i + 1;
            if (r.scanned % 8 == 0 || r.scanned == r.frames) self->publish(r);
        }
    } catch (const std::exception& e) {
        r.error = e.what();
        self->publish(r);
    }
}

}  // namespace nstv
