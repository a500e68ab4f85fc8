// Parsing and checking of the style knobs (blend, scale, colour mode, statistic). No LibTorch, so
// the programs can validate flags before any engine exists.
#include <charconv>
#include <cmath>
#include <sstream>

#include "nst/engine.h"
#include "nst/error.h"
#include "params/spec_text.h"

namespace nst {
namespace {

std::string number(double v) {
    std::ostringstream s;
    s << v;
    return s.str();
}

}  // namespace

std::vector<float> parse_blend(std::string_view spec, std::string_view flag) {
    const std::string name(flag);
    if (trim(spec).empty()) throw UsageError(name + " is empty: expected weights such as 3,1");
    std::vector<float> out;
    for (const std::string_view part : split_commas(spec)) {
        float v = 0;
        const auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), v);
        if (part.empty() || ec != std::errc() || end != part.data() + part.size())
            throw UsageError(name + " " + std::string(spec) + ": '" + std::string(part) + "' is not a number");
        out.push_back(v);
    }
    return out;
}

std::vector<float> normalized_blend(const std::vector<float>& blend, std::size_t count) {
    if (blend.empty()) return std::vector<float>(count, 1.0f / static_cast<float>(count));
    if (blend.size() != count)
        throw UsageError("--style-blend has " + std::to_string(blend.size()) + " weight" + (blend.size() == 1 ? "" : "s") +
                         " for " + std::to_string(count) + " style image" + (count == 1 ? "" : "s"));
    double sum = 0;
    for (const float w : blend) {
        if (!std::isfinite(w)) throw UsageError("--style-blend weight " + number(w) + ": must be a finite number");
        if (w < 0) throw UsageError("--style-blend weight " + number(w) + ": must be >= 0");
        sum += w;
    }
    if (!(sum > 0)) throw UsageError("--style-blend: the weights are all zero; at least one must be > 0");
    std::vector<float> out;
    for (const float w : blend) out.push_back(static_cast<float>(w / sum));
    return out;
}

void check_style_scale(float scale) {
    if (!std::isfinite(scale) || scale < kMinStyleScale || scale > kMaxStyleScale)
        throw UsageError("--style-scale " + number(scale) + ": must be between " + number(kMinStyleScale) + " and " +
                         number(kMaxStyleScale));
}

ColorMode parse_color_mode(const std::string& name) {
    if (name == "off") return ColorMode::Off;
    if (name == "post") return ColorMode::Post;
    if (name == "luminance") return ColorMode::Luminance;
    if (name == "histogram") return ColorMode::Histogram;
    throw UsageError("--preserve-colors " + name + ": expected off, post, luminance or histogram");
}

const char* color_mode_name(ColorMode mode) {
    switch (mode) {
        case ColorMode::Post: return "post";
        case ColorMode::Luminance: return "luminance";
        case ColorMode::Histogram: return "histogram";
        default: return "off";
    }
}

StyleLoss parse_style_loss(const std::string& name) {
    if (name == "gram") return StyleLoss::Gram;
    if (name == "w2") return StyleLoss::W2;
    if (name == "sw") return StyleLoss::SW;
    if (name == "remd") return StyleLoss::REMD;
    if (name == "nn") return StyleLoss::NN;
    throw UsageError("--style-loss " + name + ": expected gram, w2, sw, remd or nn");
}

const char* style_loss_name(StyleLoss loss) {
    switch (loss) {
        case StyleLoss::W2: return "w2";
        case StyleLoss::SW: return "sw";
        case StyleLoss::REMD: return "remd";
        case StyleLoss::NN: return "nn";
        default: return "gram";
    }
}

ContentLoss parse_content_loss(const std::string& name) {
    if (name == "mse") return ContentLoss::MSE;
    if (name == "self-similarity") return ContentLoss::SelfSimilarity;
    throw UsageError("--content-loss " + name + ": expected mse or self-similarity");
}

const char* content_loss_name(ContentLoss loss) {
    return loss == ContentLoss::SelfSimilarity ? "self-similarity" : "mse";
}

void check_sw_directions(int directions) {
    if (directions < 1 || directions > kMaxSwDirections)
        throw UsageError("--sw-directions " + std::to_string(directions) + ": must be between 1 and " +
                         std::to_string(kMaxSwDirections));
}

void check_samples(int samples) {
    if (samples < 2 || samples > kMaxSamples)
        throw UsageError("--samples " + std::to_string(samples) + ": must be between 2 and " + std::to_string(kMaxSamples));
}

}  // namespace nst
