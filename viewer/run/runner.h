#pragma once
// The optimizer thread. It owns a "stepper" (the real one wraps nst::Engine and every LibTorch
// object; tests use a fake), takes commands from a queue, reads the parameter snapshot at the
// start of each step and publishes images through a triple buffer every N steps. The UI-side
// methods never wait for a step: commands take a mutex that the optimizer holds only to swap the
// queue out, parameters and images go through lock-free triple buffers, per-step losses through a
// lock-free ring, and notices through a mutex the UI only ever try-locks.
//
// A Stepper provides:
//   using Params = ...; using Target = ...;
//   void apply(const Params&);          // usually cheap, in place (weights, learning rate); may
//                                       // throw to refuse them, keeping the previous ones
//   StepLosses step();                  // one optimisation step; may throw
//   void render(Frame&);                // fill frame.image (and frame.sources)
//   void reset();                       // restart from the initial image
//   void retarget(const Target&);       // new targets; on failure throws and keeps the old state
//   bool ready() const;                 // has targets, can step
//   long steps() const;                 // steps done since the last restart
//   const Params& params() const;       // what the last step used (the stepper may adjust them)
// and optionally:
//   bool slow_to_apply(const Params&) const;  // apply() will take a while: status shows "busy"
//   void sync();                        // picks up what the UI published elsewhere (the painted
//                                       // regions), with the parameters: before each step, refresh,
//                                       // reset and re-target
// and for the sweep mode (all or none; see detail::Sweeps):
//   using SweepTarget = ...;
//   void start_sweep(const SweepTarget&);  // builds it from the current run; throws, changing nothing
//   void stop_sweep();
//   bool sweeping() const;
//   void sweep_step();                   // one step of every cell; may throw (the sweep then ends)
//   void render_sweep(SweepFrame&);
// While a sweep runs, the thread steps it instead of the main run (which keeps its image, state and
// paused flag, and carries on as it was when the sweep stops); its grid goes through its own
// triple buffer.
// and for the render mode ("Render final..."): see render_mode.h. A render also replaces the main
// run's steps until it ends (done, cancelled, failed); a sweep running when it starts is stopped
// (its memory is the render's).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "nst/error.h"
#include "run/frame.h"
#include "run/render_mode.h"
#include "run/spsc_ring.h"
#include "run/triple_buffer.h"

namespace nstv {

namespace detail {
template <class S>
concept Sweeps = requires { typename S::SweepTarget; };
template <class S>
struct SweepTargetOf {
    using type = std::monostate;  // a stepper without a sweep mode: the command is never sent
};
template <Sweeps S>
struct SweepTargetOf<S> {
    using type = typename S::SweepTarget;
};

}  // namespace detail

struct RunnerStatus {
    long steps = 0;
    bool paused = false;
    bool busy = false;    // re-targeting / resetting / building
    bool ready = false;   // targets exist, steps can run
    bool running = false; // thread alive
    double ms_per_step = 0;  // smoothed
    // Re-target commands handled so far, whether they succeeded or failed; the UI compares it with
    // the number it sent to know when the inputs it asked for are settled.
    std::uint64_t retargets_handled = 0;
    // Sweep mode: a sweep is being stepped; start/stop commands handled so far (the UI compares it
    // with the number it sent: handled and not sweeping means the start failed, a notice says why).
    bool sweeping = false;
    std::uint64_t sweep_commands_handled = 0;
    // Render mode: a render is being built, stepped or written; start/cancel commands handled.
    bool rendering = false;
    std::uint64_t render_commands_handled = 0;
};

template <class Stepper>
class Runner {
public:
    using Params = typename Stepper::Params;
    using Target = typename Stepper::Target;
    using SweepTarget = typename detail::SweepTargetOf<Stepper>::type;
    using RenderTarget = typename RenderMode<Stepper>::Target;
    using Factory = std::function<std::unique_ptr<Stepper>(Notify)>;
    // Called on the optimizer thread after each step with the parameters that step used.
    using StepHook = std::function<void(const LossSample&, const Params&)>;

    struct Options {
        bool start_paused = false;
        int update_every = 1;
        long stop_at = 0;  // pause (and publish) when this step is reached; 0 = never
        StepHook on_step;
        std::function<void()> on_publish;  // optimizer thread, after each publication (wake the UI)
    };

    Runner(Factory factory, const Params& initial, Options options)
        : factory_(std::move(factory)), on_step_(std::move(options.on_step)),
          on_publish_(std::move(options.on_publish)),
          stop_at_(options.stop_at), paused_(options.start_paused),
          update_every_(std::max(1, options.update_every)),
          render_(quit_, [this](Notice n) { notify(std::move(n)); }, on_publish_) {
        params_.back() = initial;
        params_.publish();
        thread_ = std::thread([this] { run(); });
    }
    ~Runner() {
        quit();
        join();
    }
    Runner(const Runner&) = delete;
    Runner& operator=(const Runner&) = delete;

    // ---- UI side -------------------------------------------------------------------------
    void pause() { push(Cmd{Pause{}}); }
    void resume() { push(Cmd{Resume{}}); }
    void step_once() { push(Cmd{StepOnce{}}); }
    void reset() { push(Cmd{Reset{}}); }
    void retarget(Target target) { push(Cmd{Retarget{std::move(target)}}); }
    // Sweep mode: the main run stops stepping and the sweep steps instead, until stop_sweep().
    void start_sweep(SweepTarget target) { push(Cmd{StartSweep{std::move(target)}}); }
    void stop_sweep() { push(Cmd{StopSweep{}}); }
    // Render mode: the main run stops stepping while the render is built, stepped and written;
    // then it carries on as it was. Returns the render's number (RenderFrame::render).
    std::uint64_t start_render(RenderTarget target) {
        push(Cmd{StartRender{std::move(target)}});
        return render_.number_next();
    }
    // Cancels every render asked for so far: the one under way stops at its next tile, writes
    // nothing and is freed.
    void cancel_render() {
        render_.cancel_sent();
        push(Cmd{CancelRender{}});
    }
    // Applies the newest parameters now and publishes the image, even while paused (a change that
    // only alters what is shown, or new targets computed before the next step is asked for).
    void refresh() { push(Cmd{Refresh{}}); }
    // The optimizer finishes the step it is in and stops; join() waits for that.
    void quit() {
        quit_.store(true, std::memory_order_release);
        push(Cmd{Quit{}});
    }
    void join() {
        if (thread_.joinable()) thread_.join();
    }

    // Takes effect at the start of the next step (or at refresh()). If the stepper refuses them, it
    // keeps its previous parameters, an error notice says why and take_kept_params() returns them.
    void set_params(const Params& p) {
        params_.back() = p;
        params_.publish();
    }
    void set_update_every(int n) { update_every_.store(std::max(1, n), std::memory_order_relaxed); }

    // The newest publication if there is one the caller has not seen yet, else nullptr. The
    // pointer stays valid until the next call.
    const Frame* poll_frame() { return frames_.update() ? &frames_.front() : nullptr; }
    // The same for the sweep's grid.
    const SweepFrame* poll_sweep_frame() { return sweep_frames_.update() ? &sweep_frames_.front() : nullptr; }
    // The same for the render's progress.
    const RenderFrame* poll_render_frame() { return render_.poll(); }

    template <class Fn>
    std::size_t drain_samples(Fn&& fn) { return samples_.drain(std::forward<Fn>(fn)); }

    // The parameters the stepper kept after refusing newer ones, once per refusal (else nullopt).
    std::optional<Params> take_kept_params() {
        if (!kept_.update()) return std::nullopt;
        return kept_.front();
    }

    // Never blocks: if the optimizer is posting a notice right now, they come next frame.
    std::vector<Notice> take_notices() {
        std::vector<Notice> out;
        std::unique_lock lock(notice_mu_, std::try_to_lock);
        if (lock.owns_lock()) out.swap(notices_);
        return out;
    }

    [[nodiscard]] RunnerStatus status() const {
        RunnerStatus s;
        s.steps = steps_.load(std::memory_order_relaxed);
        s.paused = paused_.load(std::memory_order_relaxed);
        s.busy = busy_.load(std::memory_order_relaxed);
        s.ready = ready_.load(std::memory_order_relaxed);
        s.running = running_.load(std::memory_order_relaxed);
        s.ms_per_step = ms_per_step_.load(std::memory_order_relaxed);
        s.retargets_handled = retargets_handled_.load(std::memory_order_acquire);
        s.sweeping = sweeping_.load(std::memory_order_relaxed);
        s.sweep_commands_handled = sweep_commands_.load(std::memory_order_acquire);
        s.rendering = render_.active();
        s.render_commands_handled = render_commands_.load(std::memory_order_acquire);
        return s;
    }
    [[nodiscard]] std::uint64_t publications() const { return seq_.load(std::memory_order_relaxed); }
    [[nodiscard]] std::uint64_t dropped_samples() const { return samples_.dropped(); }

private:
    struct Pause {};
    struct Resume {};
    struct StepOnce {};
    struct Reset {};
    struct Retarget { Target target; };
    struct Refresh {};
    struct Quit {};
    struct StartSweep { SweepTarget target; };
    struct StopSweep {};
    struct StartRender { RenderTarget target; };
    struct CancelRender {};
    using Cmd = std::variant<Pause, Resume, StepOnce, Reset, Retarget, Refresh, Quit, StartSweep, StopSweep,
                             StartRender, CancelRender>;

    void push(Cmd c) {
        {
            const std::lock_guard lock(mu_);
            queue_.push_back(std::move(c));
        }
        cv_.notify_one();
    }

    void notify(Notice n) {
        const std::lock_guard lock(notice_mu_);
        notices_.push_back(std::move(n));
    }
    void notify_error(const char* what, const std::exception& e) {
        notify(Notice{Notice::Level::Error, std::string(what) + ": " + e.what(), {}});
    }

    // The optimizer thread's loop.
    void run() {
        running_.store(true);
        try {
            stepper_ = factory_([this](Notice n) { notify(std::move(n)); });
        } catch (const std::exception& e) {
            notify_error("could not start the optimizer", e);
        }
        ready_.store(stepper_ && stepper_->ready());
        while (true) {
            std::deque<Cmd> cmds;
            {
                std::unique_lock lock(mu_);
                cv_.wait(lock, [&] { return !queue_.empty() || can_step(); });
                cmds.swap(queue_);
            }
            bool refresh = false;  // several in one batch: one publication is enough
            for (auto& c : cmds) {
                if (std::holds_alternative<Quit>(c)) break;
                if (std::holds_alternative<Refresh>(c)) {
                    refresh = true;
                    continue;
                }
                try {
                    handle(c);
                } catch (const std::exception& e) {
                    notify_error("command failed", e);
                }
            }
            if (quit_.load(std::memory_order_acquire)) break;
            if (refresh && ready_.load())
                guarded("could not apply the parameters", [&] {
                    apply_params();
                    publish();
                });
            if (can_step()) do_step();
        }
        stepper_.reset();  // LibTorch objects die on the thread that made them
        running_.store(false);
    }

    [[nodiscard]] bool can_step() const {
        if (stepper_ && (sweeping_.load(std::memory_order_relaxed) || render_.active()))
            return true;
        return stepper_ && ready_.load(std::memory_order_relaxed) &&
               (!paused_.load(std::memory_order_relaxed) || pending_steps_ > 0);
    }

    // Hands the newest parameters to the stepper. A refusal (the stepper throws and keeps its
    // previous parameters) is the user's to fix, not a reason to stop: it becomes an error notice
    // and the kept parameters go back to the UI.
    void apply_params() {
        if constexpr (requires(Stepper& s) { s.sync(); }) stepper_->sync();
        if (!params_.update()) return;
        const Params& p = params_.front();
        bool slow = false;
        if constexpr (requires(const Stepper& s, const Params& q) { s.slow_to_apply(q); }) slow = stepper_->slow_to_apply(p);
        const bool was_busy = slow && busy_.exchange(true);
        try {
            stepper_->apply(p);
        } catch (const std::exception& e) {
            kept_.back() = stepper_->params();
            kept_.publish();
            notify_error("parameters refused, the previous ones are kept", e);
        }
        if (slow) busy_.store(was_busy);
    }

    void handle(Cmd& c) {
        std::visit(
            [&](auto& cmd) {
                using T = std::decay_t<decltype(cmd)>;
                if constexpr (std::is_same_v<T, Pause>) {
                    paused_.store(true);
                    pending_steps_ = 0;
                    if (stepper_ && ready_.load() && last_published_ != steps_.load()) publish();
                } else if constexpr (std::is_same_v<T, Resume>) {
                    paused_.store(false);
                    pending_steps_ = 0;
                } else if constexpr (std::is_same_v<T, StepOnce>) {
                    paused_.store(true);
                    ++pending_steps_;
                } else if constexpr (std::is_same_v<T, Reset>) {
                    guarded("reset failed", [&] {
                        apply_params();
                        stepper_->reset();
                        steps_.store(stepper_->steps());
                        publish();
                    });
                } else if constexpr (std::is_same_v<T, Retarget>) {
                    guarded("could not re-target", [&] {
                        apply_params();
                        stepper_->retarget(cmd.target);
                        steps_.store(stepper_->steps());
                        publish();
                        // The first step on new targets shows at once, whatever the interval
                        // (scrubbing a clip: the look on the new frame, as soon as it exists).
                        publish_next_step_ = true;
                    });
                    // After the publication, so a UI that sees the count also gets the frame.
                    retargets_handled_.fetch_add(1, std::memory_order_release);
                } else if constexpr (std::is_same_v<T, StartSweep>) {
                    if constexpr (detail::Sweeps<Stepper>) {
                        if (stepper_ && render_.active()) {
                            notify(Notice{Notice::Level::Error,
                                          "could not start the sweep: a render is running (cancel it first)", {}});
                        } else if (stepper_) {
                            try {
                                // A failure (bad values, out of memory) leaves the main run as it was.
                                stepper_->start_sweep(cmd.target);
                                sweep_ms_ = 0;
                                publish_sweep();  // the grid at once, every cell at its start image
                            } catch (const std::exception& e) {
                                notify_error("could not start the sweep (the run carries on)", e);
                            }
                            sweeping_.store(stepper_->sweeping());
                        }
                    }
                    sweep_commands_.fetch_add(1, std::memory_order_release);
                } else if constexpr (std::is_same_v<T, StopSweep>) {
                    if constexpr (detail::Sweeps<Stepper>) end_sweep();
                    sweep_commands_.fetch_add(1, std::memory_order_release);
                } else if constexpr (std::is_same_v<T, StartRender>) {
                    if constexpr (Renders<Stepper>) begin_render(cmd.target);
                    render_commands_.fetch_add(1, std::memory_order_release);
                } else if constexpr (std::is_same_v<T, CancelRender>) {
                    if constexpr (Renders<Stepper>)
                        if (stepper_) render_.cancel(*stepper_);
                    render_commands_.fetch_add(1, std::memory_order_release);
                }
            },
            c);
    }

    // Runs a state change on the stepper; failures become notices and the app carries on.
    template <class Fn>
    void guarded(const char* what, Fn&& fn) {
        if (!stepper_) return;
        busy_.store(true);
        try {
            fn();
        } catch (const std::exception& e) {
            notify_error(what, e);
        }
        ready_.store(stepper_->ready());
        busy_.store(false);
    }

    void do_step() {
        if constexpr (Renders<Stepper>) {
            if (render_.active()) {
                render_.step(*stepper_);
                return;
            }
        }
        if constexpr (detail::Sweeps<Stepper>) {
            if (sweeping_.load(std::memory_order_relaxed)) {
                do_sweep_step();
                return;
            }
        }
        try {
            apply_params();
            const auto t0 = std::chrono::steady_clock::now();
            const StepLosses losses = stepper_->step();
            const double ms =
                std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
            const long step = stepper_->steps();
            steps_.store(step);
            const double prev = ms_per_step_.load(std::memory_order_relaxed);
            ms_per_step_.store(prev == 0 ? ms : 0.8 * prev + 0.2 * ms, std::memory_order_relaxed);
            last_losses_ = losses;
            const LossSample sample{step, losses, ms};
            samples_.push(sample);
            if (on_step_) on_step_(sample, stepper_->params());
            bool single = false;
            if (pending_steps_ > 0) single = (--pending_steps_ == 0);
            if (stop_at_ > 0 && step == stop_at_) {
                paused_.store(true);
                pending_steps_ = 0;
                single = true;
            }
            if (single || publish_next_step_ || step % update_every_.load(std::memory_order_relaxed) == 0) publish();
            publish_next_step_ = false;
        } catch (const nst::StepInterrupted&) {
            // Stopped part way for new targets on their way (a frame move): nothing happened; the
            // commands come next.
        } catch (const std::exception& e) {
            notify_error("step failed (paused)", e);
            paused_.store(true);
            pending_steps_ = 0;
        }
        ready_.store(stepper_->ready());
    }

    // Sweep mode: one step of every cell; the grid is published every N steps like the main view.
    void do_sweep_step() {
        if constexpr (detail::Sweeps<Stepper>) {
            try {
                const auto t0 = std::chrono::steady_clock::now();
                stepper_->sweep_step();
                const double ms =
                    std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
                sweep_ms_ = sweep_ms_ == 0 ? ms : 0.8 * sweep_ms_ + 0.2 * ms;
                ++sweep_steps_;
                if (sweep_steps_ % update_every_.load(std::memory_order_relaxed) == 0) publish_sweep();
            } catch (const std::exception& e) {
                notify_error("sweep step failed (the sweep stopped, the run carries on)", e);
                end_sweep();
            }
        }
    }
    void end_sweep() {
        if constexpr (detail::Sweeps<Stepper>) {
            if (stepper_) stepper_->stop_sweep();
            sweeping_.store(false);
        }
    }
    void publish_sweep() {
        if constexpr (detail::Sweeps<Stepper>) {
            SweepFrame& f = sweep_frames_.back();
            stepper_->render_sweep(f);
            f.ms_per_step = sweep_ms_;
            f.seq = ++sweep_seq_;
            sweep_steps_ = f.step;
            sweep_frames_.publish();
            if (on_publish_) on_publish_();
        }
    }

    // Render mode: a sweep under way stops first (its memory is the render's).
    void begin_render(const RenderTarget& target) {
        if (!stepper_) {
            render_.begin_without_stepper();
            return;
        }
        if (sweeping_.load()) {
            end_sweep();
            notify(Notice{Notice::Level::Info, "the sweep stopped for the render", {}});
        }
        render_.begin(*stepper_, target);
    }

    void publish() {
        const auto t0 = std::chrono::steady_clock::now();
        Frame& f = frames_.back();
        stepper_->render(f);
        f.step = steps_.load();
        f.losses = last_losses_;
        f.ms_per_step = ms_per_step_.load(std::memory_order_relaxed);
        f.seq = seq_.load() + 1;
        f.publish_ms =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        frames_.publish();
        seq_.store(f.seq);
        last_published_ = f.step;
        if (on_publish_) on_publish_();
    }

    Factory factory_;
    StepHook on_step_;
    std::function<void()> on_publish_;
    const long stop_at_;
    std::unique_ptr<Stepper> stepper_;  // created, used and destroyed on the optimizer thread

    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<Cmd> queue_;

    std::mutex notice_mu_;
    std::vector<Notice> notices_;

    TripleBuffer<Params> params_;  // UI -> optimizer
    TripleBuffer<Params> kept_;    // optimizer -> UI: what the stepper kept after a refusal
    TripleBuffer<Frame> frames_;   // optimizer -> UI
    TripleBuffer<SweepFrame> sweep_frames_;  // optimizer -> UI, sweep mode
    SpscRing<LossSample, 8192> samples_;

    std::atomic<bool> quit_{false};
    std::atomic<bool> paused_;
    std::atomic<bool> busy_{false};
    std::atomic<bool> ready_{false};
    std::atomic<bool> running_{false};
    std::atomic<int> update_every_;
    std::atomic<long> steps_{0};
    std::atomic<double> ms_per_step_{0};
    std::atomic<std::uint64_t> seq_{0};
    std::atomic<std::uint64_t> retargets_handled_{0};
    std::atomic<bool> sweeping_{false};
    std::atomic<std::uint64_t> sweep_commands_{0};
    std::atomic<std::uint64_t> render_commands_{0};

    // Optimizer-thread only.
    int pending_steps_ = 0;
    bool publish_next_step_ = false;  // the step after a re-target is published whatever the interval
    long last_published_ = -1;
    StepLosses last_losses_;
    long sweep_steps_ = 0;         // steps of the sweep being run
    double sweep_ms_ = 0;          // its smoothed step time
    std::uint64_t sweep_seq_ = 0;  // sweep publications

    RenderMode<Stepper> render_;  // after quit_ and on_publish_, which it refers to / copies

    std::thread thread_;  // last: starts after every member above exists
};

}  // namespace nstv
