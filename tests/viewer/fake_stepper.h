#pragma once
// A stand-in for the LibTorch-backed stepper: each step optionally sleeps (to look like real
// work), records which parameter value it saw, and renders a tiny image whose pixels encode the
// step number. Lets the runner's threading be tested fast and under ThreadSanitizer.
#include <atomic>
#include <chrono>
#include <mutex>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "nst/error.h"
#include "run/frame.h"
#include "run/runner.h"

namespace nstv::testing {

struct FakeParams {
    int value = 0;
};

struct FakeTarget {
    bool fail = false;
    int width = 4;
};

// Sweep mode: `cells` variants; `fail` refuses to start (as a Sweep that runs out of memory).
struct FakeSweepTarget {
    int cells = 4;
    bool fail = false;
};

// Render mode: `steps` steps of `tiles` tiles each (two passes; 0 tiles: untiled, no tile calls);
// `fail` refuses to start (as an engine that runs out of memory), `fail_at` throws at that render
// step (1-based), `fail_write` makes the write fail.
struct FakeRenderTarget {
    int steps = 5;
    int tiles = 4;
    int width = 8, height = 6;
    std::string path = "out.png";
    bool fail = false;
    int fail_at = -1;
    bool fail_write = false;
};

// Shared between the test thread and the stepper (which lives on the optimizer thread).
struct FakeLog {
    std::mutex mu;
    std::vector<int> values_seen;      // params.value at each step
    std::vector<long> rendered_steps;  // step count at each render
    std::vector<int> rendered_values;  // params.value at each render
    std::atomic<int> started{0}, finished{0}, resets{0}, retargets{0};
    std::atomic<int> step_ms{0};
    std::atomic<int> throw_at{-1};     // step number (1-based) that throws
    std::atomic<int> interrupt_at{-1}; // step number (1-based) that is interrupted (nst::StepInterrupted)
    std::atomic<int> refuse_value{-1}; // apply() refuses parameters with this value
    std::atomic<int> sweep_steps{0};   // steps of the running sweep (every cell at once)
    std::atomic<int> sweep_throw_at{-1};  // sweep step number (1-based) that throws
    std::atomic<int> tile_ms{0};          // each render tile sleeps this long
    std::atomic<int> render_tiles{0};     // tiles finished by every render so far (both passes)
    std::atomic<int> render_steps{0};     // render steps finished
    std::atomic<int> renders_started{0}, renders_stopped{0}, renders_written{0};
    std::atomic<int> previews{0};         // render_status calls that made a preview
    // Main steps started when the last render started and when it stopped (they must be equal).
    std::atomic<int> main_at_render_start{-1}, main_at_render_stop{-1};

    std::vector<int> values() { std::lock_guard l(mu); return values_seen; }
    std::vector<long> renders() { std::lock_guard l(mu); return rendered_steps; }
    std::vector<int> rendered() { std::lock_guard l(mu); return rendered_values; }
};

class FakeStepper {
public:
    using Params = FakeParams;
    using Target = FakeTarget;
    using SweepTarget = FakeSweepTarget;
    using RenderTarget = FakeRenderTarget;

    FakeStepper(FakeLog& log, Notify notify) : log_(log), notify_(std::move(notify)) {}

    void apply(const Params& p) {
        if (p.value == log_.refuse_value.load()) throw std::invalid_argument("value refused");
        params_ = p;
    }
    StepLosses step() {
        const int n = log_.started.fetch_add(1) + 1;
        if (const int ms = log_.step_ms.load(); ms > 0)
            std::this_thread::sleep_for(std::chrono::milliseconds(ms));
        if (n == log_.throw_at.load()) {
            log_.finished.fetch_add(1);
            throw std::runtime_error("fake failure");
        }
        if (n == log_.interrupt_at.load()) {
            log_.finished.fetch_add(1);
            throw nst::StepInterrupted();
        }
        {
            std::lock_guard l(log_.mu);
            log_.values_seen.push_back(params_.value);
        }
        ++steps_;
        log_.finished.fetch_add(1);
        return StepLosses{1.0, 2.0, 3.0, 1.0 / steps_};
    }
    void render(Frame& f) {
        f.image.width = width_;
        f.image.height = 1;
        f.image.pixels.assign(static_cast<std::size_t>(width_) * 4, static_cast<std::uint8_t>(steps_ & 0xff));
        std::lock_guard l(log_.mu);
        log_.rendered_steps.push_back(steps_);
        log_.rendered_values.push_back(params_.value);
    }
    void reset() {
        steps_ = 0;
        log_.resets.fetch_add(1);
    }
    void retarget(const Target& t) {
        if (t.fail) throw std::runtime_error("unreadable image");
        width_ = t.width;
        ready_ = true;
        log_.retargets.fetch_add(1);
        notify_(Notice{Notice::Level::Info, "retargeted", {}});
    }
    void start_sweep(const SweepTarget& t) {
        if (t.fail) throw std::runtime_error("out of memory");
        sweep_cells_ = t.cells;
        log_.sweep_steps.store(0);
    }
    void stop_sweep() { sweep_cells_ = 0; }
    [[nodiscard]] bool sweeping() const { return sweep_cells_ > 0; }
    void sweep_step() {
        const int n = log_.sweep_steps.load() + 1;
        if (n == log_.sweep_throw_at.load()) throw std::runtime_error("fake sweep failure");
        if (const int ms = log_.step_ms.load(); ms > 0)
            std::this_thread::sleep_for(std::chrono::milliseconds(ms));
        log_.sweep_steps.store(n);
    }
    // Each cell: one pixel whose value is its index, losses = the sweep's step count.
    void render_sweep(SweepFrame& f) {
        f.step = log_.sweep_steps.load();
        f.rows = 1;
        f.cols = sweep_cells_;
        f.cells.resize(static_cast<std::size_t>(sweep_cells_));
        for (int i = 0; i < sweep_cells_; ++i) {
            auto& c = f.cells[static_cast<std::size_t>(i)];
            c.image.width = c.image.height = 1;
            c.image.pixels.assign(4, static_cast<std::uint8_t>(i));
            c.losses.total = static_cast<double>(f.step);
            c.col = i;
        }
    }
    void start_render(const RenderTarget& t, TileHook hook) {
        if (t.fail) throw std::runtime_error("out of memory\nbacktrace line that is not shown");
        render_ = t;
        hook_ = std::move(hook);
        render_step_ = 0;
        rendering_ = true;
        log_.renders_started.fetch_add(1);
        log_.main_at_render_start.store(log_.started.load());
    }
    // One render step: pass 1 and pass 2 over the tiles, the hook after each (it may throw to cancel).
    void render_step() {
        if (render_step_ + 1 == render_.fail_at) throw std::runtime_error("CUDA out of memory");
        for (int pass = 1; pass <= 2; ++pass)
            for (int i = 1; i <= render_.tiles; ++i) {
                if (const int ms = log_.tile_ms.load(); ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(ms));
                log_.render_tiles.fetch_add(1);
                hook_(pass, i, render_.tiles);
            }
        ++render_step_;
        log_.render_steps.fetch_add(1);
    }
    [[nodiscard]] bool rendering() const { return rendering_; }
    // The preview: one pixel whose value is the render step it shows.
    void render_status(RenderFrame& f, bool preview) {
        f.width = render_.width;
        f.height = render_.height;
        f.step = render_step_;
        f.steps = render_.steps;
        f.tiles = render_.tiles;
        f.path = render_.path;
        if (!preview) return;
        auto img = std::make_shared<Rgba8>();
        img->width = img->height = 1;
        img->pixels.assign(4, static_cast<std::uint8_t>(render_step_));
        f.preview = std::move(img);
        log_.previews.fetch_add(1);
    }
    std::string finish_render() {
        if (render_.fail_write) throw std::runtime_error("disk full");
        log_.renders_written.fetch_add(1);
        return render_.path;
    }
    void stop_render() {
        if (!rendering_) return;
        rendering_ = false;
        hook_ = {};
        log_.renders_stopped.fetch_add(1);
        log_.main_at_render_stop.store(log_.started.load());
    }
    [[nodiscard]] bool ready() const { return ready_; }
    [[nodiscard]] long steps() const { return steps_; }
    [[nodiscard]] const Params& params() const { return params_; }

private:
    FakeLog& log_;
    Notify notify_;
    Params params_;
    long steps_ = 0;
    int width_ = 4;
    bool ready_ = false;
    int sweep_cells_ = 0;
    RenderTarget render_;
    TileHook hook_;
    long render_step_ = 0;
    bool rendering_ = false;
};

}  // namespace nstv::testing
