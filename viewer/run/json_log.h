#pragma once
// --log-json: one JSON object per step, written and flushed by the optimizer thread, with the
// weights and style knobs that step actually used (so tests and users can see a slider reach the
// optimizer) and what the network ran on ("features": "random" | "vgg19", "precision", "size",
// "target_passes": forward passes of input images made for targets so far, "regions": painted
// regions in use). Event lines (they
// have "event" and no "step"): the start header, the weights download (started, done, failed,
// cancelled) and the switch to downloaded weights from the UI thread; "retarget" (new targets:
// "reason", "at_step", the styles, "target_passes") from the optimizer thread.
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "nst/engine.h"
#include "run/frame.h"

namespace nstv {

// What a step ran on besides its parameters.
struct StepContext {
    bool random_features = true;
    nst::Precision precision = nst::Precision::FP32;
    int size = 0;             // the long side (pixels) this step optimised (the coarse-to-fine level's)
    long target_passes = 0;   // since the viewer started
    std::size_t styles = 1;   // style images in use
    bool shown_average = true; // the window shows the moving average (when Params::average is on)
    int regions = 0;          // painted regions the step used
    int frame = -1;           // 0-based frame of the clip that is the content (-1: a still)
    bool texture = false;     // no content: a texture from the styles alone
    int width = 0, height = 0;  // the optimised image's size
};

class JsonLog {
public:
    explicit JsonLog(const std::string& path);  // throws std::runtime_error
    void write(const LossSample& s, const nst::Params& p, const StepContext& c);
    // {"event": name, key: value, ...}: `fields` is a JSON object (e.g. {{"reason", why}, {"at_step", n}}).
    void event(const std::string& name, const nlohmann::ordered_json& fields = nlohmann::ordered_json::object());

private:
    struct Closer {
        void operator()(std::FILE* f) const { std::fclose(f); }
    };
    void put(const std::string& line);
    std::mutex mu_;  // the optimizer and the UI thread both write; held for one fputs + fflush
    std::unique_ptr<std::FILE, Closer> file_;
};

}  // namespace nstv
