// The engine through its public API: random and loaded features, the loss reported per step,
// live parameter changes and weights-file errors. Tiny images keep each test well under a second.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "nst/nst.h"
#include "support/engine_inputs.h"
#include "support/test_util.h"
#include "support/vgg19_weights.h"

namespace {

using nst::test::make_test_image;

nst::Params tiny_params() { return nst::Params::defaults(); }

nst::EngineOptions random_options(std::uint64_t seed = 7) { return nst::test::cpu_random(seed); }

// Total variation by hand on a host image, as defined in the loss.
double tv_by_hand(const nst::Image& img) {
    double dy = 0, dx = 0;
    for (int y = 0; y < img.height; ++y)
        for (int x = 0; x < img.width; ++x)
            for (int c = 0; c < 3; ++c) {
                const auto at = [&](int yy, int xx) { return img.rgb[(static_cast<std::size_t>(yy) * img.width + xx) * 3 + c]; };
                if (y + 1 < img.height) dy += std::pow(at(y + 1, x) - at(y, x), 2);
                if (x + 1 < img.width) dx += std::pow(at(y, x + 1) - at(y, x), 2);
            }
    return dy / (3.0 * (img.height - 1) * img.width) + dx / (3.0 * img.height * (img.width - 1));
}

TEST(Engine, TotalLossFallsAndImageChanges) {
    const auto content = make_test_image(40, 32, 0), style = make_test_image(32, 32, 1);
    nst::Engine engine(random_options(), tiny_params());
    engine.set_images(content, style);
    engine.step();
    const double first = engine.last_losses().total;
    for (int i = 0; i < 14; ++i) engine.step();
    const double last = engine.last_losses().total;
    EXPECT_GT(first, 0.0);
    EXPECT_LT(last, 0.8 * first);
    EXPECT_EQ(engine.steps_done(), 15);
    const auto out = engine.image();
    ASSERT_EQ(out.width, 40);
    ASSERT_EQ(out.height, 32);
    double diff = 0;
    for (std::size_t i = 0; i < out.rgb.size(); ++i) {
        diff = std::max(diff, static_cast<double>(std::abs(out.rgb[i] - content.rgb[i])));
        ASSERT_GE(out.rgb[i], 0.f);
        ASSERT_LE(out.rgb[i], 1.f);
    }
    EXPECT_GT(diff, 0.05);
}

// EngineOptions::interrupt: a step asked to stop (in its forward pass, after it, or in its backward
// pass) throws StepInterrupted and changes nothing: the image and step count
// stay, and the next step is exactly the step an engine never interrupted makes (Adam's state and
// the average untouched). Both Adam and L-BFGS, with the average on.
TEST(Engine, AnInterruptedStepChangesNothing) {
    const auto content = make_test_image(40, 32, 0), style = make_test_image(32, 32, 1);
    for (const nst::Optimizer opt : {nst::Optimizer::Adam, nst::Optimizer::LBFGS}) {
        auto params = tiny_params();
        params.optimizer = opt;
        params.lr = nst::default_lr(opt);
        params.average = 0.9f;
        // The checks: after each ReLU going forward (13 up to relu5_1), once after the forward pass,
        // then as the gradient passes each ReLU going back.
        for (const int stop_at : {1, 7, 14, 16, 26}) {
            int asked = 0;
            bool armed = false;
            nst::EngineOptions o = random_options();
            o.interrupt = [&] { return armed && ++asked >= stop_at; };
            nst::Engine engine(o, params), reference(random_options(), params);
            engine.set_images(content, style);
            reference.set_images(content, style);
            engine.step();
            reference.step();
            const nst::Image before = engine.result(true);
            armed = true;
            EXPECT_THROW(engine.step(), nst::StepInterrupted) << "stop at check " << stop_at;
            EXPECT_EQ(asked, stop_at);
            armed = false;
            EXPECT_EQ(engine.steps_done(), 1);
            EXPECT_EQ(engine.image().rgb, reference.image().rgb) << "the image moved";
            EXPECT_EQ(engine.result(true).rgb, before.rgb) << "the average moved";
            engine.step();
            reference.step();
            EXPECT_EQ(engine.steps_done(), 2);
            EXPECT_EQ(engine.image().rgb, reference.image().rgb) << nst::optimizer_name(opt) << ", stop at " << stop_at;
            EXPECT_EQ(engine.result(true).rgb, reference.result(true).rgb);
        }
    }
}

TEST(Engine, FirstStepReportsLossOfTheInitialImage) {
    // With content and style switched off, total = gamma * tv, and step 1 reports the TV of the
    // content image itself (the image before the update).
    auto params = tiny_params();
    params.content_weight = 0.f;
    params.style_weight = 0.f;
    params.tv_weight = 2.5f;
    const auto content = make_test_image(24, 20, 0);
    nst::Engine engine(random_options(), params);
    engine.set_images(content, make_test_image(24, 24, 1));
    engine.step();
    const auto l = engine.last_losses();
    EXPECT_NEAR(l.tv, tv_by_hand(content), 1e-6);
    EXPECT_NEAR(l.total, 2.5 * l.tv, 1e-6);
    EXPECT_NEAR(l.content, 0.0, 1e-12);  // x is still the content image itself at step 1
}

TEST(Engine, TotalIsTheWeightedSumAndFollowsLiveWeightChanges) {
    auto params = tiny_params();
    nst::Engine engine(random_options(), params);
    engine.set_images(make_test_image(32, 32, 0), make_test_image(32, 32, 1));
    engine.step();
    auto l = engine.last_losses();
    EXPECT_NEAR(l.total, params.content_weight * l.content + params.style_weight * l.style + params.tv_weight * l.tv,
                1e-5 * l.total);
    params.content_weight = 7.f;
    params.style_weight = 3.f;
    params.tv_weight = 0.5f;
    EXPECT_FALSE(engine.needs_rebuild(params));
    engine.set_params(params);
    engine.step();
    l = engine.last_losses();
    EXPECT_NEAR(l.total, 7.0 * l.content + 3.0 * l.style + 0.5 * l.tv, 1e-5 * l.total);
}

TEST(Engine, LearningRateChangeIsUsedAtTheNextStep) {
    // Adam's first step moves each pixel by about lr (the update is lr * m / sqrt(v)); so the step
    // size follows a live lr change.
    auto params = tiny_params();
    params.lr = 1e-3f;
    nst::Engine engine(random_options(), params);
    const auto content = make_test_image(32, 32, 0);
    engine.set_images(content, make_test_image(32, 32, 1));
    engine.set_params([&] { auto p = params; p.lr = 1e-4f; return p; }());
    engine.step();
    const auto img = engine.image();
    float max_move = 0;
    for (std::size_t i = 0; i < img.rgb.size(); ++i) max_move = std::max(max_move, std::abs(img.rgb[i] - content.rgb[i]));
    EXPECT_LT(max_move, 1.5e-4f);
    EXPECT_GT(max_move, 0.5e-4f);
}

TEST(Engine, NewLayerIsTargetedLiveWithoutResettingTheImage) {
    auto params = tiny_params();
    params.style_layers = nst::parse_layer_spec("relu1_1:1", "--style-layers");
    params.content_layers = nst::parse_layer_spec("relu2_2:1", "--content-layers");
    nst::Engine engine(random_options(), params);
    engine.set_images(make_test_image(32, 32, 0), make_test_image(32, 32, 1));
    for (int i = 0; i < 3; ++i) engine.step();
    params.style_layers = nst::parse_layer_spec("relu1_1:1,relu5_1:1", "--style-layers");
    EXPECT_TRUE(engine.needs_rebuild(params));
    engine.set_params(params);
    EXPECT_FALSE(engine.needs_rebuild(params));
    engine.step();
    EXPECT_EQ(engine.steps_done(), 4);
    EXPECT_TRUE(std::isfinite(engine.last_losses().style));
}

TEST(Engine, RandomFeaturesAreDeterministicPerSeed) {
    auto run = [](std::uint64_t seed) {
        nst::Engine engine(random_options(seed), nst::Params::defaults());
        engine.set_images(make_test_image(32, 32, 0), make_test_image(32, 32, 1));
        engine.step();
        EXPECT_TRUE(engine.random_features());
        return engine.last_losses().style;
    };
    EXPECT_EQ(run(3), run(3));
    EXPECT_NE(run(3), run(4));
}

TEST(Engine, NoiseInitStartsFromNoise) {
    nst::EngineOptions o = random_options();
    o.seed = 5;
    nst::Engine engine(o, nst::Params::defaults());
    const auto content = make_test_image(32, 32, 0);
    engine.set_images(content, make_test_image(32, 32, 1), nst::Init::Noise);
    const auto img = engine.image();
    double mean_abs = 0;
    for (std::size_t i = 0; i < img.rgb.size(); ++i) mean_abs += std::abs(img.rgb[i] - content.rgb[i]);
    EXPECT_GT(mean_abs / img.rgb.size(), 0.2);
}

TEST(Engine, RetargetKeepsTheCurrentImageResampled) {
    nst::Engine engine(random_options(), nst::Params::defaults());
    engine.set_images(make_test_image(32, 32, 0), make_test_image(32, 32, 1));
    for (int i = 0; i < 3; ++i) engine.step();
    const auto current = engine.image();
    engine.retarget(make_test_image(48, 40, 1), make_test_image(32, 32, 0), current);
    const auto img = engine.image();
    EXPECT_EQ(img.width, 48);
    EXPECT_EQ(img.height, 40);
    EXPECT_EQ(engine.steps_done(), 0);
    engine.step();
    EXPECT_TRUE(std::isfinite(engine.last_losses().total));
}

class EngineWeights : public ::testing::Test {
protected:
    nst::test::TempDir dir;
    nst::EngineOptions from_file(const std::filesystem::path& p) {
        nst::EngineOptions o;
        o.features.weights_path = p.string();
        o.device = "cpu";
        return o;
    }
    std::string error_for(const std::filesystem::path& p) {
        try {
            nst::Engine engine(from_file(p), nst::Params::defaults());
        } catch (const nst::Error& e) {
            return e.what();
        }
        return "";
    }
};

TEST_F(EngineWeights, LoadsF32AndBF16FilesAndDiffersFromRandom) {
    const auto f32 = dir / "w32.safetensors";
    nst::test::write_vgg19(f32, 11);
    const auto bf16 = dir / "w16.safetensors";
    nst::safetensors::write(bf16, nst::test::vgg19_tensors(11, nst::safetensors::DType::BF16));
    auto style_loss = [&](const nst::EngineOptions& o) {
        nst::Engine engine(o, nst::Params::defaults());
        engine.set_images(make_test_image(32, 32, 0), make_test_image(32, 32, 1));
        engine.step();
        EXPECT_FALSE(engine.random_features() && !o.features.random());
        return engine.last_losses().style;
    };
    const double a = style_loss(from_file(f32)), b = style_loss(from_file(bf16)), r = style_loss(random_options());
    EXPECT_NEAR(a, b, 0.05 * a);  // bf16 keeps ~3 significant digits of the same weights
    EXPECT_NE(a, r);
}

TEST_F(EngineWeights, MissingKeyIsNamed) {
    const auto p = dir / "missing.safetensors";
    nst::test::write_vgg19(p, 1, [](auto& t) { std::erase_if(t, [](const auto& x) { return x.name == "features.34.weight"; }); });
    const auto msg = error_for(p);
    EXPECT_NE(msg.find("missing.safetensors"), std::string::npos) << msg;
    EXPECT_NE(msg.find("features.34.weight"), std::string::npos) << msg;
}

TEST_F(EngineWeights, WrongShapeIsNamed) {
    const auto p = dir / "shape.safetensors";
    nst::test::write_vgg19(p, 1, [](auto& t) {
        for (auto& x : t)
            if (x.name == "features.5.weight") x.shape = {64, 128, 3, 3};  // transposed: same bytes, wrong shape
    });
    const auto msg = error_for(p);
    EXPECT_NE(msg.find("features.5.weight"), std::string::npos) << msg;
    EXPECT_NE(msg.find("[128,64,3,3]"), std::string::npos) << msg;
}

TEST_F(EngineWeights, NaNIsRefused) {
    const auto p = dir / "nan.safetensors";
    nst::test::write_vgg19(p, 1, [](auto& t) {
        const float nan = std::nanf("");
        std::memcpy(t[0].bytes.data() + 40, &nan, 4);
    });
    const auto msg = error_for(p);
    EXPECT_NE(msg.find("nan.safetensors"), std::string::npos) << msg;
    EXPECT_NE(msg.find("features.0.weight"), std::string::npos) << msg;
}

TEST(EngineDevice, CudaIsRefusedClearlyWhereThereIsNoGpu) {
    EXPECT_EQ(nst::resolve_device("cpu"), "cpu");
    EXPECT_THROW(nst::resolve_device("gpu"), nst::UsageError);
    EXPECT_THROW(nst::resolve_device("cuda:x"), nst::UsageError);
    EXPECT_THROW(nst::resolve_device("cuda:99"), nst::Error);
    if (nst::cuda_available()) {
        EXPECT_EQ(nst::resolve_device("cuda"), "cuda:0");
    } else {
        EXPECT_EQ(nst::resolve_device("auto"), "cpu");
        try {
            nst::resolve_device("cuda");
            FAIL() << "expected an error";
        } catch (const nst::Error& e) {
            EXPECT_NE(std::string(e.what()).find("CUDA is not usable"), std::string::npos) << e.what();
        }
    }
}

}  // namespace
