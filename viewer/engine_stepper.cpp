#include "engine_stepper.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>

namespace nstv {
namespace {

bool same_options(const nst::EngineOptions& a, const nst::EngineOptions& b) {
    return a.features.weights_path == b.features.weights_path &&
           a.features.random_seed == b.features.random_seed && a.pooling == b.pooling &&
           a.device == b.device && a.threads == b.threads && a.seed == b.seed && a.precision == b.precision;
}

Rgba8 to_rgba8(const nst::Image& img) {
    Rgba8 out;
    out.width = img.width;
    out.height = img.height;
    const std::size_t n = static_cast<std::size_t>(img.width) * img.height;
    out.pixels.resize(n * 4);
    for (std::size_t i = 0; i < n; ++i) {
        for (int c = 0; c < 3; ++c) {
            const float v = std::clamp(img.rgb[i * 3 + c], 0.0f, 1.0f);
            out.pixels[i * 4 + c] = static_cast<std::uint8_t>(std::lround(v * 255.0f));
        }
        out.pixels[i * 4 + 3] = 255;
    }
    return out;
}

bool all_finite(const nst::Image& img) {
    return !img.empty() && std::all_of(img.rgb.begin(), img.rgb.end(), [](float v) { return std::isfinite(v); });
}

std::string file_name(const std::string& path) { return std::filesystem::path(path).filename().string(); }

}  // namespace

EngineStepper::EngineStepper(const Params& initial, Notify notify, std::shared_ptr<EngineInfo> info)
    : notify_(std::move(notify)), info_(std::move(info)), params_(initial) {}

EngineStepper::~EngineStepper() = default;

void EngineStepper::apply(const Params& p) {
    params_ = p;
    if (!engine_) return;
    // Weights and the learning rate change in place (Adam's moments survive). A layer that had no
    // target yet gets one inside set_params (slower, still keeps x and Adam's state).
    const bool new_targets = engine_->needs_rebuild(p);
    engine_->set_params(p);
    if (new_targets) notify_(Notice{Notice::Level::Info, "new layer: its targets were computed", {}});
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
        engine_->retarget(content_, style_, start);
        params_.lr *= 0.5f;
        engine_->set_params(params_);
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

void EngineStepper::remember_if_good() {
    nst::Image img = engine_->image();
    if (all_finite(img)) {
        last_good_ = std::move(img);
        last_good_step_ = steps_;
    }
}

void EngineStepper::start_level(int level) {
    const int size = level_size(setup_.size, setup_.scales, level);
    nst::Image content = nst::resize_long_side(content_src_, size);
    nst::Image style = nst::resize_long_side(style_src_, size);
    engine_->retarget(content, style, engine_->image());  // the current image, upsampled
    content_ = std::move(content);
    style_ = std::move(style);
    level_ = level;
    level_start_ = steps_;
    last_good_ = engine_->image();
    last_good_step_ = steps_;
    publish_info();
}

void EngineStepper::publish_info() {
    if (!info_) return;
    info_->size.store(level_size(setup_.size, setup_.scales, level_));
    info_->levels.store(setup_.scales);
    info_->level.store(level_ + 1);
}

void EngineStepper::render(Frame& f) {
    engine_->image_rgba8(f.image.pixels, f.image.width, f.image.height);
    f.sources = sources_;
}

void EngineStepper::reset() {
    if (!engine_) return;
    // Every restart begins at the coarsest level (the full size when scales is 1).
    const int size = level_size(setup_.size, setup_.scales, 0);
    nst::Image content = nst::resize_long_side(content_src_, size);
    nst::Image style = nst::resize_long_side(style_src_, size);
    engine_->set_images(content, style, setup_.init);
    content_ = std::move(content);
    style_ = std::move(style);
    level_ = 0;
    level_start_ = 0;
    steps_ = 0;
    last_good_ = content_;
    last_good_step_ = 0;
    publish_info();
}

void EngineStepper::retarget(const Target& t) {
    // Everything that can fail happens before any state changes, so a bad file or bad weights
    // leave the current optimisation running untouched.
    if (const std::string why = check_levels(t.size, t.scales, t.coarse_steps); !why.empty())
        throw nst::UsageError(why);
    nst::Image content_src = nst::load_image(t.content_path, t.max_pixels);
    nst::Image style_src = nst::load_image(t.style_path, t.max_pixels);
    // A restart begins at the coarsest level. Otherwise the run keeps the number of levels it has
    // left (so a new schedule never sends the image back to a coarser size; Reset applies it).
    const bool restart = !engine_ || t.restart;
    const int level = restart ? 0 : std::max(0, t.scales - (setup_.scales - level_));
    const int size = level_size(t.size, t.scales, level);
    const nst::Image content = nst::resize_long_side(content_src, size);
    const nst::Image style = nst::resize_long_side(style_src, size);
    const bool rebuild = !engine_ || !same_options(t.options, setup_.options);
    const Params params = t.params ? *t.params : params_;
    std::unique_ptr<nst::Engine> fresh;
    nst::Engine& e = rebuild ? *(fresh = std::make_unique<nst::Engine>(t.options, params)) : *engine_;
    if (engine_ && !t.restart) {
        e.retarget(content, style, engine_->image());  // resampled when the size changed
    } else {
        e.set_images(content, style, t.init);
        steps_ = 0;
    }
    if (restart || level != level_) level_start_ = steps_;
    level_ = level;
    if (fresh) engine_ = std::move(fresh);
    params_ = params;
    engine_->set_params(params_);
    content_ = content;
    style_ = style;
    content_src_ = std::move(content_src);
    style_src_ = std::move(style_src);
    setup_ = t;
    last_good_ = engine_->image();
    last_good_step_ = steps_;

    auto src = std::make_shared<Sources>();
    src->generation = ++generation_;
    // The panel's thumbnails show the inputs at the full size, whatever level the run is at.
    src->content = to_rgba8(size == t.size ? content_ : nst::resize_long_side(content_src_, t.size));
    src->style = to_rgba8(size == t.size ? style_ : nst::resize_long_side(style_src_, t.size));
    src->content_name = file_name(t.content_path);
    src->style_name = file_name(t.style_path);
    src->device = engine_->device_name();
    src->random_features = engine_->random_features();
    src->precision = nst::precision_name(t.options.precision);
    if (info_) {
        info_->random_features.store(src->random_features);
        info_->precision.store(t.options.precision);
    }
    sources_ = std::move(src);
    publish_info();
}

}  // namespace nstv
