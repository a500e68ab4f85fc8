// The creative controls' units, directly: gradient normalisation's per-layer norms on real
// gradients (the bundled samples through untrained VGG19), and --seamless's torus: the gradient
// with circular padding and the wrap-around TV term equals autograd's through the image repeated
// 3x3 and the zero-padded network (the centre tile's features). docs/LOSS.md, "Creative controls".
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <vector>

#include "image/tensor_image.h"
#include "loss/color_ops.h"
#include "loss/gradient_normalization.h"
#include "loss/gram.h"
#include "loss/tv_loss.h"
#include "net/vgg19.h"
#include "nst/layers.h"
#include "support/engine_inputs.h"

namespace {

using torch::indexing::Slice;

nst::VGG19Features random_net(int last_index) {
    nst::VGG19Features net(last_index, nst::Pooling::Max);
    net->init_random(3);
    return net;
}

torch::Tensor normalised(const torch::Tensor& img) {
    const auto mean = torch::tensor({0.485f, 0.456f, 0.406f}).view({1, 3, 1, 1});
    const auto std = torch::tensor({0.229f, 0.224f, 0.225f}).view({1, 3, 1, 1});
    return (img - mean) / std;
}

TEST(GradientNormalization, EachLayerGetsItsIntendedL1Norm) {
    // The style term's real gradients at the five default style layers: the photo against the
    // painting's Grams, through untrained VGG19 (their norms differ by orders of magnitude).
    const auto layers = nst::parse_layer_spec(nst::kDefaultStyleLayers, "--style-layers");
    std::vector<int> taps;
    for (const auto& lw : layers) taps.push_back(nst::relu_index(lw.layer));
    auto net = random_net(taps.back());
    torch::NoGradGuard outer;
    const auto photo = nst::to_tensor(nst::test::asset("content.jpg", 64));
    const auto painting = nst::to_tensor(nst::test::asset("style.jpg", 64));
    const auto targets = net->forward(normalised(painting), taps);
    std::vector<torch::Tensor> grads;
    {
        torch::AutoGradMode on(true);
        const auto feats = net->forward(normalised(photo), taps);
        for (std::size_t l = 0; l < taps.size(); ++l) {
            const auto leaf = feats[l].detach().requires_grad_(true);
            const auto loss = 1e8 * layers[l].weight *
                              nst::losses::mean_sq(nst::losses::gram(leaf), nst::losses::gram(targets[l]));
            loss.backward();
            grads.push_back(leaf.grad().clone());
        }
    }
    std::vector<double> n;
    double total = 0, weights = 0;
    for (std::size_t l = 0; l < grads.size(); ++l) {
        n.push_back(grads[l].abs().sum().item<double>());
        total += n.back();
        weights += layers[l].weight;
    }
    const auto [lo, hi] = std::minmax_element(n.begin(), n.end());
    std::printf("plain L1 norms: %.3g .. %.3g (ratio %.3g)\n", *lo, *hi, *hi / *lo);
    ASSERT_GT(*hi / *lo, 10.0) << "the layers' norms must differ for the test to mean anything";
    for (const float strength : {1.0f, 0.5f, 0.0f}) {
        SCOPED_TRACE(strength);
        std::vector<nst::LayerGradient> term;
        for (std::size_t l = 0; l < grads.size(); ++l) term.push_back({grads[l], layers[l].weight});
        nst::normalize_term_gradients(term, strength);
        double after = 0;
        for (std::size_t l = 0; l < grads.size(); ++l) {
            const double target = layers[l].weight * total / weights;
            const double intended = std::pow(target, strength) * std::pow(n[l], 1.0 - strength);
            const double got = term[l].grad.abs().sum().item<double>();
            EXPECT_NEAR(got, intended, 1e-4 * intended) << layers[l].layer;
            // The direction is the plain gradient's: only its length changes.
            EXPECT_GT(torch::cosine_similarity(term[l].grad.flatten(), grads[l].flatten(), 0).item<double>(), 0.99999);
            after += got;
        }
        if (strength == 1.0f) EXPECT_NEAR(after, total, 1e-4 * total) << "the term's total is kept";
    }
}

TEST(ColorsOnly, TheMapGivesTheTargetMomentsToRounding) {
    // Before the clamp, --colors-only's map takes the photo's colour mean and covariance to the
    // target's exactly: here the mix of the painting's and a reddened copy's (3:1).
    const auto photo = nst::to_tensor(nst::test::asset("content.jpg", 96));
    const auto painting = nst::to_tensor(nst::test::asset("style.jpg", 96));
    const auto red = painting * torch::tensor({1.0f, 0.5f, 0.5f}).view({1, 3, 1, 1});
    const auto [m1, c1] = nst::color_ops::colour_stats(painting);
    const auto [m2, c2] = nst::color_ops::colour_stats(red);
    const auto mean = 0.75 * m1 + 0.25 * m2;
    const auto cov = 0.75 * (c1 + torch::outer(m1, m1)) + 0.25 * (c2 + torch::outer(m2, m2)) - torch::outer(mean, mean);
    const auto [got_mean, got_cov] = nst::color_ops::colour_stats(nst::color_ops::map_moments(photo, mean, cov));
    EXPECT_LT((got_mean - mean).abs().max().item<double>(), 1e-6);
    EXPECT_LT((got_cov - cov).abs().max().item<double>(), 1e-6);
    // What the engine's colours-only makes is that map, clamped.
    const auto out = nst::color_ops::colors_only(photo, {painting, red}, {0.75f, 0.25f});
    EXPECT_LT((out - nst::color_ops::map_moments(photo, mean, cov).clamp(0, 1)).abs().max().item<double>(), 1e-6);
}

TEST(Seamless, TheGradientWithCircularPaddingIsAutogradsOnTheTorus) {
    // Layers up to relu3_1: zero padding spoils at most ~14 px of the repeated image's border at that
    // depth, inside the 32 px margin around the centre tile, so the centre's features are the
    // torus's exactly (docs/LOSS.md).
    const std::vector<int> taps = {nst::relu_index("relu1_1"), nst::relu_index("relu2_1"), nst::relu_index("relu3_1")};
    const std::vector<int> strides = {1, 2, 4};
    auto net = random_net(taps.back());
    constexpr int kSide = 32;
    const auto x0 = nst::to_tensor(nst::test::asset("content.jpg", kSide)).index({Slice(), Slice(), Slice(0, 24)});
    ASSERT_EQ(x0.size(2), 24);
    ASSERT_EQ(x0.size(3), kSide);
    std::vector<torch::Tensor> targets;
    {
        torch::NoGradGuard no_grad;
        const auto style = nst::to_tensor(nst::test::asset("style.jpg", kSide));
        for (const auto& f : net->forward(normalised(style), taps)) targets.push_back(nst::losses::gram(f));
    }
    const auto loss_of = [&](const std::vector<torch::Tensor>& feats, const torch::Tensor& tv) {
        auto loss = tv;
        for (std::size_t l = 0; l < feats.size(); ++l)
            loss = loss + 1e8 * nst::losses::mean_sq(nst::losses::gram(feats[l]), targets[l]);
        return loss;
    };
    // Circular padding and the wrap-around TV term (the engine's --seamless).
    const auto x = x0.clone().requires_grad_(true);
    const auto circular = loss_of(net->forward(normalised(x), taps, {}, true), nst::TvTerm::evaluate(x, true));
    circular.backward();
    // The torus by hand: x repeated 3x3, zero padding, the centre tile's features and the TV
    // differences whose first pixel lies in the centre tile.
    const auto y = x0.clone().requires_grad_(true);
    const auto big = y.repeat({1, 1, 3, 3});
    const auto feats = net->forward(normalised(big), taps);
    const int h = static_cast<int>(x0.size(2)), w = static_cast<int>(x0.size(3));
    std::vector<torch::Tensor> centre;
    for (std::size_t l = 0; l < feats.size(); ++l) {
        const int s = strides[l];
        centre.push_back(feats[l].index({Slice(), Slice(), Slice(h / s, 2 * h / s), Slice(w / s, 2 * w / s)}));
    }
    const auto c = big.index({Slice(), Slice(), Slice(h, 2 * h), Slice(w, 2 * w)});
    const auto down = big.index({Slice(), Slice(), Slice(h + 1, 2 * h + 1), Slice(w, 2 * w)});
    const auto right = big.index({Slice(), Slice(), Slice(h, 2 * h), Slice(w + 1, 2 * w + 1)});
    const auto tv = (down - c).pow(2).mean() + (right - c).pow(2).mean();
    const auto torus = loss_of(centre, tv);
    torus.backward();
    const double scale = y.grad().abs().max().item<double>();
    const double diff = (x.grad() - y.grad()).abs().max().item<double>();
    std::printf("loss %.6g vs %.6g; gradient max %.3g, max difference %.3g\n", circular.item<double>(),
                torus.item<double>(), scale, diff);
    EXPECT_NEAR(circular.item<double>(), torus.item<double>(), 1e-5 * torus.item<double>());
    EXPECT_LT(diff, 1e-4 * scale);
    // And zero padding is not the torus: the same loss without wrapping differs at the borders.
    const auto z = x0.clone().requires_grad_(true);
    loss_of(net->forward(normalised(z), taps), nst::TvTerm::evaluate(z)).backward();
    EXPECT_GT((z.grad() - y.grad()).abs().max().item<double>(), 0.05 * scale);
}

}  // namespace
