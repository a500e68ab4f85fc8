#include "steppers/render_stepper.h"

#include <algorithm>
#include <new>
#include <utility>

#include "nst/contact_sheet.h"  // save_with_comment
#include "nst/tiling.h"
#include "run/render_mode.h"  // RenderCancelled
#include "steppers/engine_stepper.h"  // to_rgba8

namespace nstv {
namespace fs = std::filesystem;

namespace {

nst::SpatialControl resized(const nst::SpatialControl& full, int width, int height) {
    nst::SpatialControl c = full;
    for (auto& r : c.regions)
        if (r.mask.width != width || r.mask.height != height) r.mask = nst::resize_plane(r.mask, width, height);
    if (!c.content_map.empty() && (c.content_map.width != width || c.content_map.height != height))
        c.content_map = nst::resize_plane(c.content_map, width, height);
    return c;
}

}  // namespace

RenderStepper::RenderStepper(const RenderSetup& setup, nst::EngineOptions options, const nst::Params& params,
                             const nst::Image& content_src, const std::vector<nst::Image>& styles,
                             const nst::Image& start, const nst::SpatialControl& spatial, bool averaged,
                             std::function<void(int, int, int)> on_tile)
    : setup_(setup), averaged_(averaged) {
    if (const std::string why = render_setup_problem(setup); !why.empty()) throw nst::UsageError(why);
    nst::Image content = nst::resize_long_side(content_src, setup.size);
    width_ = content.width;
    height_ = content.height;
    const std::string size = std::to_string(width_) + "x" + std::to_string(height_);
    try {
        options.tile = setup.tile;
        // By memory unless a tile size was asked for: the budget the CLI's --max-memory defaults to.
        options.max_memory = setup.tile > 0 ? 0
                             : setup.max_memory > 0 ? setup.max_memory
                                                    : nst::default_max_memory(nst::resolve_device(options.device));
        options.on_tile = std::move(on_tile);
        // A captured CUDA graph cannot call back into the host between tiles (and the cancel
        // throws out of the middle of a step); at print size the launches are not what costs.
        options.cuda_graph = false;
        engine_ = std::make_unique<nst::Engine>(options, params);
        engine_->retarget(content, styles, start);  // the current result, upsampled
        if (!spatial.empty()) engine_->set_spatial(resized(spatial, width_, height_));
    } catch (const RenderCancelled&) {
        throw;  // the hook cancelled while targets were computed tile by tile
    } catch (const std::bad_alloc&) {
        throw nst::Error(size + ": out of memory while building the render");
    } catch (const std::exception& e) {
        // nst::Error / UsageError (a tile or budget that does not work) and LibTorch's errors
        // (c10::Error, c10::OutOfMemoryError) alike: one message naming the size.
        throw nst::Error(size + ": " + e.what());
    }
}

RenderStepper::~RenderStepper() = default;

void RenderStepper::step() {
    try {
        engine_->step();
    } catch (const std::bad_alloc&) {
        throw nst::Error("out of memory (std::bad_alloc)");
    }
    ++steps_;
}

bool RenderStepper::random_features() const { return engine_->random_features(); }

int RenderStepper::tile_count() const {
    const nst::TilePlan plan = engine_->tiling();
    return plan.tiled() ? plan.count() : 1;
}

int RenderStepper::tile_size() const { return engine_->tiling().tile; }

void RenderStepper::status(RenderFrame& f, bool preview) const {
    f.width = width_;
    f.height = height_;
    f.step = steps_;
    f.steps = setup_.steps;
    const nst::TilePlan plan = engine_->tiling();
    f.tile_size = plan.tile;
    f.tiles = plan.tiled() ? plan.count() : 0;
    f.random_features = engine_->random_features();
    if (f.path.empty()) f.path = fs::absolute(setup_.output).lexically_normal().string();
    if (!preview) return;
    nst::Image img = engine_->result(averaged_);
    if (std::max(img.width, img.height) > kRenderPreviewSize) img = nst::resize_long_side(img, kRenderPreviewSize);
    f.preview = std::make_shared<const Rgba8>(to_rgba8(img));
}

fs::path RenderStepper::write(const std::string& comment) const {
    const fs::path path = fs::absolute(setup_.output).lexically_normal();
    // save_with_comment writes a temporary file in the same folder and renames it: the output is
    // complete or absent, never partial, and no temporary file stays behind on failure.
    nst::save_with_comment(engine_->result(averaged_), path, comment);
    return path;
}

}  // namespace nstv
