#pragma once
// Adam on the one image tensor, followed by the clamp to [0,1].
//
// Why not torch::optim::Adam: it computes the first moment as m·β₁ + g·(1−β₁) while PyTorch's
// Python Adam (what every reference implementation uses) computes lerp(m, g, 1−β₁). The two round
// differently, and Adam's per-pixel normalisation amplifies such 1-ulp differences over a few
// steps wherever a gradient is near zero. Using PyTorch's exact operation order keeps the engine
// comparable with Python results step for step (tests/parity_reference.py), and having the state
// here makes "change lr, keep the moments" and fusing the clamp trivial.
#include <torch/torch.h>

#include <cmath>
#include <utility>
#include <vector>

namespace nst {

struct AdamOptions {
    double lr = 0.02, beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
};

class ImageAdam {
public:
    ImageAdam(const torch::Tensor& x, AdamOptions options)
        : options_(options), m_(torch::zeros_like(x)), v_(torch::zeros_like(x)) {}

    void set_lr(double lr) { options_.lr = lr; }
    [[nodiscard]] double lr() const { return options_.lr; }

    // x ← clamp(x − lr/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + ε), 0, 1), on x.grad().
    void step(torch::Tensor& x) {
        torch::NoGradGuard no_grad;
        const auto [bias1, denom] = advance(x.grad());
        x.addcdiv_(m_, denom, -options_.lr / bias1);
        x.clamp_(0, 1);
    }

    // The same update on a batch [B,…] of images, image b with its own learning rate lrs[b]
    // (a sweep's variants); the moments are shared tensors, each slice its own image's.
    void step_batched(torch::Tensor& x, const std::vector<double>& lrs) {
        torch::NoGradGuard no_grad;
        const auto [bias1, denom] = advance(x.grad());
        for (std::size_t b = 0; b < lrs.size(); ++b) {
            const auto i = static_cast<std::int64_t>(b);
            x.select(0, i).addcdiv_(m_.select(0, i), denom.select(0, i), -lrs[b] / bias1);
        }
        x.clamp_(0, 1);
    }

    // The same update with its two step-dependent scalars read from device tensors, so that it can
    // be captured once in a CUDA graph and replayed: call prepare() before every replay.
    // Allocates the two device scalars; call before capturing step_graphed.
    void init_graphed(const torch::Tensor& like) {
        if (!step_size_.defined()) {
            step_size_ = torch::zeros({}, like.options().requires_grad(false));
            inv_bias2_sqrt_ = torch::zeros({}, like.options().requires_grad(false));
        }
    }
    void prepare_graphed(const torch::Tensor& like) {
        torch::NoGradGuard no_grad;
        init_graphed(like);
        ++t_;
        step_size_.fill_(options_.lr / (1.0 - std::pow(options_.beta1, t_)));
        inv_bias2_sqrt_.fill_(1.0 / std::sqrt(1.0 - std::pow(options_.beta2, t_)));
    }
    void step_graphed(torch::Tensor& x) {
        torch::NoGradGuard no_grad;
        const auto& g = x.grad();
        m_.lerp_(g, 1.0 - options_.beta1);
        v_.mul_(options_.beta2).addcmul_(g, g, 1.0 - options_.beta2);
        const auto denom = (v_.sqrt() * inv_bias2_sqrt_).add_(options_.eps);
        x.sub_(m_ / denom * step_size_);
        x.clamp_(0, 1);
    }

private:
    // One step of the moments in PyTorch's order; returns 1−β₁ᵗ and the update's denominator.
    std::pair<double, torch::Tensor> advance(const torch::Tensor& g) {
        ++t_;
        m_.lerp_(g, 1.0 - options_.beta1);
        v_.mul_(options_.beta2).addcmul_(g, g, 1.0 - options_.beta2);
        const double bias1 = 1.0 - std::pow(options_.beta1, t_);
        const double bias2_sqrt = std::sqrt(1.0 - std::pow(options_.beta2, t_));
        return {bias1, (v_.sqrt() / bias2_sqrt).add_(options_.eps)};
    }

    AdamOptions options_;
    torch::Tensor step_size_, inv_bias2_sqrt_;  // graphed mode only
    torch::Tensor m_, v_;
    long t_ = 0;
};

}  // namespace nst
