// Runner semantics with a fake stepper: publication cadence, pause/step/resume, parameter
// hand-over, failures and quitting mid-step. Built twice: plain and with ThreadSanitizer.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "fake_stepper.h"
#include "run/runner.h"

namespace nstv::testing {
namespace {

using Clock = std::chrono::steady_clock;
using FakeRunner = Runner<FakeStepper>;

bool wait_until(const std::function<bool()>& pred, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    const auto end = Clock::now() + timeout;
    while (Clock::now() < end) {
        if (pred()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return pred();
}

std::unique_ptr<FakeRunner> make_runner(FakeLog& log, bool paused, int update_every = 1,
                                        FakeRunner::StepHook hook = {}, long stop_at = 0) {
    FakeRunner::Options o;
    o.start_paused = paused;
    o.stop_at = stop_at;
    o.update_every = update_every;
    o.on_step = std::move(hook);
    auto r = std::make_unique<FakeRunner>(
        [&log](Notify n) { return std::make_unique<FakeStepper>(log, std::move(n)); }, FakeParams{}, o);
    r->retarget(FakeTarget{});
    return r;
}

// Waits until a pause request has been handled: the counter then must not move any more.
long settle(FakeRunner& r, FakeLog& log) {
    EXPECT_TRUE(wait_until([&] { return r.status().paused; }));
    EXPECT_TRUE(wait_until([&] { return log.started.load() == log.finished.load(); }));
    // One more round trip through the queue proves the optimizer has seen the pause.
    const auto seq = r.publications();
    r.reset();
    EXPECT_TRUE(wait_until([&] { return r.publications() > seq; }));
    return r.status().steps;
}

TEST(Runner, PublishesEveryNSteps) {
    FakeLog log;
    auto r = make_runner(log, false, 5);
    ASSERT_TRUE(wait_until([&] { return r->status().steps >= 40; }));
    r->pause();
    ASSERT_TRUE(wait_until([&] { return r->status().paused && log.started == log.finished; }));
    r->quit();
    r->join();
    const auto renders = log.renders();
    ASSERT_GE(renders.size(), 8u);
    // First render is the retarget (step 0), then the first step on those targets (published
    // whatever the interval: a frame move shows its first stylized step at once); the last may be
    // the pause's catch-up publication.
    EXPECT_EQ(renders.front(), 0);
    EXPECT_EQ(renders[1], 1);
    for (std::size_t i = 2; i + 1 < renders.size(); ++i) EXPECT_EQ(renders[i] % 5, 0) << "render " << i;
    for (std::size_t i = 1; i < renders.size(); ++i) EXPECT_GT(renders[i], renders[i - 1]);
}

TEST(Runner, ConsumerSeesNewestFrameOnly) {
    FakeLog log;
    auto r = make_runner(log, false, 1);
    ASSERT_TRUE(wait_until([&] { return r->status().steps >= 50; }));
    r->pause();
    ASSERT_TRUE(wait_until([&] { return r->status().paused && log.started == log.finished; }));
    const long steps = settle(*r, log);
    (void)steps;
    const Frame* f = r->poll_frame();
    ASSERT_NE(f, nullptr);
    EXPECT_EQ(f->step, 0);  // settle() reset: newest publication is the reset one
    EXPECT_EQ(r->poll_frame(), nullptr) << "no new publication since";
}

TEST(Runner, PauseStopsTheStepCounter) {
    FakeLog log;
    auto r = make_runner(log, false);
    ASSERT_TRUE(wait_until([&] { return r->status().steps >= 10; }));
    r->pause();
    settle(*r, log);
    const int started = log.started.load();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    EXPECT_EQ(r->status().steps, 0);
    EXPECT_EQ(log.started.load(), started);
    r->resume();
    ASSERT_TRUE(wait_until([&] { return r->status().steps >= 5; }));
}

TEST(Runner, OneStepAdvancesExactlyOne) {
    FakeLog log;
    auto r = make_runner(log, true);
    ASSERT_TRUE(wait_until([&] { return log.retargets.load() == 1; }));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_EQ(r->status().steps, 0);
    for (int i = 1; i <= 3; ++i) {
        r->step_once();
        ASSERT_TRUE(wait_until([&] { return r->status().steps == i; }));
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        EXPECT_EQ(r->status().steps, i);
        EXPECT_TRUE(r->status().paused);
    }
    // A single step is always published, whatever N is.
    const Frame* f = nullptr;
    ASSERT_TRUE(wait_until([&] { return (f = r->poll_frame()) != nullptr && f->step == 3; }));
}

TEST(Runner, StepWhileRunningPausesAfterOne) {
    FakeLog log;
    log.step_ms = 2;
    auto r = make_runner(log, false);
    ASSERT_TRUE(wait_until([&] { return r->status().steps >= 3; }));
    r->step_once();
    ASSERT_TRUE(wait_until([&] { return r->status().paused && log.started == log.finished; }));
    const long s = r->status().steps;
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    EXPECT_EQ(r->status().steps, s);
}

TEST(Runner, ParameterChangesReachTheNextStep) {
    FakeLog log;
    auto r = make_runner(log, true);
    for (int v = 1; v <= 5; ++v) {
        r->set_params(FakeParams{v});
        r->step_once();
        ASSERT_TRUE(wait_until([&] { return r->status().steps == v; }));
    }
    EXPECT_EQ(log.values(), (std::vector<int>{1, 2, 3, 4, 5}));
}

TEST(Runner, ParameterChangesWhileRunningAreSeenByTheHook) {
    FakeLog log;
    std::atomic<int> last_seen{-1};
    auto r = make_runner(log, false, 3, [&](const LossSample&, const FakeParams& p) { last_seen = p.value; });
    for (int v = 1; v <= 20; ++v) {
        r->set_params(FakeParams{v});
        std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    ASSERT_TRUE(wait_until([&] { return last_seen.load() == 20; }));
    const auto seen = log.values();
    EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
}

TEST(Runner, SamplesForEveryStep) {
    FakeLog log;
    auto r = make_runner(log, true, 7);
    for (int i = 0; i < 10; ++i) r->step_once();
    ASSERT_TRUE(wait_until([&] { return r->status().steps == 10; }));
    std::vector<long> steps;
    r->drain_samples([&](const LossSample& s) { steps.push_back(s.step); });
    ASSERT_EQ(steps.size(), 10u);
    for (int i = 0; i < 10; ++i) EXPECT_EQ(steps[i], i + 1);
}

TEST(Runner, QuitWhileSteppingFinishesTheStep) {
    FakeLog log;
    log.step_ms = 300;
    auto r = make_runner(log, false);
    ASSERT_TRUE(wait_until([&] { return log.started.load() >= 1; }));
    const auto t0 = Clock::now();
    r.reset();  // destructor: quit + join
    const auto waited = Clock::now() - t0;
    EXPECT_LT(waited, std::chrono::milliseconds(1500));
    EXPECT_EQ(log.started.load(), log.finished.load()) << "a step was abandoned half-way";
    EXPECT_LE(log.started.load(), 2);
}

TEST(Runner, FailuresBecomeNoticesAndTheRunnerCarriesOn) {
    FakeLog log;
    log.throw_at = 3;
    auto r = make_runner(log, false);
    ASSERT_TRUE(wait_until([&] { return r->status().paused && log.started.load() >= 3; }));
    r->retarget(FakeTarget{true, 4});
    std::vector<Notice> notices;
    ASSERT_TRUE(wait_until([&] {
        for (auto& n : r->take_notices()) notices.push_back(std::move(n));
        return std::count_if(notices.begin(), notices.end(),
                             [](const Notice& n) { return n.level == Notice::Level::Error; }) == 2;
    }));
    r->resume();
    const long s = r->status().steps;
    ASSERT_TRUE(wait_until([&] { return r->status().steps > s + 5; }));
}

// A step stopped part way for a frame move (nst::StepInterrupted) is no failure: no notice, no
// pause, no loss sample, and the run goes on.
TEST(Runner, AnInterruptedStepIsNeitherAFailureNorAStep) {
    FakeLog log;
    log.interrupt_at = 3;
    // The runner pauses itself at step 20: a test thread descheduled under load cannot let the
    // instant fake steps run past the sample ring's 8192 entries (seen in a CI run: 18039 steps).
    auto r = make_runner(log, false, 1, {}, 20);
    ASSERT_TRUE(wait_until([&] { return r->status().paused && log.started.load() == log.finished.load(); }));
    const long steps = r->status().steps;
    for (const Notice& n : r->take_notices())
        if (n.level != Notice::Level::Info) ADD_FAILURE() << "notice: " << n.text;
    std::vector<long> sampled;
    r->drain_samples([&](const LossSample& s) { sampled.push_back(s.step); });
    EXPECT_EQ(static_cast<long>(sampled.size()), steps) << "one sample per step that happened";
    EXPECT_EQ(log.started.load(), steps + 1) << "one step was started and interrupted";
    for (std::size_t i = 0; i < sampled.size(); ++i) EXPECT_EQ(sampled[i], static_cast<long>(i) + 1);
}

TEST(Runner, RetargetKeepsCountingAndPublishes) {
    FakeLog log;
    auto r = make_runner(log, true);
    for (int i = 0; i < 4; ++i) r->step_once();
    ASSERT_TRUE(wait_until([&] { return r->status().steps == 4; }));
    r->retarget(FakeTarget{false, 9});
    const Frame* f = nullptr;
    ASSERT_TRUE(wait_until([&] {
        const Frame* g = r->poll_frame();
        if (g) f = g;
        return f && f->image.width == 9;
    }));
    EXPECT_EQ(f->step, 4);
    EXPECT_EQ(r->status().steps, 4);
}

TEST(Runner, UiCallsDoNotWaitForASlowStep) {
    FakeLog log;
    log.step_ms = 500;
    auto r = make_runner(log, false);
    ASSERT_TRUE(wait_until([&] { return log.started.load() >= 1; }));
    const auto t0 = Clock::now();
    for (int i = 0; i < 100; ++i) {
        r->set_params(FakeParams{i});
        (void)r->poll_frame();
        (void)r->status();
        (void)r->take_notices();
        r->drain_samples([](const LossSample&) {});
        r->set_update_every(2);
    }
    r->pause();
    EXPECT_LT(Clock::now() - t0, std::chrono::milliseconds(100));
}

TEST(Runner, RefreshAppliesParametersAndPublishesWhilePaused) {
    FakeLog log;
    auto r = make_runner(log, true);
    ASSERT_TRUE(wait_until([&] { return log.retargets.load() == 1 && r->poll_frame() != nullptr; }));
    r->set_params(FakeParams{7});
    r->refresh();
    const Frame* f = nullptr;
    ASSERT_TRUE(wait_until([&] { return (f = r->poll_frame()) != nullptr; }));
    EXPECT_EQ(log.rendered().back(), 7) << "the refreshed frame is rendered with the new parameters";
    EXPECT_EQ(f->step, 0);
    EXPECT_EQ(log.started.load(), 0) << "a refresh is not a step";
    EXPECT_TRUE(r->status().paused);
}

TEST(Runner, RefusedParametersAreReportedAndTheOldOnesKept) {
    FakeLog log;
    log.refuse_value = 5;
    auto r = make_runner(log, true);
    r->set_params(FakeParams{3});
    r->step_once();
    ASSERT_TRUE(wait_until([&] { return r->status().steps == 1; }));
    EXPECT_FALSE(r->take_kept_params().has_value()) << "nothing was refused yet";
    r->set_params(FakeParams{5});
    r->step_once();
    ASSERT_TRUE(wait_until([&] { return r->status().steps == 2; }));
    std::vector<Notice> errors;
    ASSERT_TRUE(wait_until([&] {
        for (auto& n : r->take_notices())
            if (n.level == Notice::Level::Error) errors.push_back(std::move(n));
        return !errors.empty();
    }));
    EXPECT_NE(errors.front().text.find("value refused"), std::string::npos) << errors.front().text;
    const auto kept = r->take_kept_params();
    ASSERT_TRUE(kept.has_value());
    EXPECT_EQ(kept->value, 3);
    EXPECT_EQ(log.values(), (std::vector<int>{3, 3})) << "the step after the refusal ran with the kept value";
    EXPECT_TRUE(r->status().paused) << "only the single step ran; a refusal does not stop or start the run";
    r->resume();
    ASSERT_TRUE(wait_until([&] { return r->status().steps >= 5; })) << "a refusal does not stop the run";
}

TEST(Runner, RetargetsHandledCountsFailuresToo) {
    FakeLog log;
    auto r = make_runner(log, true);  // one re-target sent by make_runner
    r->retarget(FakeTarget{false, 5});
    r->retarget(FakeTarget{true, 6});
    ASSERT_TRUE(wait_until([&] { return r->status().retargets_handled == 3; }));
    EXPECT_EQ(log.retargets.load(), 2) << "the failed one changed nothing";
    // The count comes after the publication: the newest frame is the last successful re-target's.
    const Frame* f = r->poll_frame();
    ASSERT_NE(f, nullptr);
    EXPECT_EQ(f->image.width, 5);
}

// Sweep mode: the main run stops stepping while the grid steps and publishes through its own
// buffer every N steps, and carries on where it was when the sweep stops.
TEST(Runner, SweepReplacesTheMainStepsUntilStopped) {
    FakeLog log;
    log.step_ms = 1;
    auto r = make_runner(log, false, 3);
    ASSERT_TRUE(wait_until([&] { return r->status().steps >= 5; }));
    r->start_sweep(FakeSweepTarget{4, false});
    ASSERT_TRUE(wait_until([&] { return r->status().sweep_commands_handled == 1; }));
    EXPECT_TRUE(r->status().sweeping);
    const long main_steps = r->status().steps;
    ASSERT_TRUE(wait_until([&] { return log.sweep_steps.load() >= 12; }));
    EXPECT_EQ(r->status().steps, main_steps) << "the main run does not step during a sweep";
    EXPECT_EQ(static_cast<long>(log.values().size()), main_steps);
    const SweepFrame* f = r->poll_sweep_frame();
    ASSERT_NE(f, nullptr);
    ASSERT_EQ(f->cells.size(), 4u);
    EXPECT_EQ(f->cols, 4);
    EXPECT_EQ(f->step % 3, 0) << "published every 3 sweep steps";
    EXPECT_GE(f->step, 9);
    EXPECT_EQ(f->cells[2].image.pixels[0], 2);
    EXPECT_EQ(f->cells[2].losses.total, static_cast<double>(f->step));
    r->stop_sweep();
    ASSERT_TRUE(wait_until([&] { return r->status().sweep_commands_handled == 2; }));
    EXPECT_FALSE(r->status().sweeping);
    const int sweep_steps = log.sweep_steps.load();
    ASSERT_TRUE(wait_until([&] { return r->status().steps >= main_steps + 5; })) << "the main run carries on";
    EXPECT_EQ(log.sweep_steps.load(), sweep_steps) << "the sweep stepped after it was stopped";
}

TEST(Runner, SweepThatFailsToStartLeavesTheRunAsItWas) {
    FakeLog log;
    auto r = make_runner(log, true);
    ASSERT_TRUE(wait_until([&] { return r->status().ready; }));
    r->start_sweep(FakeSweepTarget{4, true});
    ASSERT_TRUE(wait_until([&] { return r->status().sweep_commands_handled == 1; }));
    EXPECT_FALSE(r->status().sweeping);
    EXPECT_EQ(r->poll_sweep_frame(), nullptr);
    std::vector<Notice> notes;
    ASSERT_TRUE(wait_until([&] {
        auto n = r->take_notices();
        notes.insert(notes.end(), n.begin(), n.end());
        return std::any_of(notes.begin(), notes.end(), [](const Notice& x) { return x.level == Notice::Level::Error; });
    }));
    EXPECT_NE(notes.back().text.find("out of memory"), std::string::npos) << notes.back().text;
    EXPECT_TRUE(r->status().paused) << "still paused: the failed sweep did not start the run";
    r->step_once();
    ASSERT_TRUE(wait_until([&] { return r->status().steps == 1; }));
}

TEST(Runner, SweepStepFailureEndsTheSweepOnly) {
    FakeLog log;
    log.sweep_throw_at = 4;
    auto r = make_runner(log, true);
    r->start_sweep(FakeSweepTarget{2, false});
    ASSERT_TRUE(wait_until([&] { return r->status().sweep_commands_handled == 1; }));
    ASSERT_TRUE(wait_until([&] { return !r->status().sweeping; })) << "the failing step ends the sweep";
    EXPECT_EQ(log.sweep_steps.load(), 3);
    EXPECT_EQ(r->status().steps, 0) << "the paused main run did not step";
}


// ---- Render mode ("Render final...") ------------------------------------------------------------

// Polls render publications until one of render `id` has ended; returns every one seen.
std::vector<RenderFrame> render_frames_until_end(FakeRunner& r, std::uint64_t id,
                                                 std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    std::vector<RenderFrame> seen;
    wait_until(
        [&] {
            if (const RenderFrame* f = r.poll_render_frame(); f && f->render == id) seen.push_back(*f);
            return !seen.empty() && seen.back().ended();
        },
        timeout);
    return seen;
}

std::vector<Notice> notices_until(FakeRunner& r, const std::function<bool(const Notice&)>& pred) {
    std::vector<Notice> notes;
    wait_until([&] {
        auto n = r.take_notices();
        notes.insert(notes.end(), n.begin(), n.end());
        return std::any_of(notes.begin(), notes.end(), pred);
    });
    return notes;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// The render replaces the main run's steps until it has written its file, then the main run
// carries on from where it was.
TEST(Runner, RenderReplacesTheMainStepsAndWritesWhenDone) {
    FakeLog log;
    log.step_ms = 1;
    log.tile_ms = 1;
    auto r = make_runner(log, false);
    ASSERT_TRUE(wait_until([&] { return r->status().steps >= 5; }));
    const std::uint64_t id = r->start_render(FakeRenderTarget{6, 4});
    EXPECT_EQ(id, 1u);
    const auto frames = render_frames_until_end(*r, id);
    ASSERT_FALSE(frames.empty());
    const RenderFrame& last = frames.back();
    EXPECT_EQ(last.phase, RenderFrame::Phase::Done) << last.message;
    EXPECT_EQ(last.step, 6);
    EXPECT_EQ(last.steps, 6);
    EXPECT_EQ(last.left_s, 0);
    EXPECT_TRUE(last.message.rfind("Rendered 8x6 to out.png in ", 0) == 0) << last.message;
    ASSERT_NE(last.preview, nullptr);
    EXPECT_EQ(log.render_tiles.load(), 6 * 2 * 4);
    EXPECT_EQ(log.renders_written.load(), 1);
    EXPECT_EQ(log.renders_stopped.load(), 1) << "the render's engine is freed when it is done";
    EXPECT_EQ(log.main_at_render_start.load(), log.main_at_render_stop.load())
        << "the main run stepped while the render ran";
    const auto notes = notices_until(*r, [](const Notice& n) { return contains(n.text, "Rendered 8x6"); });
    ASSERT_TRUE(std::any_of(notes.begin(), notes.end(), [](const Notice& n) {
        return n.level == Notice::Level::Info && contains(n.text, "Rendered 8x6 to out.png");
    }));
    const long main = r->status().steps;
    EXPECT_FALSE(r->status().rendering);
    ASSERT_TRUE(wait_until([&] { return r->status().steps >= main + 5; })) << "the main run carries on";
}

// Within a step the tiles are reported (pass, tile, tiles) with an estimate of the time left,
// and previews come with the steps.
TEST(Runner, RenderProgressReportsTilesAndTimeLeft) {
    FakeLog log;
    log.tile_ms = 30;  // a step of 2 x 4 tiles: 240 ms; progress is published every 100 ms at most
    auto r = make_runner(log, true);
    ASSERT_TRUE(wait_until([&] { return r->status().ready; }));
    const std::uint64_t id = r->start_render(FakeRenderTarget{3, 4});
    const auto frames = render_frames_until_end(*r, id);
    ASSERT_FALSE(frames.empty());
    EXPECT_EQ(frames.back().phase, RenderFrame::Phase::Done);
    const auto mid_step = std::find_if(frames.begin(), frames.end(), [](const RenderFrame& f) {
        return f.phase == RenderFrame::Phase::Stepping && f.pass > 0 && f.tile >= 1 && f.tile <= 4 && f.tiles == 4;
    });
    ASSERT_NE(mid_step, frames.end()) << "no publication within a step";
    const auto with_eta = std::find_if(frames.begin(), frames.end(), [](const RenderFrame& f) {
        return f.phase == RenderFrame::Phase::Stepping && f.left_s > 0;
    });
    ASSERT_NE(with_eta, frames.end()) << "no estimate of the time left";
    // 3 steps of ~240 ms: whatever was left can not be more than the whole render (with margin).
    EXPECT_LT(with_eta->left_s, 3.0);
    long prev = 0;
    for (const auto& f : frames) {
        EXPECT_GE(f.step, prev) << "steps went backwards";
        prev = f.step;
        EXPECT_GE(f.seq, 1u);
    }
    ASSERT_NE(frames.back().preview, nullptr);
    EXPECT_GE(log.previews.load(), 2) << "the start image and at least the first step";
    EXPECT_TRUE(r->status().paused) << "the paused main run stays paused";
    EXPECT_EQ(r->status().steps, 0);
}

// Cancel stops at the next tile, writes nothing, frees the render; the main run carries on.
TEST(Runner, RenderCancelStopsWithinOneTile) {
    FakeLog log;
    log.tile_ms = 20;
    log.step_ms = 1;
    auto r = make_runner(log, false);
    ASSERT_TRUE(wait_until([&] { return r->status().steps >= 2; }));
    const std::uint64_t id = r->start_render(FakeRenderTarget{1000, 4});
    ASSERT_TRUE(wait_until([&] { return log.render_tiles.load() >= 3; }));
    const int tiles_at_cancel = log.render_tiles.load();
    r->cancel_render();
    const auto frames = render_frames_until_end(*r, id);
    ASSERT_FALSE(frames.empty());
    EXPECT_EQ(frames.back().phase, RenderFrame::Phase::Cancelled);
    EXPECT_LE(log.render_tiles.load() - tiles_at_cancel, 1) << "more than the tile under way ran after the cancel";
    EXPECT_EQ(log.renders_written.load(), 0);
    EXPECT_EQ(log.renders_stopped.load(), 1);
    EXPECT_FALSE(r->status().rendering);
    const long main = r->status().steps;
    ASSERT_TRUE(wait_until([&] { return r->status().steps >= main + 3; })) << "the main run carries on";
    // A render asked for after the cancel is not cancelled by it.
    const std::uint64_t id2 = r->start_render(FakeRenderTarget{2, 2});
    EXPECT_EQ(id2, id + 1);
    const auto second = render_frames_until_end(*r, id2);
    ASSERT_FALSE(second.empty());
    EXPECT_EQ(second.back().phase, RenderFrame::Phase::Done) << second.back().message;
    EXPECT_EQ(log.renders_written.load(), 1);
}

// An engine error in a step (out of memory) ends the render with one message naming the size,
// the step and the problem (its first line); the main run is as it was.
TEST(Runner, RenderFailureEndsTheRenderOnly) {
    FakeLog log;
    auto r = make_runner(log, true);
    ASSERT_TRUE(wait_until([&] { return r->status().ready; }));
    FakeRenderTarget t{10, 2};
    t.fail_at = 3;
    const auto frames = render_frames_until_end(*r, r->start_render(t));
    ASSERT_FALSE(frames.empty());
    EXPECT_EQ(frames.back().phase, RenderFrame::Phase::Failed);
    const std::string& m = frames.back().message;
    EXPECT_TRUE(contains(m, "8x6") && contains(m, "at step 3") && contains(m, "CUDA out of memory")) << m;
    const auto notes = notices_until(*r, [](const Notice& n) { return n.level == Notice::Level::Error; });
    EXPECT_TRUE(std::any_of(notes.begin(), notes.end(), [&](const Notice& n) { return n.text == m; }));
    EXPECT_EQ(log.renders_written.load(), 0);
    EXPECT_EQ(log.renders_stopped.load(), 1);
    EXPECT_TRUE(r->status().paused);
    r->step_once();
    ASSERT_TRUE(wait_until([&] { return r->status().steps == 1; })) << "the main run still steps";
}

TEST(Runner, RenderThatFailsToStartOrToWriteLeavesNothing) {
    FakeLog log;
    auto r = make_runner(log, true);
    ASSERT_TRUE(wait_until([&] { return r->status().ready; }));
    FakeRenderTarget bad;
    bad.fail = true;
    auto frames = render_frames_until_end(*r, r->start_render(bad));
    ASSERT_FALSE(frames.empty());
    EXPECT_EQ(frames.back().phase, RenderFrame::Phase::Failed);
    EXPECT_TRUE(contains(frames.back().message, "could not start the render")) << frames.back().message;
    EXPECT_TRUE(contains(frames.back().message, "out of memory"));
    EXPECT_FALSE(contains(frames.back().message, "backtrace")) << "only the first line is shown";
    EXPECT_EQ(log.renders_started.load(), 0);
    FakeRenderTarget unwritable{2, 1};
    unwritable.fail_write = true;
    frames = render_frames_until_end(*r, r->start_render(unwritable));
    ASSERT_FALSE(frames.empty());
    EXPECT_EQ(frames.back().phase, RenderFrame::Phase::Failed);
    EXPECT_TRUE(contains(frames.back().message, "(writing)") && contains(frames.back().message, "disk full"))
        << frames.back().message;
    EXPECT_EQ(log.renders_written.load(), 0);
    EXPECT_EQ(log.renders_stopped.load(), 1);
    ASSERT_TRUE(wait_until([&] { return r->status().render_commands_handled == 2 && !r->status().rendering; }));
    EXPECT_TRUE(r->status().paused);
    EXPECT_EQ(r->status().steps, 0);
}

// A sweep running when a render starts is stopped (the render needs its memory); a sweep asked
// for during a render is refused.
TEST(Runner, RenderStopsARunningSweep) {
    FakeLog log;
    log.step_ms = 1;
    log.tile_ms = 5;
    auto r = make_runner(log, true);
    r->start_sweep(FakeSweepTarget{2, false});
    ASSERT_TRUE(wait_until([&] { return r->status().sweeping; }));
    const std::uint64_t id = r->start_render(FakeRenderTarget{200, 2});
    ASSERT_TRUE(wait_until([&] { return r->status().rendering && !r->status().sweeping; }));
    const int sweep_steps = log.sweep_steps.load();
    r->start_sweep(FakeSweepTarget{2, false});
    ASSERT_TRUE(wait_until([&] { return r->status().sweep_commands_handled == 2; }));
    EXPECT_FALSE(r->status().sweeping);
    EXPECT_EQ(log.sweep_steps.load(), sweep_steps);
    r->cancel_render();
    const auto frames = render_frames_until_end(*r, id);
    ASSERT_FALSE(frames.empty());
    EXPECT_EQ(frames.back().phase, RenderFrame::Phase::Cancelled);
}

// Closing the window during a render: the optimizer stops at the next tile, not after the step.
TEST(Runner, QuitDuringARenderStopsAtTheNextTile) {
    FakeLog log;
    log.tile_ms = 20;
    auto r = make_runner(log, true);
    ASSERT_TRUE(wait_until([&] { return r->status().ready; }));
    r->start_render(FakeRenderTarget{1000, 50});
    ASSERT_TRUE(wait_until([&] { return log.render_tiles.load() >= 2; }));
    const int tiles_at_quit = log.render_tiles.load();
    const auto t0 = Clock::now();
    r->quit();
    r->join();
    EXPECT_LT(Clock::now() - t0, std::chrono::milliseconds(1000)) << "a step of 100 tiles takes 2 s";
    EXPECT_LE(log.render_tiles.load() - tiles_at_quit, 1);
    EXPECT_EQ(log.renders_written.load(), 0);
}

}  // namespace
}  // namespace nstv::testing
