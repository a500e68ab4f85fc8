#pragma once
// The values that travel from the optimizer thread to the UI thread. Plain data, no LibTorch and
// no GL, so the runner and its tests need neither.
#include <cstdint>
#include <functional>
#include <map>
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
    std::uint64_t request = 0;          // the re-target request that produced it (EngineSetup::request)
    Rgba8 content;                      // at optimisation resolution
    std::vector<Rgba8> styles;          // one per style image, at most the optimisation resolution
    std::string content_name;
    std::vector<std::string> style_paths;  // as requested (the UI matches its list against them)
    std::vector<std::string> style_names;  // file names
    std::string device;
    bool random_features = false;
    std::string precision = "fp32";
    // The content is a frame of a clip (video empty: a still image).
    std::string video;                  // the clip's path, as requested
    int frame = 0;                      // 0-based frame shown
    int frames = 0;                     // the clip's frame count
    double fps = 0;
    // Steps done when these sources took over: a frame whose step is past it has been stylized
    // for them (the scrub latency is measured to the first such frame).
    long start_step = 0;
    // How a frame move began: "warped" (the previous image carried by the flow), "content" (far
    // or too few reliable pixels), "" for any other re-target; and the reliable fraction.
    std::string carried;
    double reliable = 0;
};

// What an image was made with: the style knobs the optimizer used when it rendered the frame
// (the status line, the --log-json lines and saved results report these, not the UI's edits).
struct Recipe {
    std::vector<std::string> styles;  // file names
    std::vector<float> blend;         // normalised to sum 1, one per style
    std::string colors = "off";       // off | post | luminance | histogram
    float style_scale = 1.0f;
    std::string statistic = "gram";   // gram | w2
    std::string optimizer = "adam";   // adam | lbfgs
    float average = 0.0f;             // the moving average's decay (0: off)
    std::string shown = "iterate";    // what the picture is: "average" or "iterate"
    // Painted regions (style index, -1 for none, and weight) and whether a content map was used.
    struct Region {
        int style = 0;
        float weight = 1.0f;
    };
    std::vector<Region> regions;
    bool content_map = false;
    // The creative controls (written only when used, so plain results read as before).
    bool texture = false;             // no content: a texture from the styles alone
    bool seamless = false;
    bool colors_only = false;         // the picture is the content recoloured, not optimised
    float normalize_gradients = 0.0f;
    std::string layer_blend;          // --layer-blend's text ("" = none)
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
    Recipe recipe;
};

// One entry per step for the plots (every step, not only published ones).
struct LossSample {
    long step = 0;
    StepLosses losses;
    double ms = 0;
};

// Sweep mode: one publication of the whole grid (every cell's result and losses at one step),
// through its own triple buffer so the UI never waits and the main view's frame stays as it was.
struct SweepCellFrame {
    Rgba8 image;          // the cell's result as shown (Engine::result), at the run's size
    StepLosses losses;
    std::string caption;  // "style-weight=1e6 tv-weight=10" (SweepCell::caption)
    int row = 0, col = 0;
};
struct SweepFrame {
    std::uint64_t sweep = 0;  // which sweep (a new start gets a new number; 0 = none yet)
    std::uint64_t seq = 0;    // publication counter of sweep frames, 1-based
    long step = 0;            // steps every cell has made
    int rows = 1, cols = 1;
    bool batched = false;     // one batch through the network, or one engine after the other
    bool random_features = false;
    double ms_per_step = 0;   // one step of every cell, smoothed
    std::vector<SweepCellFrame> cells;
};

// Render mode ("Render final..."): the progress of one render at print size, through its own
// triple buffer. The optimizer publishes after each step, now and then within a step (tiles), and
// once more when the render ends (done, cancelled or failed); the preview is shared, so copying a
// publication is cheap.
struct RenderFrame {
    enum class Phase { Building, Stepping, Writing, Done, Cancelled, Failed };
    std::uint64_t render = 0;  // which render: the runner numbers them from 1 in the order asked
    std::uint64_t seq = 0;     // publication counter of render frames, 1-based
    Phase phase = Phase::Building;
    int width = 0, height = 0;  // the output's size (0 until the render is built)
    long step = 0, steps = 0;   // steps done, steps asked for
    // The step under way: pass 1 (statistics) or 2 (gradients) of a tiled step, tiles done in it
    // out of `tiles` (0 tiles: untiled, one piece); tile_size = the interior's side (0: untiled).
    int pass = 0, tile = 0, tiles = 0;
    int tile_size = 0;
    double elapsed_s = 0;       // since the render was asked for (building included)
    double left_s = -1;         // estimated time left (-1: not known yet)
    double ms_per_step = 0;     // smoothed
    std::shared_ptr<const Rgba8> preview;  // the render's result, at most 1024 px on its long side
    std::string path;           // the output file
    std::string message;        // when it ended: what to tell (done: where it went; else why)
    bool random_features = false;
    // "Render video...": the frame under way (0-based) of frames first_frame .. first_frame +
    // frames - 1, how many are finished (counting those of an earlier run it continues), its steps,
    // and the warping error of each finished frame against the one before (0-based frame -> error).
    // step/steps then count every frame's steps (steps: an estimate until the last frame).
    bool video = false;
    int frame = 0, first_frame = 0, frames = 0, frames_done = 0;
    int step_in_frame = 0, steps_of_frame = 0;
    std::shared_ptr<const std::map<int, double>> frame_errors;

    [[nodiscard]] bool ended() const {
        return phase == Phase::Done || phase == Phase::Cancelled || phase == Phase::Failed;
    }
    // Steps done, counting the part of the step under way (pass 1 is a forward pass without
    // gradients, about a third of a tiled step; pass 2 the rest): the progress bar and time left.
    [[nodiscard]] double steps_done() const {
        double part = 0;
        if (tiles > 0 && pass > 0) {
            const double t = static_cast<double>(tile) / tiles;
            part = pass == 1 ? t / 3 : 1.0 / 3 + 2.0 * t / 3;
        }
        return static_cast<double>(step) + part;
    }
};

// A message for the user (errors never end the app; they are shown in the window).
struct Notice {
    enum class Level { Info, Warning, Error };
    Level level = Level::Info;
    std::string text;
    std::optional<float> new_lr;  // set when the optimizer changed the learning rate itself
};
using Notify = std::function<void(Notice)>;

}  // namespace nstv
