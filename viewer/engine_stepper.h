#pragma once
// The runner's stepper for the real engine. Lives entirely on the optimizer thread: it owns the
// nst::Engine (and through it every LibTorch object) and the input images. Includes nst/nst.h
// only, never torch headers.
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "frame.h"
#include "nst/nst.h"
#include "runner.h"

namespace nstv {

// Everything whose change needs new targets (and maybe a new Engine).
struct EngineSetup {
    std::string content_path, style_path;
    int size = 384;
    nst::EngineOptions options;
    nst::Init init = nst::Init::Content;
    std::int64_t max_pixels = nst::kDefaultMaxPixels;
    bool restart = false;  // start from the init image instead of the current one
    // Parameters to use from this re-target on (e.g. beta for real weights after the switch from
    // random features), so no step runs with the new network and the old weights or vice versa.
    std::optional<nst::Params> params;
};

// What the engine currently runs on, for the --log-json lines. Written by the stepper on the
// optimizer thread (after each successful re-target), read there by the step hook.
struct EngineInfo {
    std::atomic<bool> random_features{true};
    std::atomic<nst::Precision> precision{nst::Precision::FP32};
};

class EngineStepper {
public:
    using Params = nst::Params;
    using Target = EngineSetup;

    EngineStepper(const Params& initial, Notify notify, std::shared_ptr<EngineInfo> info = {});
    ~EngineStepper();

    void apply(const Params& p);
    StepLosses step();
    void render(Frame& f);
    void reset();
    void retarget(const Target& t);
    [[nodiscard]] bool ready() const { return engine_ != nullptr; }
    [[nodiscard]] long steps() const { return steps_; }
    [[nodiscard]] const Params& params() const { return params_; }

    // Tests: pretend the loss of this step (1-based, counted since start) is NaN.
    void inject_nan_at(long step) { inject_nan_at_ = step; }

private:
    void remember_if_good();

    Notify notify_;
    std::shared_ptr<EngineInfo> info_;
    Params params_;
    EngineSetup setup_;
    std::unique_ptr<nst::Engine> engine_;
    nst::Image content_, style_;
    std::shared_ptr<const Sources> sources_;
    std::uint64_t generation_ = 0;
    nst::Image last_good_;
    long steps_ = 0, last_good_step_ = 0;
    long inject_nan_at_ = -1;
};

}  // namespace nstv
