// The VGG19 layer table and layer spec parsing: table shape, defaults, every error path, and the
// format/parse round trip.
#include "nst/layers.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "nst/error.h"
#include "support/test_util.h"

using nst::LayerKind;
using nst::LayerWeight;
using nst::UsageError;
using nst::test::contains;

namespace {

// The UsageError message for parsing `spec` with `flag` (a failure if nothing is thrown).
std::string parse_error(const std::string& spec, const std::string& flag = "--style-layers") {
    try {
        nst::parse_layer_spec(spec, flag);
    } catch (const UsageError& e) {
        return e.what();
    }
    ADD_FAILURE() << "'" << spec << "' was accepted";
    return {};
}

}  // namespace

TEST(VggLayers, TableMatchesTorchvision) {
    const auto& layers = nst::vgg19_layers();
    ASSERT_EQ(layers.size(), 37u);
    for (std::size_t i = 0; i < layers.size(); ++i) EXPECT_EQ(layers[i].index, static_cast<int>(i));

    struct Want {
        int index;
        LayerKind kind;
        const char* name;
        int in, out;
    };
    const Want wants[] = {
        {0, LayerKind::Conv, "conv1_1", 3, 64},     {1, LayerKind::ReLU, "relu1_1", 0, 0},
        {2, LayerKind::Conv, "conv1_2", 64, 64},    {4, LayerKind::Pool, "pool1", 0, 0},
        {5, LayerKind::Conv, "conv2_1", 64, 128},   {9, LayerKind::Pool, "pool2", 0, 0},
        {10, LayerKind::Conv, "conv3_1", 128, 256}, {16, LayerKind::Conv, "conv3_4", 256, 256},
        {17, LayerKind::ReLU, "relu3_4", 0, 0},     {18, LayerKind::Pool, "pool3", 0, 0},
        {19, LayerKind::Conv, "conv4_1", 256, 512}, {22, LayerKind::ReLU, "relu4_2", 0, 0},
        {27, LayerKind::Pool, "pool4", 0, 0},       {28, LayerKind::Conv, "conv5_1", 512, 512},
        {34, LayerKind::Conv, "conv5_4", 512, 512}, {35, LayerKind::ReLU, "relu5_4", 0, 0},
        {36, LayerKind::Pool, "pool5", 0, 0},
    };
    for (const Want& w : wants) {
        const auto& l = layers[w.index];
        EXPECT_EQ(l.kind, w.kind) << w.name;
        EXPECT_EQ(l.name, w.name);
        EXPECT_EQ(l.in_channels, w.in) << w.name;
        EXPECT_EQ(l.out_channels, w.out) << w.name;
    }
    int convs = 0, relus = 0, pools = 0;
    for (const auto& l : layers) {
        convs += l.kind == LayerKind::Conv;
        relus += l.kind == LayerKind::ReLU;
        pools += l.kind == LayerKind::Pool;
        // Every ReLU directly follows its conv, with the same suffix.
        if (l.kind == LayerKind::ReLU) {
            EXPECT_EQ(layers[l.index - 1].kind, LayerKind::Conv);
            EXPECT_EQ(layers[l.index - 1].name.substr(4), l.name.substr(4));
        }
    }
    EXPECT_EQ(convs, 16);
    EXPECT_EQ(relus, 16);
    EXPECT_EQ(pools, 5);
}

TEST(VggLayers, ReluIndex) {
    EXPECT_EQ(nst::relu_index("relu1_1"), 1);
    EXPECT_EQ(nst::relu_index("relu2_1"), 6);
    EXPECT_EQ(nst::relu_index("relu3_1"), 11);
    EXPECT_EQ(nst::relu_index("relu4_1"), 20);
    EXPECT_EQ(nst::relu_index("relu4_2"), 22);
    EXPECT_EQ(nst::relu_index("relu5_1"), 29);
    EXPECT_EQ(nst::relu_index("relu5_4"), 35);
    EXPECT_EQ(nst::relu_index("conv4_2"), -1);
    EXPECT_EQ(nst::relu_index("pool1"), -1);
    EXPECT_EQ(nst::relu_index("relu9_1"), -1);
    EXPECT_EQ(nst::relu_index(""), -1);
}

TEST(LayerSpec, DefaultsParse) {
    EXPECT_EQ(nst::parse_layer_spec(nst::kDefaultContentLayers, "--content-layers"),
              (std::vector<LayerWeight>{{"relu4_2", 1.f}}));
    EXPECT_EQ(nst::parse_layer_spec(nst::kDefaultStyleLayers, "--style-layers"),
              (std::vector<LayerWeight>{{"relu1_1", 1.f},
                                        {"relu2_1", 0.75f},
                                        {"relu3_1", 0.2f},
                                        {"relu4_1", 0.2f},
                                        {"relu5_1", 0.2f}}));
}

TEST(LayerSpec, AcceptedForms) {
    // A bare name means weight 1; spaces are ignored; order is kept; exponents and 0 are fine.
    EXPECT_EQ(nst::parse_layer_spec("relu4_2", "--content-layers"),
              (std::vector<LayerWeight>{{"relu4_2", 1.f}}));
    EXPECT_EQ(nst::parse_layer_spec(" relu5_1 : 2 , relu1_1:1e-3,relu3_2:0 ", "--style-layers"),
              (std::vector<LayerWeight>{{"relu5_1", 2.f}, {"relu1_1", 1e-3f}, {"relu3_2", 0.f}}));
    EXPECT_EQ(nst::parse_layer_spec("relu2_2:.5,relu3_3:3.", "--style-layers"),
              (std::vector<LayerWeight>{{"relu2_2", 0.5f}, {"relu3_3", 3.f}}));
}

TEST(LayerSpec, EmptySpec) {
    for (const std::string spec : {"", "   "}) {
        const std::string msg = parse_error(spec, "--content-layers");
        EXPECT_TRUE(contains(msg, "--content-layers: empty layer spec")) << "'" << spec << "'";
    }
}

TEST(LayerSpec, EmptyEntries) {
    for (const std::string spec : {"relu1_1:1,", ",relu1_1:1", "relu1_1:1,,relu2_1:1", "relu1_1:1, ,relu2_1:1"}) {
        const std::string msg = parse_error(spec);
        EXPECT_TRUE(contains(msg, "--style-layers: empty entry")) << spec;
    }
}

TEST(LayerSpec, UnknownLayer) {
    const std::string msg = parse_error("relu1_1:1,relu9_1:0.5");
    EXPECT_TRUE(contains(msg, "--style-layers: unknown layer 'relu9_1' (known: relu1_1, relu1_2, "));
    EXPECT_TRUE(contains(msg, "relu5_4)"));
    EXPECT_TRUE(contains(parse_error("RELU1_1:1"), "unknown layer 'RELU1_1'"));
}

TEST(LayerSpec, NotAReluLayer) {
    const std::string msg = parse_error("conv4_2:1", "--content-layers");
    EXPECT_TRUE(contains(msg, "--content-layers: layer 'conv4_2' is not a ReLU layer (known: "));
    EXPECT_TRUE(contains(parse_error("pool5:1"), "'pool5' is not a ReLU layer"));
}

TEST(LayerSpec, MissingName) {
    EXPECT_TRUE(contains(parse_error(":0.5"), "--style-layers: missing layer name in ':0.5'"));
}

TEST(LayerSpec, MissingWeight) {
    EXPECT_TRUE(contains(parse_error("relu4_2:", "--content-layers"),
                         "--content-layers: missing weight after 'relu4_2:'"));
    EXPECT_TRUE(contains(parse_error("relu4_2: ", "--content-layers"), "missing weight"));
}

TEST(LayerSpec, NegativeWeight) {
    EXPECT_EQ(parse_error("relu4_2:-1", "--content-layers"),
              "--content-layers: weight '-1' of relu4_2 must be a finite number >= 0");
}

TEST(LayerSpec, NonFiniteWeights) {
    for (const std::string w : {"inf", "nan", "-inf", "1e99", "infinity"}) {
        EXPECT_EQ(parse_error("relu1_1:" + w),
                  "--style-layers: weight '" + w + "' of relu1_1 must be a finite number >= 0");
    }
}

TEST(LayerSpec, UnparsableWeights) {
    for (const std::string w : {"0.5x", "abc", "1,5", "+1", "0x10", "1 2", "--1"}) {
        const std::string msg = parse_error("relu1_1:" + w);
        // "1,5" splits into an entry "5" with no name... which is an unknown layer: also fine.
        EXPECT_TRUE(contains(msg, "--style-layers: ")) << w;
        if (w != "1,5") {
            EXPECT_EQ(msg, "--style-layers: weight '" + w + "' of relu1_1 is not a number") << w;
        }
    }
    EXPECT_TRUE(contains(parse_error("relu1_1:1:2"), "weight '1:2' of relu1_1 is not a number"));
}

TEST(LayerSpec, DuplicateLayer) {
    EXPECT_EQ(parse_error("relu1_1:1,relu2_1:1,relu1_1:0.5"),
              "--style-layers: layer relu1_1 is given more than once");
    EXPECT_TRUE(contains(parse_error("relu4_2,relu4_2:1", "--content-layers"), "relu4_2 is given more than once"));
}

TEST(LayerSpec, FormatIsShortestRoundTrip) {
    EXPECT_EQ(nst::format_layer_spec({{"relu1_1", 1.f}, {"relu2_1", 0.75f}}), "relu1_1:1,relu2_1:0.75");
    EXPECT_EQ(nst::format_layer_spec({{"relu3_1", 0.2f}, {"relu4_1", 1e-3f}}), "relu3_1:0.2,relu4_1:0.001");
    EXPECT_EQ(nst::format_layer_spec({}), "");
    EXPECT_EQ(nst::format_layer_spec(nst::parse_layer_spec(nst::kDefaultStyleLayers, "--style-layers")),
              nst::kDefaultStyleLayers);
    EXPECT_EQ(nst::format_layer_spec(nst::parse_layer_spec(nst::kDefaultContentLayers, "--content-layers")),
              nst::kDefaultContentLayers);

    // Awkward floats survive format -> parse bit for bit.
    const std::vector<LayerWeight> odd{{"relu1_2", 1.f / 3.f}, {"relu2_2", 1e-7f}, {"relu3_3", 123456.78f},
                                       {"relu5_2", 0.f}};
    EXPECT_EQ(nst::parse_layer_spec(nst::format_layer_spec(odd), "--style-layers"), odd);
}
