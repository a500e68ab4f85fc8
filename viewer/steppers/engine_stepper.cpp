#include "steppers/engine_stepper.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstdio>
#include <filesystem>
#include <future>
#include <tuple>

#include "nst/video/flow.h"
#include "nst/video/render.h"
#include "run/recipe.h"

namespace nstv {
namespace {

bool same_options(const nst::EngineOptions& a, const nst::EngineOptions& b) {
    return a.features.weights_path == b.features.weights_path &&
           a.features.random_seed == b.features.random_seed && a.pooling == b.pooling &&
           a.device == b.device && a.threads == b.threads && a.seed == b.seed && a.precision == b.precision;
}

}  // namespace


namespace {

bool all_finite(const nst::Image& img) {
    return !img.empty() && std::all_of(img.rgb.begin(), img.rgb.end(), [](float v) { return std::isfinite(v); });
}

bool same_pixels(const nst::Image& a, const nst::Image& b) {
    return a.width == b.width && a.height == b.height && a.rgb == b.rgb;
}

std::string file_name(const std::string& path) { return std::filesystem::path(path).filename().string(); }

// A blend with one weight per style, or empty (equal weights): what the engine may step with.
nst::Params with_blend_for(nst::Params p, std::size_t styles, const std::vector<float>& fallback) {
    if (!p.style_blend.empty() && p.style_blend.size() != styles)
        p.style_blend = fallback.size() == styles ? fallback : std::vector<float>{};
    return p;
}

// Why set_params(next) computes targets: for the log and the message.
std::string params_retarget_reason(const nst::Params& prev, const nst::Params& next) {
    std::string why;
    const auto add = [&why](const char* what) {
        if (!why.empty()) why += '+';
        why += what;
    };
    if (prev.style_scale != next.style_scale) add("style_scale");
    if (prev.colors != next.colors) add("colors");
    if (prev.style_layers != next.style_layers || prev.content_layers != next.content_layers) add("layers");
    if (prev.style_loss != next.style_loss) add("style_loss");  // sw, remd, nn: the styles' activations
    return why.empty() ? "params" : why;
}

}  // namespace

EngineStepper::EngineStepper(const Params& initial, Notify notify, std::shared_ptr<EngineInfo> info, JsonLog* log)
    : notify_(std::move(notify)), info_(std::move(info)), log_(log), params_(initial) {}

EngineStepper::~EngineStepper() = default;

nst::EngineOptions EngineStepper::with_interrupt(nst::EngineOptions o) const {
    if (info_) o.interrupt = [info = info_] { return info->interrupt_step.load(std::memory_order_relaxed); };
    return o;
}

void EngineStepper::apply(const Params& p) {
    // A blend for another number of styles belongs to a style change still on its way (that
    // re-target brings its own blend): keep the current one, so no step runs with a mismatch.
    const Params next = styles_.empty() ? p : with_blend_for(p, styles_.size(), params_.style_blend);
    if (!engine_) {
        params_ = next;
        return;
    }
    // Weights, learning rate, blend, statistic and colours off <-> post change in place (Adam's
    // moments survive). New layers, a new style scale and the luminance/histogram colour modes
    // get new targets inside set_params (slower, still keeps x and Adam's state).
    const bool new_targets = engine_->needs_rebuild(next);
    // --seamless (or a deeper layer under it) may need another size: the sides on the pooling grid.
    const bool grid_changed = next.seamless != params_.seamless ||
                              (next.seamless && nst::seamless_grid(next) != nst::seamless_grid(params_));
    nst::Image sized =
        grid_changed ? level_content(content_src_, level_size(setup_.size, setup_.scales, level_), next, setup_.texture)
                     : nst::Image{};
    const bool resize = grid_changed && (sized.width != content_.width || sized.height != content_.height);
    try {
        if (resize) {
            // Off the torus at the old size, re-targeted at the new one, then the new parameters.
            Params flat = next;
            flat.seamless = false;
            engine_->set_params(flat);
            retarget_engine(*engine_, sized, styles_, engine_->image(), setup_.texture);
            content_ = std::move(sized);
            last_good_ = engine_->image();
            last_good_step_ = steps_;
            reapply_spatial();
            publish_info();
            log_targets("seamless size");
        }
        engine_->set_params(next);  // throws and keeps the previous parameters if it refuses these
    } catch (...) {
        // Keeping them may have computed their targets again: the count shown stays true.
        if (info_) info_->target_passes.store(passes_before_ + engine_->target_passes());
        throw;
    }
    const std::string why = new_targets ? params_retarget_reason(params_, next) : std::string();
    params_ = next;
    if (new_targets) {
        log_targets(why);
        notify_(Notice{Notice::Level::Info, "new targets (" + why + "): the run carries on from the current image", {}});
    }
}

StepLosses EngineStepper::step() {
    // Coarse-to-fine: the first step after coarse_steps at a level runs at the next size.
    if (level_ + 1 < setup_.scales && steps_ - level_start_ >= setup_.coarse_steps) start_level(level_ + 1);
    engine_->step();
    ++steps_;
    const nst::Losses l = engine_->last_losses();
    StepLosses out{l.content, l.style, l.tv, l.total};
    const bool bad = !std::isfinite(l.total) || steps_ == inject_nan_at_;
    if (bad) {
        // Go back to the last image whose values were all finite and halve the learning rate.
        const nst::Image& start = all_finite(last_good_) ? last_good_ : content_;
        retarget_engine(*engine_, content_, styles_, start, setup_.texture);
        params_.lr *= 0.5f;
        engine_->set_params(params_);
        log_targets("nan");
        char msg[256];
        std::snprintf(msg, sizeof msg,
                      "loss became %s at step %ld: went back to the image of step %ld and halved the "
                      "learning rate to %.3g",
                      std::isnan(l.total) || steps_ == inject_nan_at_ ? "NaN" : "infinite", steps_,
                      last_good_step_, static_cast<double>(params_.lr));
        notify_(Notice{Notice::Level::Warning, msg, params_.lr});
        if (steps_ == inject_nan_at_) out.total = std::nan("");
    } else if (steps_ % 10 == 0) {
        remember_if_good();
    }
    return out;
}

void EngineStepper::sync() {
    if (!engine_ || !info_) return;
    const std::uint64_t version = info_->spatial.version();
    if (version == spatial_seen_) return;
    spatial_seen_ = version;
    std::shared_ptr<const nst::SpatialControl> next = info_->spatial.load();
    try {
        apply_spatial(next ? *next : nst::SpatialControl{});
        spatial_ = std::move(next);
        spatial_refused_ = false;
    } catch (const std::exception& e) {
        // The engine kept the previous regions. A style index past the list may fit the list of the
        // re-target on its way: tried again after it.
        spatial_refused_ = true;
        notify_(Notice{Notice::Level::Error, std::string("painted regions refused, the previous ones are kept: ") + e.what(), {}});
    }
}

void EngineStepper::apply_spatial(const nst::SpatialControl& full) {
    nst::SpatialControl c = full;
    for (auto& r : c.regions)
        if (r.mask.width != content_.width || r.mask.height != content_.height)
            r.mask = nst::resize_plane(r.mask, content_.width, content_.height);
    if (!c.content_map.empty() && (c.content_map.width != content_.width || c.content_map.height != content_.height))
        c.content_map = nst::resize_plane(c.content_map, content_.width, content_.height);
    engine_->set_spatial(c);
    if (info_) info_->regions.store(static_cast<int>(engine_->spatial().regions.size()));
}

void EngineStepper::reapply_spatial() {
    // Pooled again from the UI's full-size masks, not from the engine's copy at the old size.
    if (spatial_refused_) spatial_seen_ = 0;  // sync() tries the newest snapshot again
    if (!spatial_ || spatial_->empty()) return;
    try {
        apply_spatial(*spatial_);
    } catch (const std::exception& e) {
        notify_(Notice{Notice::Level::Error, std::string("painted regions no longer fit: ") + e.what(), {}});
    }
}

void EngineStepper::remember_if_good() {
    nst::Image img = engine_->image();
    if (all_finite(img)) {
        last_good_ = std::move(img);
        last_good_step_ = steps_;
    }
}

void EngineStepper::start_level(int level) {
    const int size = level_size(setup_.size, setup_.scales, level);
    nst::Image content = level_content(content_src_, size, params_, setup_.texture);
    // The engine sizes the styles against the new content (Params::style_scale).
    retarget_engine(*engine_, content, styles_, engine_->image(), setup_.texture);  // the current image, upsampled
    content_ = std::move(content);
    level_ = level;
    level_start_ = steps_;
    last_good_ = engine_->image();
    last_good_step_ = steps_;
    reapply_spatial();
    publish_info();
    log_targets("level");
}

void EngineStepper::publish_info() {
    if (!info_) return;
    info_->size.store(level_size(setup_.size, setup_.scales, level_));
    info_->levels.store(setup_.scales);
    info_->level.store(level_ + 1);
    info_->styles.store(static_cast<int>(styles_.size()));
    info_->texture.store(setup_.texture);
    info_->width.store(content_.width);
    info_->height.store(content_.height);
}

void EngineStepper::log_targets(const std::string& reason) {
    const long passes = passes_before_ + (engine_ ? engine_->target_passes() : 0);
    if (info_) info_->target_passes.store(passes);
    if (!log_) return;
    std::vector<std::string> names;
    for (const auto& p : setup_.style_paths) names.push_back(file_name(p));
    nlohmann::ordered_json fields = {{"reason", reason}, {"at_step", steps_}, {"styles", names}, {"target_passes", passes}};
    if (!setup_.video.empty()) fields["frame"] = setup_.frame + 1;  // a clip: the frame that is the content
    log_->event("retarget", fields);
}

void EngineStepper::start_sweep(const SweepSetup& s) {
    if (!engine_) throw nst::Error("nothing to sweep yet: the run has no image (wait for the first one)");
    if (setup_.texture) throw nst::UsageError("a sweep needs a content: turn texture off first");
    stop_sweep();  // its engines' memory is needed for the next
    const nst::Image start = s.from_current ? engine_->image() : nst::Image{};
    sweep_ = std::make_unique<SweepStepper>(s, setup_.options, content_, styles_, s.from_current ? &start : nullptr,
                                            engine_->spatial());
    if (log_)
        log_->event("sweep", {{"phase", "start"},
                              {"id", s.id},
                              {"cells", sweep_->cells()},
                              {"rows", s.rows},
                              {"cols", s.cols},
                              {"from", s.from_current ? "current" : "content"},
                              {"batched", sweep_->batched()},
                              {"size", std::max(content_.width, content_.height)},
                              {"at_step", steps_}});
}

void EngineStepper::stop_sweep() {
    if (!sweep_) return;
    const long steps = sweep_->steps();
    sweep_.reset();
    if (log_) log_->event("sweep", {{"phase", "stop"}, {"steps", steps}});
}

void EngineStepper::render_sweep(SweepFrame& f) {
    sweep_->render(f);
    // Each publication's losses, so logs and tests can follow the grid without the window.
    if (log_) log_->event("sweep_frame", {{"id", f.sweep}, {"sweep_step", f.step}, {"totals", sweep_->totals()}});
}

void EngineStepper::start_render(const RenderSetup& r, TileHook on_tile) {
    if (!engine_) throw nst::Error("nothing to render yet: the run has no image (wait for the first one)");
    if (setup_.texture && !r.video.on)
        throw nst::UsageError("Render final does not make textures yet: save the live result (S) instead");
    stop_render();
    stop_sweep();  // the runner ends it first; its memory is the render's in any case
    if (r.video.on) {
        if (!clip_ || setup_.video.empty()) throw nst::UsageError("the content is not a clip: open a video first");
        VideoRenderInputs in;
        in.video = setup_.video;
        in.max_pixels = setup_.max_pixels;
        in.max_frames = setup_.max_frames;
        in.styles = styles_;
        in.style_paths = setup_.style_paths;
        in.spatial = spatial_ ? *spatial_ : engine_->spatial();
        in.init = setup_.init;
        in.init_image = init_image_;
        in.scales = setup_.scales;
        in.coarse_steps = setup_.coarse_steps;
        video_render_ = std::make_unique<VideoRenderStepper>(r, setup_.options, params_, in, std::move(on_tile));
        render_written_ = false;
        if (const std::string text = video_render_->start_text(); !text.empty())
            notify_(Notice{Notice::Level::Info, text, {}});
        if (log_)
            log_->event("video_render", {{"phase", "start"},
                                         {"width", video_render_->width()},
                                         {"height", video_render_->height()},
                                         {"frames", r.video.frames},
                                         {"resume", video_render_->resumed_at() + 1},
                                         {"steps", r.steps},
                                         {"frame_steps", r.video.frame_steps},
                                         {"temporal_weight", r.video.temporal_weight},
                                         {"temporal_frames", r.video.temporal_frames},
                                         {"output", std::filesystem::absolute(r.output).lexically_normal().string()},
                                         {"at_step", steps_}});
        return;
    }
    const bool averaged = showing_average();
    const nst::Image start = engine_->result(averaged);
    // The regions as painted (full size) when there are some: pooled again at print size rather
    // than upsampled from the level the live run is at.
    const nst::SpatialControl spatial = spatial_ ? *spatial_ : engine_->spatial();
    render_ = std::make_unique<RenderStepper>(r, setup_.options, params_, content_src_, styles_, start, spatial, averaged,
                                              std::move(on_tile));
    render_written_ = false;
    if (log_)
        log_->event("render", {{"phase", "start"},
                               {"width", render_->width()},
                               {"height", render_->height()},
                               {"steps", r.steps},
                               {"tile", render_->tile_size()},
                               {"tiles", render_->tile_count()},
                               {"output", std::filesystem::absolute(r.output).lexically_normal().string()},
                               {"at_step", steps_}});
}

void EngineStepper::render_step() {
    if (video_render_) {
        video_render_->step();
        if (log_)
            for (const auto& f : video_render_->take_reports())
                log_->event("video_frame", {{"frame", f.index + 1},
                                            {"start", f.cold ? "cold" : "warped"},
                                            {"cut", f.cut},
                                            {"reliable", f.reliable},
                                            {"targets", f.targets},
                                            {"warping_error", f.warping_error},
                                            {"flow_ms", f.flow_ms},
                                            {"ms", f.ms}});
        return;
    }
    const auto t0 = std::chrono::steady_clock::now();
    render_->step();
    if (log_)
        log_->event("render_step",
                    {{"step", render_->steps()},
                     {"steps", render_->setup().steps},
                     {"ms", std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count()}});
}

std::string EngineStepper::render_done_text() const {
    if (video_render_) return video_render_->done_text();
    return render_ ? std::to_string(render_->width()) + "x" + std::to_string(render_->height()) : std::string();
}

std::string EngineStepper::finish_render() {
    if (video_render_) {
        const std::filesystem::path path = video_render_->write();
        render_written_ = true;
        return path.string();
    }
    // What the file was made with, as screenshots carry it (recipe.h), plus the render's own.
    Frame f;
    f.step = render_->steps();
    f.sources = sources_;
    // The render's own choice of average or iterate (fixed when it started), not the view's now.
    f.recipe = make_recipe(params_, setup_.style_paths, render_->averaged(), &engine_->spatial());
    auto meta = nlohmann::ordered_json::parse(result_metadata(f));
    meta["render"] = {{"width", render_->width()},
                      {"height", render_->height()},
                      {"steps", render_->steps()},
                      {"tile", render_->tile_size()},
                      {"tiles", render_->tile_count()},
                      {"from_step", steps_}};
    if (render_->random_features()) meta["warning"] = nst::kRandomFeaturesWarning;
    const std::filesystem::path path =
        render_->write(meta.dump(-1, ' ', true, nlohmann::ordered_json::error_handler_t::replace));
    render_written_ = true;
    return path.string();
}

void EngineStepper::stop_render() {
    if (video_render_) {
        video_render_.reset();  // its engine and worker go; the finished frames stay in their folder
        if (log_) log_->event("video_render", {{"phase", "stop"}, {"written", render_written_}});
    }
    if (!render_) return;
    const long steps = render_->steps();
    render_.reset();  // the print-size engine's memory goes back now
    if (log_) log_->event("render", {{"phase", "stop"}, {"steps", steps}, {"written", render_written_}});
}

void EngineStepper::render(Frame& f) {
    const bool averaged = showing_average();
    engine_->image_rgba8(f.image.pixels, f.image.width, f.image.height, averaged);
    f.sources = sources_;
    f.recipe = make_recipe(params_, setup_.style_paths, averaged, &engine_->spatial());
    f.recipe.texture = setup_.texture;
}

void EngineStepper::reset() {
    if (!engine_) return;
    // Every restart begins at the coarsest level (the full size when scales is 1).
    const int size = level_size(setup_.size, setup_.scales, 0);
    nst::Image content = level_content(content_src_, size, params_, setup_.texture);
    // At the first level already, the targets are the ones needed: start over without forward passes.
    start_from(*engine_, content, styles_, setup_.init, init_image_, /*keep_targets=*/level_ == 0, setup_.texture);
    content_ = std::move(content);
    level_ = 0;
    level_start_ = 0;
    steps_ = 0;
    last_good_ = content_;
    last_good_step_ = 0;
    reapply_spatial();
    publish_info();
    log_targets("reset");
}

nst::Image EngineStepper::load_content(const Target& t, std::unique_ptr<ClipFrames>& clip) const {
    if (t.video.empty()) return nst::load_image(t.content_path, t.max_pixels);
    // The clip that runs is reused (its decoder and cached frames); another one is opened here,
    // kept by the caller only once everything else has loaded.
    ClipFrames* frames = clip_.get();
    if (!frames || frames->path() != t.video || frames->max_pixels() != t.max_pixels) {
        clip = std::make_unique<ClipFrames>(t.video, nst::video::Limits{t.max_pixels, t.max_frames});
        frames = clip.get();
    }
    return frames->frame(t.frame);
}

bool EngineStepper::frame_move(const Target& t) const {
    const EngineSetup& a = setup_;
    return engine_ && clip_ && !t.video.empty() && !t.restart && !t.params && t.video == a.video &&
           clip_->path() == t.video && t.max_pixels == a.max_pixels && t.max_frames == a.max_frames &&
           t.style_paths == a.style_paths && t.size == a.size && t.scales == a.scales &&
           t.coarse_steps == a.coarse_steps && same_options(t.options, a.options) && t.init == a.init &&
           t.init_image == a.init_image;
}

void EngineStepper::move_to_frame(const Target& t) {
    // Another frame of the clip: one forward pass for its content targets (the style targets
    // stay), and the image carried over. Near frames (the flow can follow them) start from the
    // current image warped by the flow, with the content where the pixels were not visible before
    // (disocclusions); far frames, or a cut (too few reliable pixels), start from their content.
    constexpr int kNearFrames = 8;
    const auto t0 = std::chrono::steady_clock::now();
    const nst::Image src = clip_->frame(t.frame);  // may throw: nothing has changed yet
    const int size = level_size(setup_.size, setup_.scales, level_);
    nst::Image content = nst::resize_long_side(src, size);
    struct Carried {
        nst::Image start;  // empty: start from the content
        double reliable = 0;
    };
    // The flows (OpenCV, one thread, no LibTorch) run beside the content's forward pass below.
    std::future<Carried> carry;
    if (std::abs(t.frame - setup_.frame) <= kNearFrames && content.width == content_.width &&
        content.height == content_.height)
        carry = std::async(std::launch::async, [&content, previous = content_, image = engine_->result(showing_average())] {
            const nst::video::Flow backward = nst::video::compute_flow(content, previous);
            const nst::video::Flow forward = nst::video::compute_flow(previous, content);
            nst::video::WeightMap seen;
            Carried c;
            c.reliable = nst::video::reliability(backward, forward, &seen).mean();
            if (c.reliable < nst::video::TemporalSettings{}.cut_below) return c;
            const nst::Image warped = nst::video::warp(image, backward);
            c.start = content;
            for (std::size_t i = 0; i < seen.w.size(); ++i)
                if (seen.w[i] > 0.5f)
                    for (int ch = 0; ch < 3; ++ch) c.start.rgb[i * 3 + ch] = warped.rgb[i * 3 + ch];
            return c;
        });
    engine_->set_content(content, content);  // the content targets: one forward pass
    const Carried carried_over = carry.valid() ? carry.get() : Carried{};
    const bool warped = !carried_over.start.empty();
    const std::string carried = warped ? "warped" : "content";
    const double reliable = carried_over.reliable;
    if (warped) engine_->restart(carried_over.start);  // no forward pass: the targets stay
    const nst::Image& start = warped ? carried_over.start : content;
    last_good_ = start;
    last_good_step_ = steps_;
    content_ = std::move(content);
    content_src_ = src;
    setup_.frame = t.frame;
    setup_.request = t.request;
    setup_.reason = t.reason;
    publish_sources(t, size, carried, reliable);
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    log_targets(t.reason);
    if (log_)
        log_->event("frame", {{"frame", t.frame + 1}, {"carried", carried}, {"reliable", reliable}, {"ms", ms},
                              {"at_step", steps_}});
}

void EngineStepper::retarget(const Target& t) {
    if (info_) info_->interrupt_step.store(false);  // the step it stopped is no longer wanted: taken
    if (frame_move(t)) {
        move_to_frame(t);
        return;
    }
    // Everything that can fail happens before any state changes, so a bad file or bad weights
    // leave the current optimisation running untouched.
    if (const std::string why = check_levels(t.size, t.scales, t.coarse_steps); !why.empty())
        throw nst::UsageError(why);
    if (t.style_paths.empty()) throw nst::UsageError("at least one style image is needed");
    if (t.texture && !t.video.empty())
        throw nst::UsageError("a texture has no content: open a still image as the content, or turn texture off");
    std::unique_ptr<ClipFrames> clip;
    nst::Image content_src = load_content(t, clip);
    std::vector<nst::Image> styles;
    for (const auto& path : t.style_paths) styles.push_back(nst::load_image(path, t.max_pixels));
    nst::Image init_image = t.init_image.empty() ? nst::Image{} : nst::load_image(t.init_image, t.max_pixels);
    // A restart begins at the coarsest level. Otherwise the run keeps the number of levels it has
    // left (so a new schedule never sends the image back to a coarser size; Reset applies it).
    const bool restart = !engine_ || t.restart;
    const int level = restart ? 0 : std::max(0, t.scales - (setup_.scales - level_));
    const int size = level_size(t.size, t.scales, level);
    const bool rebuild = !engine_ || !same_options(t.options, setup_.options);
    const Params params = with_blend_for(t.params ? *t.params : params_, styles.size(), {});
    const nst::Image content = level_content(content_src, size, params, t.texture);
    std::unique_ptr<nst::Engine> fresh;
    nst::Engine& e = rebuild ? *(fresh = std::make_unique<nst::Engine>(with_interrupt(t.options), params)) : *engine_;
    // The engine sizes each style against the content (Params::style_scale). An engine that stays
    // may still hold a blend for the old style list; set_params below brings the new one.
    if (engine_ && !t.restart) {
        retarget_engine(e, content, styles, engine_->image(), t.texture);  // resampled when the size changed
    } else {
        // "Restart from" with the inputs the engine already targets (same pixels, first level):
        // no forward pass, only a new start image.
        const bool same_targets = engine_ && !rebuild && level_ == 0 && same_pixels(content, content_) &&
                                  t.texture == setup_.texture && styles.size() == styles_.size() &&
                                  std::equal(styles.begin(), styles.end(), styles_.begin(), same_pixels);
        start_from(e, content, styles, t.init, init_image, same_targets, t.texture);
        steps_ = 0;
    }
    if (restart || level != level_) level_start_ = steps_;
    level_ = level;
    if (fresh) {
        if (engine_) passes_before_ += engine_->target_passes();
        engine_ = std::move(fresh);
    }
    params_ = params;
    engine_->set_params(params_);
    content_ = content;
    content_src_ = std::move(content_src);
    styles_ = std::move(styles);
    init_image_ = std::move(init_image);
    setup_ = t;
    setup_.params.reset();
    if (clip) clip_ = std::move(clip);
    else if (t.video.empty()) clip_.reset();
    last_good_ = engine_->image();
    last_good_step_ = steps_;
    publish_sources(t, size, "", 0);
    reapply_spatial();  // a new engine has none; a new size wants them pooled from full size
    publish_info();
    log_targets(t.reason);
}

void EngineStepper::publish_sources(const Target& t, int size, const std::string& carried, double reliable) {
    auto src = std::make_shared<Sources>();
    src->generation = ++generation_;
    src->request = t.request;
    // The panel's thumbnails show the inputs at the full size, whatever level the run is at.
    src->content = to_rgba8(size == t.size && !t.texture ? content_ : nst::resize_long_side(content_src_, t.size));
    if (sources_ && !carried.empty()) {
        src->styles = sources_->styles;  // a frame move: the same styles
    } else {
        for (const auto& s : styles_)
            src->styles.push_back(to_rgba8(std::max(s.width, s.height) > t.size ? nst::resize_long_side(s, t.size) : s));
    }
    src->content_name = t.texture ? std::string("texture") : file_name(t.video.empty() ? t.content_path : t.video);
    if (!t.video.empty()) src->content_name += " frame " + std::to_string(t.frame + 1);
    src->style_paths = t.style_paths;
    for (const auto& p : t.style_paths) src->style_names.push_back(file_name(p));
    src->device = engine_->device_name();
    src->random_features = engine_->random_features();
    src->precision = nst::precision_name(t.options.precision);
    if (clip_ && !t.video.empty()) {
        src->video = t.video;
        src->frame = t.frame;
        src->frames = clip_->info().frames;
        src->fps = clip_->info().rate.fps();
    }
    src->start_step = steps_;
    src->carried = carried;
    src->reliable = reliable;
    if (info_) {
        info_->random_features.store(src->random_features);
        info_->precision.store(t.options.precision);
        info_->frame.store(t.video.empty() ? -1 : t.frame);
    }
    sources_ = std::move(src);
}

}  // namespace nstv
