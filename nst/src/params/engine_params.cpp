// The engine's parameters without LibTorch: their defaults, and the knobs as text (flags, logs,
// the viewer) with their checks. (The style knobs' are in style_params.cpp.)
#include <cmath>
#include <sstream>

#include "nst/engine.h"
#include "nst/error.h"
#include "nst/layers.h"

namespace nst {

Params Params::defaults() {
    Params p;
    p.content_layers = parse_layer_spec(kDefaultContentLayers, "--content-layers");
    p.style_layers = parse_layer_spec(kDefaultStyleLayers, "--style-layers");
    return p;
}

Precision parse_precision(const std::string& name) {
    if (name == "fp32") return Precision::FP32;
    if (name == "bf16") return Precision::BF16;
    if (name == "tf32") return Precision::TF32;
    throw UsageError("--precision " + name + ": expected fp32, bf16 or tf32");
}

const char* precision_name(Precision p) {
    switch (p) {
        case Precision::BF16: return "bf16";
        case Precision::TF32: return "tf32";
        default: return "fp32";
    }
}


Optimizer parse_optimizer(const std::string& name) {
    if (name == "adam") return Optimizer::Adam;
    if (name == "lbfgs") return Optimizer::LBFGS;
    throw UsageError("--optimizer " + name + ": expected adam or lbfgs");
}

const char* optimizer_name(Optimizer optimizer) { return optimizer == Optimizer::LBFGS ? "lbfgs" : "adam"; }

Init parse_init(const std::string& name) {
    if (name == "content") return Init::Content;
    if (name == "noise") return Init::Noise;
    if (name == "gray") return Init::Gray;
    throw UsageError("--init " + name + ": expected content, noise or gray (or use --init-image FILE)");
}

const char* init_name(Init init) {
    switch (init) {
        case Init::Noise: return "noise";
        case Init::Gray: return "gray";
        default: return "content";
    }
}

void check_average(float decay) {
    if (!(decay >= 0.0f && decay < 1.0f)) {  // also refuses NaN
        std::ostringstream value;
        value << decay;
        throw UsageError("--average " + value.str() + ": the decay must be in [0, 1) (0 = off, e.g. 0.99)");
    }
}

void check_lbfgs_history(int history) {
    if (history < 1 || history > 10000)
        throw UsageError("--lbfgs-history " + std::to_string(history) + ": must be between 1 and 10000");
}

}  // namespace nst
