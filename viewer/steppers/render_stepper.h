#pragma once
// The render mode of the optimizer thread ("Render final..."): a second nst::Engine built from the
// main run's current setup (same features, network options, parameters, styles and regions) at
// print size, tiled by EngineOptions::tile / max_memory, starting from the main run's current
// result upsampled; stepped by the Runner instead of the main run, previewed now and then, and
// written atomically when its steps are done. Lives on the optimizer thread like the
// EngineStepper that owns it: every LibTorch object stays there. No torch headers.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "nst/nst.h"
#include "run/frame.h"
#include "run/render_check.h"

namespace nstv {

class RenderStepper {
public:
    // Builds the engine and its targets at `setup.size` from `content_src` (the content as loaded)
    // and sets `start` (the main run's result) as the image to continue from. `spatial` is the
    // main run's regions at any size of the content's aspect (resampled here). `on_tile` goes to
    // EngineOptions::on_tile. Throws nst::Error naming the size for anything building it throws
    // (bad values, out of memory); nothing is kept then.
    RenderStepper(const RenderSetup& setup, nst::EngineOptions options, const nst::Params& params,
                  const nst::Image& content_src, const std::vector<nst::Image>& styles, const nst::Image& start,
                  const nst::SpatialControl& spatial, bool averaged, std::function<void(int, int, int)> on_tile);
    ~RenderStepper();
    RenderStepper(const RenderStepper&) = delete;
    RenderStepper& operator=(const RenderStepper&) = delete;

    void step();  // one step at print size (tile by tile when tiled)
    [[nodiscard]] long steps() const { return steps_; }
    [[nodiscard]] const RenderSetup& setup() const { return setup_; }
    [[nodiscard]] int width() const { return width_; }
    [[nodiscard]] int height() const { return height_; }
    // Size, steps, tiles; with `preview` a new downscaled preview of the result.
    void status(RenderFrame& f, bool preview) const;
    // Writes the result to setup().output atomically (temp file + rename, no partial file ever)
    // with `comment` as PNG metadata; returns the absolute path. Throws nst::Error.
    [[nodiscard]] std::filesystem::path write(const std::string& comment) const;
    [[nodiscard]] bool random_features() const;
    [[nodiscard]] bool averaged() const { return averaged_; }  // the result is the iterates' average
    [[nodiscard]] int tile_count() const;  // tiles per pass (1: untiled)
    [[nodiscard]] int tile_size() const;   // interior side (0: untiled)

private:
    RenderSetup setup_;
    bool averaged_ = true;
    int width_ = 0, height_ = 0;
    std::unique_ptr<nst::Engine> engine_;
    long steps_ = 0;
};

}  // namespace nstv
