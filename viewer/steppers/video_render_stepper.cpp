#include "steppers/video_render_stepper.h"

#include <algorithm>
#include <cmath>
#include <new>
#include <utility>

#include <nlohmann/json.hpp>

#include "nst/param_table.h"
#include "nst/video/flow.h"
#include "steppers/engine_stepper.h"  // to_rgba8

namespace nstv {
namespace fs = std::filesystem;

namespace {

// Every setting that changes a finished frame: a folder of frames made with another recipe is
// not continued (video::FrameStore). The clip is named by its absolute path, size and time.
std::string recipe_of(const RenderSetup& r, const nst::EngineOptions& o, const nst::Params& p,
                      const VideoRenderInputs& in, const nst::video::FrameRange& range) {
    nst::RunSettings s;
    s.params = p;
    s.style_weight_given = s.content_weight_given = s.lr_given = true;
    s.styles = in.style_paths;
    s.size = r.size;
    s.steps = r.steps;
    s.scales = in.scales;
    s.coarse_steps = in.coarse_steps;
    s.init = in.init;
    s.pooling = o.pooling;
    s.precision = o.precision;
    s.seed = o.seed;
    nlohmann::json settings = nst::to_json(s);
    settings.erase("log-json");
    settings.erase("threads");
    std::error_code ec;
    const fs::path input = fs::absolute(in.video, ec);
    nlohmann::json clip = {{"path", input.string()}};
    if (fs::is_regular_file(input, ec)) {
        clip["bytes"] = fs::file_size(input, ec);
        clip["modified"] = fs::last_write_time(input, ec).time_since_epoch().count();
    }
    return nlohmann::json{{"nst", nst::version()},
                          {"program", "nst-viewer"},
                          {"input", clip},
                          {"first_frame", range.first + 1},
                          {"frame_steps", r.video.frame_steps},
                          {"frame_lr", r.video.frame_lr},
                          {"temporal_frames", r.video.temporal_frames},
                          {"temporal_weight", r.video.temporal_weight},
                          {"weights", o.features.weights_path},
                          {"random_seed", o.features.random_seed},
                          {"regions", in.spatial.regions.size()},
                          {"init_image", !in.init_image.empty()},
                          {"settings", settings}}
        .dump(1);
}

}  // namespace

VideoRenderStepper::VideoRenderStepper(const RenderSetup& setup, nst::EngineOptions options, nst::Params params,
                                       const VideoRenderInputs& in, std::function<void(int, int, int)> on_tile)
    : setup_(setup) {
    std::unique_ptr<nst::video::FrameSource> source =
        nst::video::open_frames(in.video, {in.max_pixels, in.max_frames});
    info_ = source->info();
    range_ = setup.video.frames.empty() ? nst::video::FrameRange{0, info_.frames - 1}
                                        : nst::video::parse_frame_range(setup.video.frames, info_.frames);
    out_ = nst::video::check_video_output(fs::absolute(setup.output).lexically_normal(), &info_);
    const std::vector<int> offsets = nst::video::parse_temporal_frames(setup.video.temporal_frames);
    // Every frame at the size the live run shows (the content's long side), the clip's aspect.
    const double long_side = std::max(info_.width, info_.height);
    width_ = std::max(1, static_cast<int>(std::lround(info_.width * setup.size / long_side)));
    height_ = std::max(1, static_cast<int>(std::lround(info_.height * setup.size / long_side)));

    params.temporal_weight = setup.video.temporal_weight;
    options.on_tile = std::move(on_tile);
    nst::video::ClipPlan plan;
    plan.input = in.video;
    plan.limits = {in.max_pixels, in.max_frames};
    plan.range = range_;
    plan.width = width_;
    plan.height = height_;
    plan.styles = in.styles;
    plan.spatial = in.spatial;
    plan.init = in.init;
    plan.init_image = in.init_image;
    for (int k = in.scales - 1; k >= 1; --k) plan.cold.push_back({setup.size >> k, in.coarse_steps});
    plan.cold.push_back({setup.size, setup.steps});
    plan.temporal.offsets = offsets;
    plan.temporal.frame_steps = setup.video.frame_steps;
    plan.frame_lr = nst::video::frame_learning_rate(setup.video.frame_lr, params);
    plan.params = params;
    store_ = std::make_unique<nst::video::FrameStore>(nst::video::FrameStore::dir_for(out_.path),
                                                      recipe_of(setup, options, params, in, range_));
    try {
        engine_ = std::make_unique<nst::Engine>(options, params);
        renderer_ = std::make_unique<nst::video::ClipRenderer>(*engine_, std::move(plan), *store_, std::move(source));
    } catch (const std::bad_alloc&) {
        throw nst::Error("out of memory (std::bad_alloc) building the render");
    }
    resume_ = renderer_->first_to_render();
}

VideoRenderStepper::~VideoRenderStepper() {
    renderer_.reset();  // its worker first: it reads the store
}

void VideoRenderStepper::step() {
    try {
        renderer_->step();
    } catch (const std::bad_alloc&) {
        throw nst::Error("out of memory (std::bad_alloc)");
    }
    ++steps_;
    if (auto done = renderer_->take_finished()) {
        if (done->warping_error >= 0) (*errors_)[done->index] = done->warping_error;
        reports_.push_back(*done);
    }
}

std::vector<nst::video::FrameReport> VideoRenderStepper::take_reports() { return std::exchange(reports_, {}); }

void VideoRenderStepper::status(RenderFrame& f, bool preview) const {
    f.width = width_;
    f.height = height_;
    f.step = steps_;
    f.steps = steps_ + renderer_->steps_left();
    f.tiles = 0;
    f.tile_size = 0;
    f.random_features = engine_->random_features();
    f.video = true;
    f.frame = renderer_->done() ? range_.last : renderer_->frame();
    f.first_frame = range_.first;
    f.frames = range_.count();
    f.frames_done = range_.count() - renderer_->frames_left();
    f.step_in_frame = renderer_->step_in_frame();
    f.steps_of_frame = renderer_->steps_of_frame();
    f.frame_errors = std::make_shared<const std::map<int, double>>(*errors_);
    if (f.path.empty()) f.path = out_.path.string();
    if (!preview || renderer_->content().empty()) return;
    nst::Image img = engine_->result();
    if (std::max(img.width, img.height) > kRenderPreviewSize) img = nst::resize_long_side(img, kRenderPreviewSize);
    f.preview = std::make_shared<const Rgba8>(to_rgba8(img));
}

fs::path VideoRenderStepper::write() const {
    nst::video::EncodeJob job;
    job.output = out_;
    job.width = width_;
    job.height = height_;
    job.frames = range_.count();
    job.rate = info_.rate;
    if (info_.kind == nst::video::SourceKind::File && info_.has_audio) job.audio_from = renderer_->plan().input;
    job.first_frame = range_.first;
    const nst::video::FrameStore& store = *store_;
    const int first = range_.first;
    nst::video::write_video(job, [&store, first](int k) { return store.load(first + k); });
    store.remove();
    return out_.path;
}

std::string VideoRenderStepper::cancelled_text() const {
    const int finished = range_.count() - renderer_->frames_left();
    return "video render cancelled: " + std::to_string(finished) + " of " + std::to_string(range_.count()) +
           " frames are kept in " + store_->dir().string() + "; Render video again with the same settings continues";
}

std::string VideoRenderStepper::start_text() const {
    if (store_->started_over())
        return store_->dir().string() + " held frames made with other settings: the video render starts over";
    if (resume_ > range_.first)
        return "video render: continuing at frame " + std::to_string(resume_ + 1) + " (" +
               std::to_string(resume_ - range_.first) + " of " + std::to_string(range_.count()) +
               " frames already finished in " + store_->dir().string() + ")";
    return {};
}

std::string VideoRenderStepper::done_text() const {
    return std::to_string(range_.count()) + " frames of " + std::to_string(width_) + "x" + std::to_string(height_) +
           (resume_ > range_.first ? " (continued at frame " + std::to_string(resume_ + 1) + ")" : std::string());
}

}  // namespace nstv
