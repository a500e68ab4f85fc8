#pragma once
// L-BFGS on the one image tensor, one loss-and-gradient evaluation per step.
//
// The update is torch.optim.LBFGS's without a line search (what jcjohnson/neural-style and
// neural-style-pt run): the two-loop recursion over the last `history` curvature pairs, a pair
// kept only when yᵀs > 1e-10, H₀ = yᵀs / yᵀy, the first step's length min(1, 1/‖g‖₁)·lr and lr
// after that. torch.optim.LBFGS runs max_iter iterations inside one step(closure) call; here each
// call of step() is one of those iterations, so that the step counter, --steps and ms/step mean one
// evaluation for both optimisers and every knob can change between evaluations.
//
// The box [0,1] by a bounded parametrisation: L-BFGS runs on z with the image x = sin²(πz/2), so
// every z is a valid image, the problem stays smooth and unconstrained, and the curvature pairs
// stay true. The alternatives failed the tests: clamping after each update (with or without
// zeroing the gradient that points out of the box) ends at [0,0,1,1] (or [1,1,1,1]) on a 4-pixel
// quadratic whose answer is [0, 0.3, 1, 0.6] (tests/engine/test_optimizers.cpp), because a clamped pixel makes the step
// taken differ from the step planned (s ≠ t·d) and so the curvature pairs lie. x = sigmoid(z)
// was the other candidate; its dx/dz = x(1−x) is ~1e-3 at the saturated pixels photos have, where
// sin²'s, π√(x(1−x)), is ~0.1: a far better conditioned problem. sin²'s derivative is 0 exactly at
// 0 and 1, so the start is first moved into [1/512, 1 − 1/512] (under half an 8-bit level);
// otherwise a pure white pixel could never change. tests/parity_reference.py runs
// torch.optim.LBFGS on the same z.
//
// When the direction is not a descent direction (gᵀd ≥ 0: only rounding can cause it, as every
// kept pair has yᵀs > 0) the history is dropped and the step restarts from −g, where
// torch.optim.LBFGS would stop.
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <deque>
#include <numbers>

namespace nst {

class ImageLBFGS {
public:
    static constexpr double kMargin = 1.0 / 512;

    // The parametrisation and its inverse (the start moved kMargin into the box).
    static torch::Tensor to_image(const torch::Tensor& z) { return torch::sin(z * (std::numbers::pi / 2)).pow(2); }
    static torch::Tensor from_image(const torch::Tensor& x) {
        torch::NoGradGuard no_grad;
        return torch::asin(x.detach().clamp(kMargin, 1.0 - kMargin).sqrt()) * (2.0 / std::numbers::pi);
    }

    ImageLBFGS(const torch::Tensor& start, double lr, int history)
        : lr_(lr), history_(std::max(1, history)), z_(from_image(start).contiguous().requires_grad_(true)) {}

    void set_lr(double lr) { lr_ = lr; }
    // A shorter history drops the oldest pairs; nothing else is reset.
    void set_history(int history) {
        history_ = std::max(1, history);
        while (static_cast<int>(pairs_.size()) > history_) pairs_.pop_front();
    }
    [[nodiscard]] long restarts() const { return restarts_; }

    // The image at the current z, attached to autograd: the loss's backward fills z's gradient.
    [[nodiscard]] torch::Tensor image_with_grad() {
        z_.mutable_grad() = torch::Tensor();
        return to_image(z_);
    }
    // The image at the current z, detached.
    [[nodiscard]] torch::Tensor image() const {
        torch::NoGradGuard no_grad;
        return to_image(z_);
    }

    // z ← z + t·d, with d the L-BFGS direction for the gradient the last backward left in z.
    void step() {
        torch::NoGradGuard no_grad;
        const auto g = z_.grad().reshape({-1});
        if (iterations_ > 0) remember(g);
        bool first = iterations_ == 0;
        torch::Tensor d = first ? g.neg() : direction(g);
        if (!first && g.dot(d).item<double>() >= 0) {
            pairs_.clear();
            h_diag_ = 1.0;
            d = g.neg();
            first = true;
            ++restarts_;
        }
        // As torch: the first step is scaled so that its L1 length is at most lr.
        t_ = first ? std::min(1.0, 1.0 / g.abs().sum().item<double>()) * lr_ : lr_;
        if (!std::isfinite(t_)) t_ = lr_;  // a zero gradient: d is zero too, so any t
        prev_g_ = g.clone();
        d_ = d;
        z_.add_(d.view_as(z_), t_);
        ++iterations_;
    }

private:
    struct Pair {
        torch::Tensor y, s;
        double rho;
    };

    // The curvature pair of the last update: y = g − g_prev, s = t·d (the step as planned).
    void remember(const torch::Tensor& g) {
        auto y = g - prev_g_;
        auto s = d_ * t_;
        const double ys = y.dot(s).item<double>();
        if (ys > 1e-10) {
            if (static_cast<int>(pairs_.size()) == history_) pairs_.pop_front();
            h_diag_ = ys / y.dot(y).item<double>();
            pairs_.push_back({std::move(y), std::move(s), 1.0 / ys});
        }
    }

    // The two-loop recursion: d = −H·g.
    [[nodiscard]] torch::Tensor direction(const torch::Tensor& g) const {
        std::vector<double> alpha(pairs_.size());
        auto q = g.neg();
        for (std::size_t k = pairs_.size(); k-- > 0;) {
            alpha[k] = pairs_[k].s.dot(q).item<double>() * pairs_[k].rho;
            q.add_(pairs_[k].y, -alpha[k]);
        }
        auto r = q.mul_(h_diag_);
        for (std::size_t k = 0; k < pairs_.size(); ++k) {
            const double beta = pairs_[k].y.dot(r).item<double>() * pairs_[k].rho;
            r.add_(pairs_[k].s, alpha[k] - beta);
        }
        return r;
    }

    double lr_;
    int history_;
    torch::Tensor z_;  // the variable L-BFGS optimises; the image is to_image(z_)
    std::deque<Pair> pairs_;
    torch::Tensor prev_g_, d_;
    double t_ = 0, h_diag_ = 1.0;
    long iterations_ = 0, restarts_ = 0;
};

}  // namespace nst
