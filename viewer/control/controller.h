#pragma once
// The UI thread's side of the run: owns the optimizer thread (Runner<EngineStepper>) and the
// ControlState the panels edit, turns the panels' ControlActions into runner calls, and receives
// what the optimizer sends back (frames, losses, notices, parameters it refused). Never waits for
// a step. It also keeps the UI's record of the inputs true: every re-target is a numbered request,
// and when one fails (a bad file) the state goes back to the request the optimizer still runs on.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "app/options.h"
#include "control/control_state.h"
#include "probe/frame_stats.h"
#include "run/json_log.h"
#include "run/runner.h"
#include "steppers/engine_stepper.h"

namespace nstv {

class Controller {
public:
    // Starts the optimizer thread on the options' inputs. `log` (may be null) must outlive this;
    // `wake` (thread-safe) is called on the optimizer thread after each new image.
    Controller(const ViewerOptions& o, JsonLog* log, FrameStats& stats, std::function<void()> wake);
    ~Controller() { stop(); }
    Controller(const Controller&) = delete;
    Controller& operator=(const Controller&) = delete;

    // The optimizer finishes its current step and stops.
    void stop() { runner_.reset(); }

    // Per frame: the runner's status and the newest frame, if there is one not seen yet (valid
    // until the next call that returns one).
    const Frame* receive();
    template <class Fn>
    void drain_samples(Fn&& fn) { runner_->drain_samples(std::forward<Fn>(fn)); }
    // The optimizer's notices (errors, recoveries) since the last call.
    std::vector<Notice> take_notices();
    // The controller's own confirmations ("re-targeting in the background..."), for the window only.
    struct Message {
        Notice::Level level;
        std::string text;
        double seconds;
    };
    std::vector<Message> take_messages() { return std::exchange(messages_, {}); }

    void apply(const ControlActions& a);
    // Live switch to downloaded weights, carrying on from the current image.
    void switch_weights(const std::filesystem::path& path);
    // Puts every parameter of `s` back (weights, lr, layers, blend, styles, colour mode, scale, statistic,
    // optimiser, average, content, size, levels, network...): instant ones as a parameter change, the rest as
    // one re-target. With `start` the run restarts from that image (e.g. a snapshot's); otherwise it carries on
    // from the current image where the inputs allow.
    // `frame`: with a clip as the content, the frame to be on (0-based; -1 keeps the one shown).
    void adopt_settings(const nst::RunSettings& s, const nst::Image* start = nullptr, int frame = -1);

    // A clip as the content: the timeline's cursor moved to `frame` (0-based, clamped to the clip).
    // The run follows one frame move at a time; while one is in flight only the newest is kept.
    void goto_frame(int frame);
    // The clip's frame count as the optimizer reported it (0: the content is a still).
    [[nodiscard]] int clip_frames() const { return sources_ && !sources_->video.empty() ? sources_->frames : 0; }

    // Sweep mode (sweep_panel.cpp): the optimizer steps the grid instead of the main run, which
    // carries on as it was after stop_sweep(). status().sweeping / sweep_commands_handled follow.
    void start_sweep(SweepSetup s) { runner_->start_sweep(std::move(s)); }
    void stop_sweep() { runner_->stop_sweep(); }
    [[nodiscard]] const SweepFrame* poll_sweep_frame() { return runner_->poll_sweep_frame(); }

    // Render mode (render_panel.cpp): the optimizer renders at print size instead of stepping the
    // main run, which carries on as it was when the render ends. Returns the render's number
    // (RenderFrame::render); cancel_render() stops every render asked for so far.
    std::uint64_t start_render(RenderSetup r) { return runner_->start_render(std::move(r)); }
    void cancel_render() { runner_->cancel_render(); }
    [[nodiscard]] const RenderFrame* poll_render_frame() { return runner_->poll_render_frame(); }

    [[nodiscard]] ControlState& state() { return state_; }
    [[nodiscard]] const RunnerStatus& status() const { return status_; }
    [[nodiscard]] const Frame* frame() const { return frame_; }
    [[nodiscard]] const Sources* sources() const { return sources_.get(); }
    [[nodiscard]] const EngineInfo& info() const { return *info_; }
    [[nodiscard]] double steps_per_s() const { return steps_per_s_; }
    // The shown result comes from untrained features.
    [[nodiscard]] bool showing_random() const {
        return sources_ ? sources_->random_features : state_.applied.options.features.random();
    }

private:
    using EngineRunner = Runner<EngineStepper>;
    using Clock = std::chrono::steady_clock;
    void say(std::string text, double seconds = 4.0, Notice::Level level = Notice::Level::Info) {
        messages_.push_back(Message{level, std::move(text), seconds});
    }
    // Every re-target goes through here: numbers it, remembers it, makes it the applied setup.
    void send(EngineSetup t);
    // Once every request is handled: if the last ones failed, back to the one that runs.
    void settle_requests();
    void change_styles(const ControlActions& a);
    void adjust_beta_for_statistic(nst::StyleLoss from);
    void adjust_alpha_for_content_loss(nst::ContentLoss from);
    void toggle_colors_only();
    void toggle_texture();
    void follow_frame();  // sends the frame move the cursor asks for, when none is in flight

    const ViewerOptions& opts_;
    JsonLog* log_;
    FrameStats& stats_;
    std::shared_ptr<EngineInfo> info_ = std::make_shared<EngineInfo>();
    ControlState state_;
    std::unique_ptr<EngineRunner> runner_;
    RunnerStatus status_;
    bool resume_after_colors_only_ = false;  // colours only paused a running optimisation
    const Frame* frame_ = nullptr;
    std::shared_ptr<const Sources> sources_;
    std::vector<Message> messages_;

    struct Request {
        EngineSetup setup;
        std::vector<StyleEntry> styles;  // the style list (with its weights) when it was sent
    };
    std::map<std::uint64_t, Request> requests_;  // the one running and any sent after it
    std::uint64_t sent_ = 0;
    std::uint64_t settled_ = 0;  // sent_ when settle_requests last looked at the outcome

    // The scrub latency: the frame move being timed (its request number) and when it was sent.
    std::uint64_t scrub_request_ = 0;
    Clock::time_point scrub_sent_;

    Clock::time_point rate_t0_ = Clock::now();
    long rate_steps0_ = 0;
    double steps_per_s_ = 0;
};

}  // namespace nstv
