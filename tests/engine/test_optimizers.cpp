// The optimisers and start images: the moving average against a hand computation, L-BFGS on
// problems whose answer is known (inside and against the box [0,1]), and both through the engine
// (switching keeps the image, the average is what is shown, restarts from any start image).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "nst/nst.h"
#include "optim/image_average.h"
#include "optim/lbfgs.h"
#include "support/engine_inputs.h"
#include "support/test_util.h"

namespace {

using nst::test::asset;
using nst::test::cpu_random;

TEST(ImageAverage, MatchesAHandComputation) {
    // decay 0.5: the start counts once; each update scales the old samples by 0.5 and adds the new
    // one with weight 0.5; the value is the weighted sum over the sum of the weights.
    const auto x0 = torch::tensor({1.0f, 2.0f});
    nst::ImageAverage avg(x0, 0.5);
    EXPECT_TRUE(torch::equal(avg.get(), x0)) << "before any step the average is the start";
    avg.update(torch::tensor({3.0f, 0.0f}));
    // (0.25·[1,2] + 0.5·[3,0]) / 0.75 = [7/3, 2/3]
    auto v = avg.get();
    EXPECT_FLOAT_EQ(v[0].item<float>(), 7.0f / 3.0f);
    EXPECT_FLOAT_EQ(v[1].item<float>(), 2.0f / 3.0f);
    avg.update(torch::tensor({0.0f, 6.0f}));
    // (0.125·[1,2] + 0.25·[3,0] + 0.5·[0,6]) / 0.875 = [0.875, 3.25] / 0.875
    v = avg.get();
    EXPECT_FLOAT_EQ(v[0].item<float>(), 1.0f);
    EXPECT_FLOAT_EQ(v[1].item<float>(), 3.25f / 0.875f);
}

TEST(ImageAverage, OfAConstantIsThatConstant) {
    // The bias correction: no pull towards 0 at any step.
    const auto c = torch::full({1, 3, 2, 2}, 0.7f);
    nst::ImageAverage avg(c, 0.99);
    for (int i = 0; i < 5; ++i) {
        avg.update(c);
        EXPECT_TRUE(torch::allclose(avg.get(), c, 0, 1e-6)) << "after " << i + 1 << " updates";
    }
}

// f(x) = ½ Σ aᵢ (xᵢ − cᵢ)²: a diagonal quadratic; in the box [0,1] its minimiser is clamp(c).
struct Quadratic {
    torch::Tensor a, c;
    torch::Tensor value_and_grad(const torch::Tensor& x) const {
        auto f = (0.5 * a * (x - c).pow(2)).sum();
        f.backward();
        return f.detach();
    }
};

torch::Tensor run_lbfgs(const Quadratic& q, const torch::Tensor& start, int evaluations, double lr = 1.0,
                        int history = 10) {
    nst::ImageLBFGS opt(start, lr, history);
    for (int i = 0; i < evaluations; ++i) {
        auto x = opt.image_with_grad();
        (void)q.value_and_grad(x);
        opt.step();
    }
    return opt.image();
}

TEST(ImageLBFGS, FindsTheMinimumInsideTheBox) {
    // Condition number 100: gradient descent would need hundreds of steps.
    const Quadratic q{torch::tensor({1.0f, 10.0f, 100.0f, 3.0f}), torch::tensor({0.2f, 0.8f, 0.5f, 0.35f})};
    const auto x = run_lbfgs(q, torch::full({4}, 0.9f), 30);
    EXPECT_TRUE(torch::allclose(x, q.c, 0, 1e-4)) << x;
}

TEST(ImageLBFGS, StopsAtTheBoundsWithoutStalling) {
    // Two coordinates want to leave the box; the others must still converge. (Clamping after each
    // update instead of the parametrisation ends at [0,0,1,1] here; see lbfgs.h.)
    const Quadratic q{torch::tensor({1.0f, 10.0f, 100.0f, 3.0f}), torch::tensor({-0.5f, 0.3f, 1.7f, 0.6f})};
    const auto x = run_lbfgs(q, torch::full({4}, 0.5f), 40);
    EXPECT_TRUE(torch::allclose(x, q.c.clamp(0, 1), 0, 1e-4)) << x;
}

TEST(ImageLBFGS, ASaturatedPixelCanMove) {
    // Pixels at exactly 0 and 1 (a photo's pure black and white) whose optimum is inside.
    const Quadratic q{torch::tensor({5.0f, 5.0f}), torch::tensor({0.6f, 0.3f})};
    const auto x = run_lbfgs(q, torch::tensor({0.0f, 1.0f}), 30);
    EXPECT_TRUE(torch::allclose(x, q.c, 0, 1e-4)) << x;
}

TEST(ImageLBFGS, AShortHistoryStillConverges) {
    const Quadratic q{torch::linspace(1, 50, 16), torch::linspace(-0.3, 1.3, 16)};
    const auto x = run_lbfgs(q, torch::full({16}, 0.5f), 80, 1.0, 2);
    EXPECT_TRUE(torch::allclose(x, q.c.clamp(0, 1), 0, 1e-3)) << x;
}

// ---- through the engine ---------------------------------------------------------------------

nst::Params params_for(nst::Optimizer optimizer, float average = 0.0f) {
    auto p = nst::Params::defaults();
    p.style_weight = nst::kRandomFeaturesStyleWeight;
    p.optimizer = optimizer;
    p.lr = nst::default_lr(optimizer);
    p.average = average;
    return p;
}

double max_abs_diff(const nst::Image& a, const nst::Image& b) {
    EXPECT_EQ(a.rgb.size(), b.rgb.size());
    double worst = 0;
    for (std::size_t i = 0; i < a.rgb.size() && i < b.rgb.size(); ++i)
        worst = std::max(worst, static_cast<double>(std::abs(a.rgb[i] - b.rgb[i])));
    return worst;
}

class EngineOptimizers : public ::testing::Test {
protected:
    const nst::Image content = asset("content.jpg", 64);
    const nst::Image style = asset("style.jpg", 64);
};

TEST_F(EngineOptimizers, LbfgsLowersTheLossAndKeepsPixelsInTheBox) {
    nst::Engine e(cpu_random(), params_for(nst::Optimizer::LBFGS));
    e.set_images(content, style);
    e.step();
    const double first = e.last_losses().total;
    for (int i = 0; i < 29; ++i) e.step();
    EXPECT_EQ(e.steps_done(), 30) << "one step is one evaluation";
    EXPECT_LT(e.last_losses().total, 0.5 * first);
    EXPECT_EQ(e.optimizer_restarts(), 0) << "every direction should be a descent direction (lbfgs.h)";
    for (const float v : e.image().rgb) ASSERT_TRUE(v >= 0.0f && v <= 1.0f) << v;
}

TEST_F(EngineOptimizers, SwitchingTheOptimizerKeepsTheImage) {
    auto p = params_for(nst::Optimizer::Adam);
    nst::Engine e(cpu_random(), p);
    e.set_images(content, style);
    for (int i = 0; i < 5; ++i) e.step();
    const nst::Image before = e.image();
    const long passes = e.target_passes();
    p.optimizer = nst::Optimizer::LBFGS;
    p.lr = 1.0f;
    e.set_params(p);
    EXPECT_EQ(max_abs_diff(e.image(), before), 0.0) << "switching must not move the image";
    EXPECT_EQ(e.target_passes(), passes) << "switching must not recompute targets";
    EXPECT_EQ(e.steps_done(), 5) << "the step counter carries on";
    e.step();
    const double at_switch = e.last_losses().total;
    for (int i = 0; i < 10; ++i) e.step();
    EXPECT_LT(e.last_losses().total, at_switch) << "L-BFGS goes on from Adam's image";
}

TEST_F(EngineOptimizers, AverageIsShownAndTheIterateKept) {
    nst::Engine e(cpu_random(), params_for(nst::Optimizer::Adam, 0.9f));
    e.set_images(content, style);
    EXPECT_LT(max_abs_diff(e.result(), e.result(false)), 1e-6) << "before any step both are the start";
    for (int i = 0; i < 10; ++i) e.step();
    const nst::Image averaged = e.result(), iterate = e.result(false);
    EXPECT_EQ(max_abs_diff(iterate, e.image()), 0.0);
    EXPECT_GT(max_abs_diff(averaged, iterate), 1e-3) << "the average lags the iterate";
    // Off: the result is the iterate again.
    auto p = params_for(nst::Optimizer::Adam, 0.0f);
    e.set_params(p);
    EXPECT_EQ(max_abs_diff(e.result(), e.image()), 0.0);
}

TEST_F(EngineOptimizers, RestartsFromGrayNoiseOrAPicture) {
    nst::Engine e(cpu_random(), params_for(nst::Optimizer::Adam));
    e.set_images(content, style);
    for (int i = 0; i < 3; ++i) e.step();
    const long passes = e.target_passes();
    e.restart(nst::Init::Gray);
    EXPECT_EQ(e.steps_done(), 0);
    for (const float v : e.image().rgb) ASSERT_TRUE(v >= 0.5f && v < 0.5f + 1.0f / 255.0f + 1e-6f) << v;
    e.restart(nst::Init::Content);
    EXPECT_LT(max_abs_diff(e.image(), content), 1e-6);
    // A picture of another size is resampled to the content's.
    const nst::Image other = nst::test::make_test_image(50, 30);
    e.restart(other);
    EXPECT_EQ(e.image().width, content.width);
    EXPECT_EQ(e.image().height, content.height);
    EXPECT_LT(max_abs_diff(e.image(), nst::resize_to(other, content.width, content.height)), 1e-6);
    EXPECT_EQ(e.target_passes(), passes) << "a restart reuses the targets";
    e.step();
    EXPECT_TRUE(std::isfinite(e.last_losses().total));
}

TEST_F(EngineOptimizers, StartingFromAPictureGivesThatPicturesLoss) {
    // The first step's loss is the loss of the start: start from where a run stopped, and the
    // first loss equals the loss that run would have reported next.
    nst::Engine a(cpu_random(), params_for(nst::Optimizer::Adam));
    a.set_images(content, style);
    for (int i = 0; i < 8; ++i) a.step();
    const nst::Image stopped = a.image();
    a.step();
    const double next = a.last_losses().total;
    nst::Engine b(cpu_random(), params_for(nst::Optimizer::Adam));
    b.retarget(content, {style}, stopped);
    b.step();
    EXPECT_NEAR(b.last_losses().total, next, 1e-5 * next);
}

TEST_F(EngineOptimizers, BadKnobsAreRefusedAndTheRunGoesOn) {
    auto p = params_for(nst::Optimizer::Adam);
    nst::Engine e(cpu_random(), p);
    e.set_images(content, style);
    e.step();
    for (const float bad : {1.0f, -0.1f, std::nanf("")}) {
        auto q = p;
        q.average = bad;
        EXPECT_TRUE(nst::test::contains(nst::test::message_of<nst::UsageError>([&] { e.set_params(q); }), "--average"));
    }
    auto q = p;
    q.lbfgs_history = 0;
    EXPECT_TRUE(nst::test::contains(nst::test::message_of<nst::UsageError>([&] { e.set_params(q); }), "--lbfgs-history 0"));
    e.step();
    EXPECT_EQ(e.steps_done(), 2);
    EXPECT_TRUE(nst::test::contains(nst::test::message_of<nst::UsageError>([] { (void)nst::parse_optimizer("sgd"); }),
                                    "--optimizer sgd"));
    EXPECT_TRUE(nst::test::contains(nst::test::message_of<nst::UsageError>([] { (void)nst::parse_init("white"); }),
                                    "--init white"));
}

}  // namespace
