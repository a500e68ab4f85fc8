#pragma once
// The values that travel from the optimizer thread to the UI thread. Plain data, no LibTorch and
// no GL, so the runner and its tests need neither.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace nstv {

struct StepLosses {
    double content = 0, style = 0, tv = 0, total = 0;
};

// 8-bit RGBA pixels, row-major, top row first.
struct Rgba8 {
    int width = 0;
    int height = 0;
    std::vector<std::uint8_t> pixels;

    [[nodiscard]] bool empty() const { return width <= 0 || height <= 0; }
};

// What the optimisation is currently working on; replaced (never mutated) on every re-target,
// so frames share it cheaply and the UI re-uploads the thumbnails only when `generation` changes.
struct Sources {
    std::uint64_t generation = 0;
    Rgba8 content;  // at optimisation resolution
    Rgba8 style;    // at optimisation resolution
    std::string content_name, style_name;
    std::string device;
    bool random_features = false;
    std::string precision = "fp32";
};

// One publication: the current image plus the losses of the step that produced it.
struct Frame {
    Rgba8 image;
    long step = 0;
    StepLosses losses;
    double ms_per_step = 0;
    std::uint64_t seq = 0;       // publication counter, 1-based
    double publish_ms = 0;       // optimizer-side cost of producing this publication
    std::shared_ptr<const Sources> sources;
};

// One entry per step for the plots (every step, not only published ones).
struct LossSample {
    long step = 0;
    StepLosses losses;
    double ms = 0;
};

// A message for the user (errors never end the app; they are shown in the window).
struct Notice {
    enum class Level { Info, Warning, Error };
    Level level = Level::Info;
    std::string text;
    std::optional<float> new_lr;  // set when the optimizer changed the learning rate itself
};

}  // namespace nstv
