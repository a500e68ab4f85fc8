// The loss terms against values computed by hand on tiny tensors.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "loss/gram.h"
#include "loss/tv_loss.h"

namespace {

TEST(Losses, GramByHand) {
    // C=2, H=1, W=2: F = [[1,2],[3,4]] -> F Fᵀ = [[5,11],[11,25]], / (C·H·W = 4)
    const auto feat = torch::tensor({1.f, 2.f, 3.f, 4.f}).view({1, 2, 1, 2});
    const auto g = nst::losses::gram(feat);
    ASSERT_EQ(g.sizes(), (std::vector<std::int64_t>{2, 2}));
    EXPECT_FLOAT_EQ(g[0][0].item<float>(), 5.f / 4);
    EXPECT_FLOAT_EQ(g[0][1].item<float>(), 11.f / 4);
    EXPECT_FLOAT_EQ(g[1][0].item<float>(), 11.f / 4);
    EXPECT_FLOAT_EQ(g[1][1].item<float>(), 25.f / 4);
}

TEST(Losses, GramIsSymmetricAndNormalisedBySize) {
    const auto feat = torch::rand({1, 5, 3, 4});
    const auto g = nst::losses::gram(feat);
    EXPECT_TRUE(torch::allclose(g, g.t()));
    // Doubling the spatial size with the same statistics leaves the Gram unchanged.
    const auto doubled = torch::cat({feat, feat}, 3);
    EXPECT_TRUE(torch::allclose(nst::losses::gram(doubled), g, 1e-5, 1e-6));
}

TEST(Losses, MeanSquaredDifferenceByHand) {
    const auto a = torch::tensor({1.f, 2.f, 3.f, 4.f});
    const auto b = torch::tensor({1.f, 0.f, 3.f, 1.f});
    // (0 + 4 + 0 + 9) / 4
    EXPECT_FLOAT_EQ(nst::losses::mean_sq(a, b).item<float>(), 13.f / 4);
    EXPECT_FLOAT_EQ(nst::losses::mean_sq(a, a).item<float>(), 0.f);
}

TEST(Losses, TotalVariationByHand) {
    // One channel, 2x3:  [[0, 1, 3],
    //                     [2, 2, 2]]
    // vertical diffs: 2, 1, -1 -> mean sq = 6/3 = 2; horizontal: 1, 2, 0, 0 -> mean sq = 5/4
    const auto x = torch::tensor({0.f, 1.f, 3.f, 2.f, 2.f, 2.f}).view({1, 1, 2, 3});
    EXPECT_FLOAT_EQ(nst::TvTerm::evaluate(x).item<float>(), 2.f + 5.f / 4);
    EXPECT_FLOAT_EQ(nst::TvTerm::evaluate(torch::full({1, 3, 4, 4}, 0.3f)).item<float>(), 0.f);
}

}  // namespace
