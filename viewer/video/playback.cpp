#include "video/playback.h"

#include <algorithm>
#include <chrono>
#include <exception>
#include <memory>
#include <utility>

#include "nst/image.h"
#include "nst/video/video_io.h"
#include "steppers/engine_stepper.h"  // to_rgba8

namespace nstv {

Playback::Playback(std::function<void()> wake)
    : wake_(std::move(wake)), worker_([this](std::stop_token st) { run(st); }) {}

Playback::~Playback() {
    worker_.request_stop();
    cv_.notify_all();
}

void Playback::open(const std::string& output, int first_frame, int frames, const std::string& clip, double fps,
                    int frame) {
    output_ = output;
    clip_ = clip;
    first_ = first_frame;
    frames_ = std::max(1, frames);
    fps_ = fps > 0 ? fps : 25;
    playing_ = false;
    shown_ = asked_ = -1;
    error_.clear();
    compare_ = {};
    reopen_ = true;
    ask(std::clamp(frame, first_, last_frame()));
}

void Playback::close() {
    output_.clear();
    playing_ = false;
    shown_ = asked_ = -1;
    rendered_ = Texture{};
    content_ = Texture{};
}

void Playback::seek(int frame) {
    if (!on()) return;
    frame = std::clamp(frame, first_, last_frame());
    if (frame != asked_) ask(frame);
}

void Playback::ask(int frame) {
    asked_ = frame;
    {
        const std::lock_guard lock(mu_);
        request_ = Request{output_, clip_, first_, frame, std::exchange(reopen_, false)};
    }
    cv_.notify_all();
}

void Playback::update() {
    if (!on()) return;
    std::optional<Decoded> got;
    {
        std::unique_lock lock(mu_, std::try_to_lock);
        if (lock.owns_lock() && decoded_) got = std::exchange(decoded_, std::nullopt);
    }
    if (got && got->frame == asked_) {
        if (!got->error.empty()) {
            error_ = got->error;
            playing_ = false;
        } else {
            rendered_.upload(got->rendered);
            content_.upload(got->content);
            shown_ = got->frame;
            shown_at_ = std::chrono::steady_clock::now();
            compare_.a = &rendered_;
            compare_.label_a = "rendered frame " + std::to_string(shown_ + 1);
            compare_.b = &content_;
            compare_.label_b = "content frame " + std::to_string(shown_ + 1);
        }
    }
    // Playing: the next frame once this one has been on screen for 1/fps (looping at the end).
    if (playing_ && shown_ == asked_ && shown_ >= 0 &&
        std::chrono::duration<double>(std::chrono::steady_clock::now() - shown_at_).count() >= 1.0 / fps_)
        ask(shown_ >= last_frame() ? first_ : shown_ + 1);
}

void Playback::run(std::stop_token stop) {
    std::unique_ptr<nst::video::FrameSource> rendered, content;
    std::string rendered_path, content_path;
    while (!stop.stop_requested()) {
        Request r;
        {
            std::unique_lock lock(mu_);
            cv_.wait(lock, stop, [&] { return request_.has_value(); });
            if (stop.stop_requested()) return;
            r = *std::exchange(request_, std::nullopt);
        }
        Decoded d;
        d.frame = r.frame;
        try {
            if (!rendered || rendered_path != r.output || r.reopen) {
                rendered = nst::video::open_frames(r.output);
                rendered_path = r.output;
            }
            if (!content || content_path != r.clip) {
                content = nst::video::open_frames(r.clip);
                content_path = r.clip;
            }
            const nst::Image out = rendered->frame(r.frame - r.first);
            nst::Image in = content->frame(r.frame);
            if (in.width != out.width || in.height != out.height) in = nst::resize_to(in, out.width, out.height);
            d.rendered = to_rgba8(out);
            d.content = to_rgba8(in);
        } catch (const std::exception& e) {
            d.error = e.what();
            rendered.reset();  // opened again next time (the file may be rewritten by a new render)
        }
        {
            const std::lock_guard lock(mu_);
            decoded_ = std::move(d);
        }
        if (wake_) wake_();
    }
}

}  // namespace nstv
