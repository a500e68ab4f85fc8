#pragma once
// The render mode of the optimizer thread ("Render final..."), the part of Runner<Stepper> that
// builds, steps, previews, writes and cancels one render at print size. The Runner hands it the
// stepper and says when to begin, step or cancel; this keeps the render's progress, publishes it
// through its own triple buffer and says how it ended. The UI side (number a render, cancel, poll)
// never waits.
//
// A Stepper with a render mode provides (all or none; see Renders):
//   using RenderTarget = ...;
//   void start_render(const RenderTarget&, TileHook);  // builds it from the current run; throws,
//                                        // changing nothing. The hook is to be called after each
//                                        // tile of a step (EngineOptions::on_tile) and may throw
//                                        // RenderCancelled, which must leave the stepper usable
//   void render_step();                  // one step of the render; may throw (the render then ends)
//   bool rendering() const;
//   void render_status(RenderFrame&, bool preview);  // size, steps done and asked, tiles; with
//                                        // `preview` also a new preview image
//   std::string finish_render();         // writes the output (complete or not at all); its path
//   void stop_render();                  // frees the render (its engine and memory)
// Cancelling takes effect at the next tile: the hook throws RenderCancelled out of the step under way.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <exception>
#include <functional>
#include <string>
#include <utility>
#include <variant>

#include "run/frame.h"
#include "run/triple_buffer.h"

namespace nstv {

template <class S>
concept Renders = requires { typename S::RenderTarget; };
template <class S>
struct RenderTargetOf {
    using type = std::monostate;  // a stepper without a render mode: the command is never sent
};
template <Renders S>
struct RenderTargetOf<S> {
    using type = typename S::RenderTarget;
};

// Render mode: called on the optimizer thread after each tile of a step (pass 1|2, tiles done in
// that pass, tiles per pass), as nst::EngineOptions::on_tile.
using TileHook = std::function<void(int pass, int done, int total)>;

// Thrown by the render's tile hook (out of the engine's step) when the render was cancelled.
struct RenderCancelled : std::exception {
    [[nodiscard]] const char* what() const noexcept override { return "render cancelled"; }
};

// "45 s", "12 min", "1 h 5 min": render times and time left.
inline std::string duration_text(double seconds) {
    const long s = std::lround(std::max(0.0, seconds));
    if (s < 60) return std::to_string(s) + " s";
    const long m = (s + 30) / 60;
    if (m < 60) return std::to_string(m) + " min";
    return std::to_string(m / 60) + " h " + std::to_string(m % 60) + " min";
}

// The first line of a message (LibTorch's errors carry a backtrace after it).
inline std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

template <class Stepper>
class RenderMode {
public:
    using Target = typename RenderTargetOf<Stepper>::type;

    // `quit` also cancels (the render stops at its next tile); `on_publish` runs after each
    // publication (wakes the UI).
    RenderMode(const std::atomic<bool>& quit, Notify notify, std::function<void()> on_publish)
        : quit_(quit), notify_(std::move(notify)), on_publish_(std::move(on_publish)) {}

    // ---- UI side -------------------------------------------------------------------------
    // The number the render about to be asked for gets (RenderFrame::render).
    std::uint64_t number_next() { return ++sent_; }
    // Every render asked for so far counts as cancelled from now on.
    void cancel_sent() { cancel_upto_.store(sent_, std::memory_order_release); }
    const RenderFrame* poll() { return frames_.update() ? &frames_.front() : nullptr; }
    // Built, stepped or written now (the main run waits).
    [[nodiscard]] bool active() const { return active_.load(std::memory_order_relaxed); }

    // ---- Optimizer thread ----------------------------------------------------------------
    void begin(Stepper& stepper, const Target& target) {
        ++number_;
        if (stepper.rendering()) stepper.stop_render();
        state_ = RenderFrame{};
        state_.render = number_;
        t0_ = Clock::now();
        if (cancelled()) {
            end(stepper, RenderFrame::Phase::Cancelled, "render cancelled before it started; the live run carries on");
            return;
        }
        active_.store(true);
        publish();  // "preparing": building can take a while at print size
        try {
            stepper.start_render(target, [this](int pass, int done, int total) { tile(pass, done, total); });
            state_.phase = RenderFrame::Phase::Stepping;
            stepper.render_status(state_, true);  // the start image, upsampled
            steps_t0_ = last_preview_ = Clock::now();
            step_ms_ = 0;
            publish();
        } catch (const RenderCancelled&) {
            end(stepper, RenderFrame::Phase::Cancelled, cancelled_text(stepper));
        } catch (const std::exception& e) {
            end(stepper, RenderFrame::Phase::Failed,
                "could not start the render (the live run carries on): " + first_line(e.what()));
        }
    }

    void step(Stepper& stepper) {
        try {
            if (cancelled()) throw RenderCancelled();
            state_.pass = state_.tile = 0;
            const auto t0 = Clock::now();
            stepper.render_step();
            const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
            step_ms_ = step_ms_ == 0 ? ms : 0.8 * step_ms_ + 0.2 * ms;
            // A preview now and then: after the first step, then every 2 s or ten times what one
            // costs, whichever is longer (a print-size result is a large copy to make).
            const bool preview = state_.step == 0 || seconds_since(last_preview_) >= std::max(2.0, 10 * preview_s_);
            const auto p0 = Clock::now();
            stepper.render_status(state_, preview);
            if (preview) {
                preview_s_ = seconds_since(p0);
                last_preview_ = Clock::now();
            }
            state_.pass = state_.tile = 0;
            state_.ms_per_step = step_ms_;
            update_eta();
            if (finished(stepper)) {
                state_.phase = RenderFrame::Phase::Writing;
                state_.left_s = 0;
                publish();
                state_.path = stepper.finish_render();
                std::string what = size_text();
                if constexpr (requires(const Stepper& s) { s.render_done_text(); }) what = stepper.render_done_text();
                end(stepper, RenderFrame::Phase::Done,
                    "Rendered " + what + " to " + state_.path + " in " + duration_text(seconds_since(t0_)));
                return;
            }
            publish();
        } catch (const RenderCancelled&) {
            end(stepper, RenderFrame::Phase::Cancelled, cancelled_text(stepper));
        } catch (const std::exception& e) {
            const std::string where = state_.phase == RenderFrame::Phase::Writing
                                          ? std::string(" (writing)")
                                          : " at step " + std::to_string(state_.step + 1);
            end(stepper, RenderFrame::Phase::Failed,
                "render of " + size_text() + " failed" + where + " (the live run carries on): " + first_line(e.what()));
        }
    }

    // A start command with no stepper to build it (the optimizer failed to start): it only counts.
    void begin_without_stepper() { ++number_; }

    // The cancel command: ends the render under way, if any.
    void cancel(Stepper& stepper) {
        if (active()) end(stepper, RenderFrame::Phase::Cancelled, cancelled_text(stepper));
    }

private:
    using Clock = std::chrono::steady_clock;
    static constexpr const char* kCancelled = "render cancelled: nothing was written; the live run carries on";

    // A stepper may say itself when its render is done (a clip's step count is only known at its
    // end); otherwise when the steps asked for are done.
    [[nodiscard]] bool finished(const Stepper& stepper) const {
        if constexpr (requires(const Stepper& s) { s.render_done(); }) return stepper.render_done();
        return state_.step >= state_.steps;
    }
    // What a cancel tells: the stepper's own words (a clip keeps its finished frames) or kCancelled.
    [[nodiscard]] static std::string cancelled_text(const Stepper& stepper) {
        if constexpr (requires(const Stepper& s) { s.render_cancelled_text(); }) {
            std::string text = stepper.render_cancelled_text();
            if (!text.empty()) return text + "; the live run carries on";
        }
        return kCancelled;
    }

    [[nodiscard]] bool cancelled() const {
        return quit_.load(std::memory_order_acquire) || cancel_upto_.load(std::memory_order_acquire) >= number_;
    }
    static double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }
    [[nodiscard]] std::string size_text() const {
        return std::to_string(state_.width) + "x" + std::to_string(state_.height);
    }

    // The tile hook: progress within a long step, and where a cancel takes effect.
    void tile(int pass, int done, int total) {
        if (cancelled()) throw RenderCancelled();
        state_.pass = pass;
        state_.tile = done;
        state_.tiles = total;
        update_eta();
        // A few publications a second at most: small tiles take milliseconds.
        if (seconds_since(last_publish_) >= 0.1) publish();
    }

    // Time left from the steps done so far (RenderFrame::steps_done: the step under way counts).
    void update_eta() {
        const double done = state_.steps_done();
        state_.elapsed_s = seconds_since(t0_);
        if (done > 0.02) state_.left_s = seconds_since(steps_t0_) / done * std::max(0.0, state_.steps - done);
    }

    // Frees the render, publishes how it ended and says so; the main run steps again.
    void end(Stepper& stepper, RenderFrame::Phase phase, std::string message) {
        try {
            stepper.stop_render();
        } catch (const std::exception& e) {
            notify_(Notice{Notice::Level::Error, std::string("could not free the render: ") + e.what(), {}});
        }
        state_.phase = phase;
        state_.message = message;
        state_.elapsed_s = seconds_since(t0_);
        if (phase != RenderFrame::Phase::Done) state_.left_s = -1;
        // The publication first: a UI that sees active() false also gets how it ended.
        publish();
        active_.store(false);
        notify_(Notice{phase == RenderFrame::Phase::Failed ? Notice::Level::Error : Notice::Level::Info,
                       std::move(message), {}});
    }

    void publish() {
        RenderFrame& f = frames_.back();
        f = state_;
        f.seq = ++seq_;
        frames_.publish();
        last_publish_ = Clock::now();
        if (on_publish_) on_publish_();
    }

    const std::atomic<bool>& quit_;
    Notify notify_;
    std::function<void()> on_publish_;
    TripleBuffer<RenderFrame> frames_;  // optimizer -> UI
    std::atomic<bool> active_{false};
    std::atomic<std::uint64_t> cancel_upto_{0};  // renders up to this number are cancelled
    std::uint64_t sent_ = 0;                     // UI thread only

    // Optimizer thread only.
    std::uint64_t number_ = 0;  // renders asked for so far (the one under way is the last)
    RenderFrame state_;         // the one under way, copied into each publication
    std::uint64_t seq_ = 0;
    Clock::time_point t0_, steps_t0_, last_preview_, last_publish_;
    double step_ms_ = 0, preview_s_ = 0;
};

}  // namespace nstv
