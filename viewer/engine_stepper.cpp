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

void EngineStepper::render(Frame& f) {
    engine_->image_rgba8(f.image.pixels, f.image.width, f.image.height);
    f.sources = sources_;
}

void EngineStepper::reset() {
    if (!engine_) return;
    engine_->set_images(content_, style_, setup_.init);
    steps_ = 0;
    last_good_ = content_;
    last_good_step_ = 0;
}

void EngineStepper::retarget(const Target& t) {
    // Everything that can fail happens before any state changes, so a bad file or bad weights
    // leave the current optimisation running untouched.
    const nst::Image content = nst::resize_long_side(nst::load_image(t.content_path, t.max_pixels), t.size);
    const nst::Image style = nst::resize_long_side(nst::load_image(t.style_path, t.max_pixels), t.size);
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
    if (fresh) engine_ = std::move(fresh);
    params_ = params;
    engine_->set_params(params_);
    content_ = content;
    style_ = style;
    setup_ = t;
    last_good_ = engine_->image();
    last_good_step_ = steps_;

    auto src = std::make_shared<Sources>();
    src->generation = ++generation_;
    src->content = to_rgba8(content_);
    src->style = to_rgba8(style_);
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
}

}  // namespace nstv
