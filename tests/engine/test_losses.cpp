// The loss terms against values computed by hand on tiny tensors.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "loss/gram.h"
#include "loss/tv_loss.h"
#include "match/sliced_wasserstein.h"
#include "match/sort_rows.h"

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

TEST(Losses, RadixSortOfRowsEqualsTorchSortWithNegativesZerosAndTies) {
    auto x = torch::randn({5, 3001}, torch::TensorOptions().dtype(torch::kFloat32));
    x[0].slice(0, 0, 40).fill_(0.0f);  // ties: a stable sort keeps them in order
    x[1][7] = -0.0f;
    x[2].mul_(1e30);
    x[3].mul_(1e-30);
    const auto [values, indices] = nst::match::sort_rows(x);
    const auto expected = std::get<0>(x.sort(1));
    EXPECT_TRUE(torch::equal(values, expected));
    EXPECT_TRUE(torch::equal(x.gather(1, indices), values)) << "the permutation gives the sorted values";
    EXPECT_TRUE(torch::equal(std::get<0>(indices.sort(1)), torch::arange(3001).expand({5, 3001})))
        << "a permutation: each position once";
    const auto zeros = indices[0].slice(0, 0, 40);  // row 0's 40 zeros, all after the negatives
    const auto first_zero = (values[0] < 0).sum().item<std::int64_t>();
    EXPECT_TRUE(torch::equal(indices[0].slice(0, first_zero, first_zero + 40), torch::arange(40))) << zeros;
}

TEST(Losses, SlicedWassersteinOfAStyleAgainstItselfIsZeroAndItsResamplingPicksNearestRows) {
    const auto f = torch::randn({64, 8});
    const auto v = torch::randn({8, 4});
    EXPECT_EQ(nst::match::sliced_wasserstein(f, {f}, {1.0f}, v).item<float>(), 0.0f);
    // A style of 2 rows against 4 output rows: rows 0,0,1,1 of the style's sorted projections.
    const auto style = torch::tensor({{1.0f}, {3.0f}});
    const auto out = torch::tensor({{0.0f}, {1.0f}, {2.0f}, {5.0f}});
    const auto one = torch::ones({1, 1});
    // (0-1)² + (1-1)² + (2-3)² + (5-3)² over 4 values.
    EXPECT_FLOAT_EQ(nst::match::sliced_wasserstein(out, {style}, {1.0f}, one).item<float>(), (1 + 0 + 1 + 4) / 4.0f);
}
