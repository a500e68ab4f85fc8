#pragma once
// A stand-in for the LibTorch-backed stepper: each step optionally sleeps (to look like real
// work), records which parameter value it saw, and renders a tiny image whose pixels encode the
// step number. Lets the runner's threading be tested fast and under ThreadSanitizer.
#include <atomic>
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "frame.h"
#include "runner.h"

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

// Shared between the test thread and the stepper (which lives on the optimizer thread).
struct FakeLog {
    std::mutex mu;
    std::vector<int> values_seen;      // params.value at each step
    std::vector<long> rendered_steps;  // step count at each render
    std::vector<int> rendered_values;  // params.value at each render
    std::atomic<int> started{0}, finished{0}, resets{0}, retargets{0};
    std::atomic<int> step_ms{0};
    std::atomic<int> throw_at{-1};     // step number (1-based) that throws
    std::atomic<int> refuse_value{-1}; // apply() refuses parameters with this value
    std::atomic<int> sweep_steps{0};   // steps of the running sweep (every cell at once)
    std::atomic<int> sweep_throw_at{-1};  // sweep step number (1-based) that throws

    std::vector<int> values() { std::lock_guard l(mu); return values_seen; }
    std::vector<long> renders() { std::lock_guard l(mu); return rendered_steps; }
    std::vector<int> rendered() { std::lock_guard l(mu); return rendered_values; }
};

class FakeStepper {
public:
    using Params = FakeParams;
    using Target = FakeTarget;
    using SweepTarget = FakeSweepTarget;

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
};

}  // namespace nstv::testing
