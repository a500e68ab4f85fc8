// Sweeps (nst/sweep.h): every variant starts from the same image and steps together. Two ways:
//  - Sequential: one Engine per variant, stepped in turn. Exact by construction (each cell is a
//    separate run) and able to hold any variants.
//  - Batch: one EngineCore (engine_impl.h) with the targets of the union of the variants' layers,
//    and an image x of shape [B,3,H,W]. A step is ONE forward of x through VGG19; each variant's
//    loss units read their own slice of each activation with their own weights (as
//    EngineCore::loss_and_backward composes them), the B totals are summed for one backward, and
//    Adam updates each slice with its own learning rate. VGG19 has no batch normalisation, so the
//    samples are independent: each slice's gradient is its separate run's, up to float rounding
//    (the batched convolutions sum in another order).
#include "nst/sweep.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "engine/engine_impl.h"
#include "nst/error.h"

namespace nst {

namespace {

// Why one batch cannot hold these variants; empty if it can. A batch shares the inputs as the
// network sees them (style scale, luminance/histogram) and the start image, and steps Adam only.
std::string batch_refusal(const std::vector<Params>& variants) {
    const auto& first = variants.front();
    for (std::size_t i = 0; i < variants.size(); ++i) {
        const auto& p = variants[i];
        const std::string which = "variant " + std::to_string(i + 1);
        if (p.optimizer != Optimizer::Adam)
            return which + " uses " + optimizer_name(p.optimizer) + ": a batch steps Adam only";
        if (matches_features(p.style_loss))
            return which + " uses --style-loss " + style_loss_name(p.style_loss) + ": a batch runs gram and w2 only";
        if (p.content_loss != ContentLoss::MSE) return which + " uses --content-loss self-similarity: a batch runs mse only";
        if (p.seamless) return which + " uses --seamless: a batch pads with zeros";
        if (p.normalize_gradients > 0.f) return which + " uses --normalize-gradients: a batch sums its gradients plainly";
        if (p.style_scale != first.style_scale)
            return which + " has style scale " + std::to_string(p.style_scale) + " and variant 1 " +
                   std::to_string(first.style_scale) + ": a batch shares one set of style targets";
        if (p.colors != first.colors)
            return which + " has colour mode " + color_mode_name(p.colors) + " and variant 1 " +
                   color_mode_name(first.colors) + ": a batch shares one set of targets and start image";
    }
    return {};
}

// On a GPU the batch dimension costs little: batch. On the CPU it depends on the size: measured
// with nst-sweep-bench on 2 Xeon cores (docs/PERFORMANCE.md, "Sweeps"), a 4x4 sweep per variant
// batched against one Engine after the other: 64x48 1.54x as fast, 128x96 1.07x, 256x192 0.73x
// (16 images' activations at 256 px no longer fit the caches). So batch up to 128x128 pixels.
constexpr long kCpuBatchMaxPixels = 128L * 128L;
bool batch_is_faster(const torch::Device& device, const Image& content) {
    return device.is_cuda() || static_cast<long>(content.width) * content.height <= kCpuBatchMaxPixels;
}

// The layers of every variant (their weights do not matter: targets are computed for every
// listed layer, as an Engine does; the per-variant weights are applied in the step).
Params union_params(const std::vector<Params>& variants) {
    Params u = variants.front();
    auto merge = [](std::vector<LayerWeight>& into, const std::vector<LayerWeight>& from) {
        for (const auto& lw : from) {
            const bool present = std::any_of(into.begin(), into.end(),
                                             [&](const LayerWeight& have) { return have.layer == lw.layer; });
            if (!present) into.push_back({lw.layer, 1.0f});
        }
    };
    for (const auto& p : variants) {
        merge(u.content_layers, p.content_layers);
        merge(u.style_layers, p.style_layers);
    }
    return u;
}

// One way of stepping the variants.
class Runner {
public:
    virtual ~Runner() = default;
    virtual void set_images(const Image& content, const std::vector<Image>& styles, Init init) = 0;
    virtual void set_images(const Image& content, const std::vector<Image>& styles, const Image& start) = 0;
    // New inputs, variant b starting from starts[b] (coarse-to-fine: its own image).
    virtual void set_images(const Image& content, const std::vector<Image>& styles, const std::vector<Image>& starts) = 0;
    void retarget(const Image& content, const std::vector<Image>& styles) {
        std::vector<Image> own;
        for (int b = 0; b < count(); ++b) own.push_back(image(b));
        if (own.front().empty()) throw Error("Sweep::retarget called before set_images");
        set_images(content, styles, own);
    }
    [[nodiscard]] virtual int count() const = 0;
    virtual void set_spatial(const SpatialControl& spatial) = 0;
    virtual void step() = 0;
    [[nodiscard]] virtual int steps_done() const = 0;
    [[nodiscard]] virtual Losses last_losses(int variant) const = 0;
    [[nodiscard]] virtual Image result(int variant) const = 0;
    [[nodiscard]] virtual Image image(int variant) const = 0;
    [[nodiscard]] virtual bool batched() const = 0;
};

class SequentialSweep final : public Runner {
public:
    SequentialSweep(const EngineOptions& options, const std::vector<Params>& variants) {
        for (const auto& p : variants) engines_.push_back(std::make_unique<Engine>(options, p));
    }

    void set_images(const Image& content, const std::vector<Image>& styles, Init init) override {
        for (auto& e : engines_) e->set_images(content, styles, init);
    }
    void set_images(const Image& content, const std::vector<Image>& styles, const Image& start) override {
        for (auto& e : engines_) e->retarget(content, styles, start);
    }
    void set_images(const Image& content, const std::vector<Image>& styles, const std::vector<Image>& starts) override {
        for (std::size_t b = 0; b < engines_.size(); ++b) engines_[b]->retarget(content, styles, starts.at(b));
    }
    [[nodiscard]] int count() const override { return static_cast<int>(engines_.size()); }
    void set_spatial(const SpatialControl& spatial) override {
        // The checks are the same for every variant, so a refusal comes from the first, before
        // any variant changed.
        for (auto& e : engines_) e->set_spatial(spatial);
    }
    void step() override {
        for (auto& e : engines_) e->step();
    }
    [[nodiscard]] int steps_done() const override { return engines_.front()->steps_done(); }
    [[nodiscard]] Losses last_losses(int v) const override { return engines_.at(static_cast<std::size_t>(v))->last_losses(); }
    [[nodiscard]] Image result(int v) const override { return engines_.at(static_cast<std::size_t>(v))->result(); }
    [[nodiscard]] Image image(int v) const override { return engines_.at(static_cast<std::size_t>(v))->image(); }
    [[nodiscard]] bool batched() const override { return false; }

private:
    std::vector<std::unique_ptr<Engine>> engines_;
};

class BatchSweep final : public Runner {
public:
    BatchSweep(const EngineOptions& options, std::vector<Params> variants) : variants_(std::move(variants)) {
        core_.open(options, union_params(variants_));
        for (const auto& p : variants_) lrs_.push_back(p.lr);
    }

    void set_images(const Image& content, const std::vector<Image>& styles, Init init) override {
        targets_for(content, styles);
        set_x({core_.initial(init)});
    }
    void set_images(const Image& content, const std::vector<Image>& styles, const Image& start) override {
        if (start.empty()) throw Error("the start image must not be empty");
        targets_for(content, styles);
        set_x({core_.initial(start)});
    }
    void set_images(const Image& content, const std::vector<Image>& styles, const std::vector<Image>& starts) override {
        for (const auto& start : starts)
            if (start.empty()) throw Error("the start image must not be empty");
        targets_for(content, styles);
        std::vector<torch::Tensor> own;
        for (const auto& img : starts) own.push_back(core_.initial(img));
        set_x(own);
    }
    [[nodiscard]] int count() const override { return static_cast<int>(variants_.size()); }
    [[nodiscard]] const torch::Device& device() const { return core_.device; }
    void set_spatial(const SpatialControl& spatial) override { core_.set_spatial(spatial); }

    void step() override {
        if (!x_.defined()) throw Error("Sweep::step called before set_images");
        const auto style_count = core_.styles_in.size();
        for (std::size_t b = 0; b < variants_.size(); ++b) {
            const auto& blend = variants_[b].style_blend;
            if (!blend.empty() && blend.size() != style_count)
                throw UsageError("--style-blend has " + std::to_string(blend.size()) + " weights for " +
                                 std::to_string(style_count) + " style images (variant " + std::to_string(b + 1) + ")");
        }
        auto& spatial = core_.spatial;
        if (spatial.has_regions()) {
            check_spatial(spatial.control(), style_count);
            std::set<int> used;
            for (const auto& r : spatial.control().regions)
                if (r.style != kRegionNone) used.insert(r.style);
            for (auto& term : style_terms_) term.prepare_singles(std::vector<int>(used.begin(), used.end()));
        }
        if (!spatial.control().empty()) spatial.fit(x_.size(2), x_.size(3), core_.device);
        loss_and_backward();
        adam_->step_batched(x_, lrs_);
        for (std::size_t b = 0; b < variants_.size(); ++b)
            if (averages_[b]) averages_[b]->update(slice(x_, b));
        ++steps_;
    }

    [[nodiscard]] int steps_done() const override { return steps_; }
    [[nodiscard]] Losses last_losses(int v) const override {
        const auto& l = losses_.at(static_cast<std::size_t>(v));
        if (!l.defined()) return {};
        const auto host = l.to(torch::kCPU, torch::kFloat64);
        const auto* p = host.data_ptr<double>();
        return {p[0], p[1], p[2], p[3]};
    }
    [[nodiscard]] Image result(int v) const override {
        if (!x_.defined()) return {};
        return to_image(shown(checked(v)));
    }
    [[nodiscard]] Image image(int v) const override {
        if (!x_.defined()) return {};
        return to_image(slice(x_, checked(v)));
    }
    [[nodiscard]] bool batched() const override { return true; }

private:
    static torch::Tensor slice(const torch::Tensor& t, std::size_t b) {
        return t.narrow(0, static_cast<std::int64_t>(b), 1);
    }
    [[nodiscard]] std::size_t checked(int v) const {
        if (v < 0 || static_cast<std::size_t>(v) >= variants_.size())
            throw std::out_of_range("Sweep: no variant " + std::to_string(v));
        return static_cast<std::size_t>(v);
    }

    // New inputs: the union's targets in the core (which restores its previous inputs if these
    // fail), then each variant's own style term from the per-style sums.
    void targets_for(const Image& content, const std::vector<Image>& styles) {
        core_.set_images(content, styles);
        std::vector<StyleTerm> fresh(variants_.size());
        for (std::size_t b = 0; b < variants_.size(); ++b) {
            for (const auto& [layer, sums] : core_.style_sums) fresh[b].set_targets(layer, sums);
            const auto& p = variants_[b];
            // A blend whose count does not match is refused by step(), as Engine does.
            if (p.style_blend.empty() || p.style_blend.size() == core_.styles_in.size())
                fresh[b].configure(normalized_blend(p.style_blend, core_.styles_in.size()), p.style_loss, p.layer_blend);
        }
        style_terms_ = std::move(fresh);
    }

    // Every variant starts from `starts` (one image for all, or one each), as Engine::set_x.
    void set_x(const std::vector<torch::Tensor>& starts) {
        torch::NoGradGuard no_grad;
        const auto b = static_cast<std::int64_t>(variants_.size());
        auto x = starts.size() == 1 ? starts.front().detach().repeat({b, 1, 1, 1}) : torch::cat(starts, 0);
        x_ = x.clamp_(0, 1).requires_grad_(true);
        adam_.emplace(x_, AdamOptions{});
        averages_.assign(variants_.size(), std::nullopt);
        for (std::size_t i = 0; i < variants_.size(); ++i)
            if (variants_[i].average > 0.f) averages_[i].emplace(slice(x_, i), variants_[i].average);
        losses_.assign(variants_.size(), torch::Tensor());
        steps_ = 0;
    }

    // EngineCore::loss_and_backward for each slice with its variant's weights; one forward, one
    // backward.
    void loss_and_backward() {
        std::set<int> tap_set;
        for (const auto& p : variants_) add_used_taps(tap_set, p);
        const auto feats = core_.features(x_, std::vector<int>(tap_set.begin(), tap_set.end()));
        const auto zero = torch::zeros({}, x_.options().requires_grad(false));
        SpatialMasks* masks = core_.spatial.control().empty() ? nullptr : &core_.spatial;
        std::vector<torch::Tensor> totals;
        for (std::size_t b = 0; b < variants_.size(); ++b) {
            const auto& p = variants_[b];
            Taps own;
            for (const auto& [idx, f] : feats) own[idx] = slice(f, b);
            const auto content_loss = core_.content_term.evaluate(p.content_layers, own, zero, masks);
            const auto style_loss = style_terms_[b].evaluate(p.style_layers, own, zero, masks);
            const auto tv_loss = TvTerm::evaluate(slice(x_, b));
            const auto total = p.content_weight * content_loss + p.style_weight * style_loss + p.tv_weight * tv_loss;
            totals.push_back(total);
            losses_[b] = torch::stack({content_loss, style_loss, tv_loss, total}).detach();
        }
        x_.mutable_grad() = torch::Tensor();
        // d(Σ_b total_b)/d(total_b) = 1: each slice gets its own variant's gradient.
        torch::stack(totals).sum().backward();
    }

    // EngineCore::shown for one slice.
    [[nodiscard]] torch::Tensor shown(std::size_t b) const {
        torch::NoGradGuard no_grad;
        const auto img = averages_[b] ? averages_[b]->get().clamp_(0, 1) : slice(x_, b).detach();
        const auto colors = variants_[b].colors;
        if (colors == ColorMode::Post || colors == ColorMode::Luminance)
            return color_ops::keep_chrominance(img, core_.content_rgb).clamp_(0, 1);
        return img;
    }

    std::vector<Params> variants_;
    EngineCore core_;  // network, inputs, content targets, style sums, regions; its own x unused
    std::vector<StyleTerm> style_terms_;  // per variant: its blend and statistic
    torch::Tensor x_;                     // [B,3,H,W] in [0,1], a leaf with grad
    std::optional<ImageAdam> adam_;       // over all slices, each variant with its own lr
    std::vector<double> lrs_;             // variants_[b].lr
    std::vector<std::optional<ImageAverage>> averages_;
    std::vector<torch::Tensor> losses_;   // per variant: [content, style, tv, total], detached
    int steps_ = 0;
};

// Auto where a batch is possible: batch or one after the other, whichever batch_is_faster says for
// the content's size, chosen again at every new size (coarse-to-fine levels). A switch happens where
// the optimiser restarts anyway (set_images, retarget), with each variant's own image and the
// regions carried over, so it changes the speed and nothing else.
class AutoSweep final : public Runner {
public:
    AutoSweep(const EngineOptions& options, std::vector<Params> variants)
        : options_(options), variants_(std::move(variants)) {
        // Built now so that unusable weights or devices fail here, as an Engine's constructor.
        auto batch = std::make_unique<BatchSweep>(options_, variants_);
        device_ = batch->device();
        current_ = std::move(batch);
        batched_ = true;
    }

    void set_images(const Image& content, const std::vector<Image>& styles, Init init) override {
        runner_for(content, [&](Runner& r) { r.set_images(content, styles, init); });
    }
    void set_images(const Image& content, const std::vector<Image>& styles, const Image& start) override {
        runner_for(content, [&](Runner& r) { r.set_images(content, styles, start); });
    }
    void set_images(const Image& content, const std::vector<Image>& styles, const std::vector<Image>& starts) override {
        runner_for(content, [&](Runner& r) { r.set_images(content, styles, starts); });
    }
    void set_spatial(const SpatialControl& spatial) override {
        current_->set_spatial(spatial);
        spatial_ = spatial;
    }
    void step() override { current_->step(); }
    [[nodiscard]] int steps_done() const override { return current_->steps_done(); }
    [[nodiscard]] Losses last_losses(int v) const override { return current_->last_losses(v); }
    [[nodiscard]] Image result(int v) const override { return current_->result(v); }
    [[nodiscard]] Image image(int v) const override { return current_->image(v); }
    [[nodiscard]] bool batched() const override { return batched_; }
    [[nodiscard]] int count() const override { return static_cast<int>(variants_.size()); }

private:
    // Runs `apply` on the runner that suits `content`: the current one, or a new one that replaces
    // it only once `apply` (and the regions) succeeded on it.
    template <typename Apply>
    void runner_for(const Image& content, Apply&& apply) {
        const bool batch = batch_is_faster(device_, content);
        if (batch == batched_) {
            apply(*current_);
            return;
        }
        std::unique_ptr<Runner> fresh;
        if (batch)
            fresh = std::make_unique<BatchSweep>(options_, variants_);
        else
            fresh = std::make_unique<SequentialSweep>(options_, variants_);
        apply(*fresh);
        if (!spatial_.empty()) fresh->set_spatial(spatial_);
        current_ = std::move(fresh);
        batched_ = batch;
    }

    EngineOptions options_;
    std::vector<Params> variants_;
    torch::Device device_{torch::kCPU};
    std::unique_ptr<Runner> current_;
    bool batched_ = true;
    SpatialControl spatial_;  // what set_spatial last accepted, for a new runner
};

}  // namespace

struct Sweep::Impl {
    std::unique_ptr<Runner> runner;
    std::size_t size = 0;
    EngineOptions options;
};

Sweep::Sweep(const EngineOptions& options, std::vector<Params> variants, SweepMode mode) {
    if (variants.empty()) throw UsageError("a sweep needs at least one variant");
    if (variants.size() > static_cast<std::size_t>(kMaxSweepCells))
        throw UsageError("a sweep of " + std::to_string(variants.size()) + " variants is more than " +
                         std::to_string(kMaxSweepCells));
    for (const auto& p : variants) check_params(p);
    const std::string refusal = batch_refusal(variants);
    if (mode == SweepMode::Batch && !refusal.empty()) throw UsageError("sweep mode batch: " + refusal);
    impl_ = std::make_unique<Impl>();
    impl_->size = variants.size();
    impl_->options = options;
    if (mode == SweepMode::Batch)
        impl_->runner = std::make_unique<BatchSweep>(options, std::move(variants));
    else if (mode == SweepMode::Auto && refusal.empty())
        impl_->runner = std::make_unique<AutoSweep>(options, std::move(variants));
    else
        impl_->runner = std::make_unique<SequentialSweep>(options, variants);
}

Sweep::~Sweep() = default;

void Sweep::set_images(const Image& content, const std::vector<Image>& styles, Init init) {
    impl_->runner->set_images(content, styles, init);
}
void Sweep::set_images(const Image& content, const std::vector<Image>& styles, const Image& start) {
    impl_->runner->set_images(content, styles, start);
}
void Sweep::retarget(const Image& content, const std::vector<Image>& styles) { impl_->runner->retarget(content, styles); }
void Sweep::set_spatial(const SpatialControl& spatial) { impl_->runner->set_spatial(spatial); }
void Sweep::step() { impl_->runner->step(); }
int Sweep::size() const { return static_cast<int>(impl_->size); }
bool Sweep::batched() const { return impl_->runner->batched(); }
int Sweep::steps_done() const { return impl_->runner->steps_done(); }
Losses Sweep::last_losses(int variant) const { return impl_->runner->last_losses(variant); }
Image Sweep::result(int variant) const { return impl_->runner->result(variant); }
Image Sweep::image(int variant) const { return impl_->runner->image(variant); }
bool Sweep::random_features() const { return impl_->options.features.random(); }

}  // namespace nst
