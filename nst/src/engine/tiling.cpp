// Tile geometry from the layer table, the memory model that decides when to tile, and the
// --max-memory syntax (tiling.h). Torch-free.
#include "nst/tiling.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>

#include "nst/error.h"

namespace nst {
namespace {

std::uint64_t px(int width, int height) { return static_cast<std::uint64_t>(width) * static_cast<std::uint64_t>(height); }

// The bytes of the activations one forward pass keeps for its backward at width x height, up to
// layer `deepest`: each convolution's output (the ReLUs run in place) and each pooling's output,
// at 4 bytes (2 under bf16).
double activation_bytes(int width, int height, int deepest, Precision precision) {
    double values = 0;
    int pools = 0, channels = 3;
    for (const auto& layer : vgg19_layers()) {
        if (layer.index > deepest) break;
        const double positions = static_cast<double>(width >> pools) * static_cast<double>(height >> pools);
        if (layer.kind == LayerKind::Conv) {
            channels = layer.out_channels;
            values += channels * positions;
        } else if (layer.kind == LayerKind::Pool) {
            ++pools;
            values += channels * static_cast<double>(width >> pools) * static_cast<double>(height >> pools);
        }
    }
    return values * (precision == Precision::BF16 ? 2.0 : 4.0);
}

// Peak of one forward + backward over the activations it keeps: the kept activations, the
// gradient of the widest ones and the convolutions' workspaces. Fitted to measured peaks on the
// CPU (docs/PERFORMANCE.md, "Tiled steps").
constexpr double kStepPeakPerActivationByte = 2.25;
// A tiled step's tile costs more per activation byte: pass 1's kept taps, the interiors' copies
// and the heap's fragments between tiles of several sizes (fitted: 2048 px with 864 px tiles and
// 4096 px with 592 px tiles peaked at 3.6 and 3.8 times their tile's activations).
constexpr double kTiledStepPeakPerActivationByte = 3.8;
// The process itself: LibTorch's code and allocator pools and the network's weights (RSS of a
// 512 px run minus its tensors).
constexpr double kProcessBytes = 560.0 * (1 << 20);
// The whole-image float images a step holds besides its tensors of activations: x, its gradient,
// the content as given and as seen, the shown result and the host copies a program keeps (the
// content Image, the result Image): 12 bytes per pixel each.
constexpr double kWholeImageCopies = 8.0;

}  // namespace

int deepest_layer(const Params& p) {
    int deepest = 0;
    for (const auto* layers : {&p.content_layers, &p.style_layers})
        for (const auto& lw : *layers) deepest = std::max(deepest, relu_index(lw.layer));
    return deepest;
}

int pooling_stride(int deepest) {
    int stride = 1;
    for (const auto& layer : vgg19_layers())
        if (layer.kind == LayerKind::Pool && layer.index < deepest) stride *= 2;
    return stride;
}

int receptive_radius(int deepest) {
    // Zero padding at a cut edge spoils one more position per 3x3 convolution at that layer's
    // resolution (jump px of input), and a 2x2 pooling can widen the spoiled band by one of its
    // input positions.
    int radius = 0, jump = 1;
    for (const auto& layer : vgg19_layers()) {
        if (layer.index > deepest) break;
        if (layer.kind == LayerKind::Conv) radius += jump;
        if (layer.kind == LayerKind::Pool) {
            radius += jump;
            jump *= 2;
        }
    }
    return radius;
}

int tile_halo(int deepest) {
    const int stride = pooling_stride(deepest);
    return (receptive_radius(deepest) + stride - 1) / stride * stride;
}

int round_tile(int requested, int stride) {
    const int rounded = static_cast<int>(std::lround(static_cast<double>(requested) / stride)) * stride;
    return std::max(stride, rounded);
}

TilePlan plan_tiles(int width, int height, int tile, const Params& params) {
    TilePlan plan;
    const int deepest = deepest_layer(params);
    plan.stride = pooling_stride(deepest);
    if (tile <= 0) return plan;
    tile = round_tile(tile, plan.stride);
    if (width <= tile && height <= tile) return plan;
    plan.tile = tile;
    plan.halo = tile_halo(deepest);
    plan.cols = (width + tile - 1) / tile;
    plan.rows = (height + tile - 1) / tile;
    return plan;
}

std::uint64_t estimate_step_bytes(int width, int height, int tile, const Params& params, Precision precision,
                                  int regions) {
    const int deepest = deepest_layer(params);
    const TilePlan plan = plan_tiles(width, height, tile, params);
    const int tw = plan.tiled() ? std::min(width, plan.tile + 2 * plan.halo) : width;
    const int th = plan.tiled() ? std::min(height, plan.tile + 2 * plan.halo) : height;
    double bytes = kProcessBytes + (plan.tiled() ? kTiledStepPeakPerActivationByte : kStepPeakPerActivationByte) *
                                       activation_bytes(tw, th, deepest, precision);

    const double image = 12.0 * static_cast<double>(px(width, height));  // one [1,3,H,W] float image
    double copies = kWholeImageCopies;
    copies += params.optimizer == Optimizer::LBFGS ? 2.0 * params.lbfgs_history + 4 : 2;  // Adam: m, v
    if (params.average > 0.f) copies += 1;
    bytes += copies * image;
    // The content targets: whole-image activations at each content layer.
    for (const auto& lw : params.content_layers) {
        const int idx = relu_index(lw.layer);
        int channels = 0;
        for (const auto& layer : vgg19_layers())
            if (layer.index == idx - 1 && layer.kind == LayerKind::Conv) channels = layer.out_channels;
        const int stride = pooling_stride(idx);
        bytes += 4.0 * channels * static_cast<double>(width / stride) * static_cast<double>(height / stride);
    }
    // Region masks (and the background) at the image's size and pooled for each layer (~4/3).
    if (regions > 0) bytes += 4.0 * (regions + 1) * static_cast<double>(px(width, height)) * 4.0 / 3.0;
    return static_cast<std::uint64_t>(bytes);
}

int choose_tile(int width, int height, std::uint64_t max_bytes, const Params& params, Precision precision,
                int regions) {
    if (estimate_step_bytes(width, height, 0, params, precision, regions) <= max_bytes) return 0;
    const int stride = pooling_stride(deepest_layer(params));
    for (int tile = std::max(width, height) / stride * stride; tile >= stride; tile -= stride)
        if (estimate_step_bytes(width, height, tile, params, precision, regions) <= max_bytes) return tile;
    return -1;
}

std::uint64_t parse_memory(std::string_view text, std::string_view flag) {
    const std::string given(text);
    const auto bad = [&](const std::string& why) {
        return UsageError(std::string(flag) + " '" + given + "': " + why +
                          " (expected a size such as 4G, 512M, 1.5GiB or a number of bytes)");
    };
    std::size_t end = 0;
    double value = 0;
    try {
        value = std::stod(given, &end);
    } catch (const std::exception&) {
        throw bad("not a size");
    }
    if (given.empty() || std::isspace(static_cast<unsigned char>(given.front()))) throw bad("not a size");
    std::string unit = given.substr(end);
    std::transform(unit.begin(), unit.end(), unit.begin(), [](unsigned char c) { return std::tolower(c); });
    if (!unit.empty() && unit.front() == ' ') unit.erase(0, 1);
    double scale = 1;
    if (unit.empty() || unit == "b") {
        scale = 1;
    } else {
        const std::string prefixes = "kmgt";
        const auto at = prefixes.find(unit.front());
        const std::string rest = unit.substr(1);
        if (at == std::string::npos || !(rest.empty() || rest == "b" || rest == "ib")) throw bad("unknown unit '" + unit + "'");
        scale = std::pow(1024.0, static_cast<double>(at + 1));
    }
    const double bytes = value * scale;
    if (!std::isfinite(bytes) || bytes < 1 || bytes > 1.0e18) throw bad("must be a positive size");
    return static_cast<std::uint64_t>(bytes);
}

std::string format_memory(std::uint64_t bytes) {
    const char* units[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
    double v = static_cast<double>(bytes);
    int u = 0;
    while (v >= 1024.0 && u < 4) {
        v /= 1024.0;
        ++u;
    }
    char buf[32];
    if (u == 0)
        std::snprintf(buf, sizeof buf, "%llu bytes", static_cast<unsigned long long>(bytes));
    else
        std::snprintf(buf, sizeof buf, v < 10 ? "%.2f %s" : (v < 100 ? "%.1f %s" : "%.0f %s"), v, units[u]);
    return buf;
}

}  // namespace nst
