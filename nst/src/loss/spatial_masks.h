#pragma once
// The regions and the content map as the loss units use them: at the content image's size, then
// at each layer's resolution. Masks follow the network's own pooling: every 2×2 pooling layer
// before a layer is a 2×2 average pool of the mask (floor sizes, as the network's), so a mask
// sample covers exactly the pixels its activation's pooling window covers, whatever the network's
// max or average pooling. (docs/LOSS.md, "Regions".)
#include <torch/torch.h>

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "nst/layers.h"
#include "nst/regions.h"

namespace nst {

class SpatialMasks {
public:
    // One row per term of the style loss at a layer: each region with a style and a weight > 0,
    // then the background (when it covers anything).
    struct Layer {
        torch::Tensor masks;        // [rows, h·w]: T for each row
        std::vector<int> style;     // per row: the style index, or kRegionNone for the blend (background)
        std::vector<double> weight; // per row: λ (1 for the background)
        std::vector<double> norm;   // per row: Σ_p T(p)²
        torch::Tensor weights;      // [rows]: λ, on the device
        torch::Tensor gram_norm;    // [rows]: C·Σ_p T(p)², the guided Gram's normaliser
        torch::Tensor content;      // [1,1,h,w]: the content map there (undefined: none)
        std::int64_t height = 0, width = 0;  // h, w: the layer's size over the whole image
    };

    void set(SpatialControl control) {
        control_ = std::move(control);
        base_ = base_map_ = torch::Tensor();
        layers_.clear();
    }
    [[nodiscard]] const SpatialControl& control() const { return control_; }
    [[nodiscard]] bool has_regions() const { return !control_.regions.empty(); }
    [[nodiscard]] bool has_content_map() const { return !control_.content_map.empty(); }

    // Brings the masks to the content's size (a new size or device computes them again).
    void fit(std::int64_t height, std::int64_t width, const torch::Device& device) {
        if (base_.defined() || base_map_.defined()) {
            const auto& t = base_.defined() ? base_ : base_map_;
            if (t.size(2) == height && t.size(3) == width && t.device() == device) return;
        }
        layers_.clear();
        base_ = base_map_ = torch::Tensor();
        torch::NoGradGuard no_grad;
        if (has_regions()) {
            std::vector<torch::Tensor> rows;
            for (const auto& r : control_.regions) rows.push_back(plane_tensor(r.mask, height, width, device).clamp_(0, 1));
            auto stacked = torch::cat(rows, 0);  // [R,1,H,W]
            const auto background = (1 - stacked.sum(0, true)).clamp_(0, 1);
            base_ = torch::cat({stacked, background}, 0);
        }
        if (has_content_map())
            base_map_ = plane_tensor(control_.content_map, height, width, device).clamp_(0, kMaxContentMultiplier);
    }

    // The masks at the resolution of ReLU `index` (after fit).
    [[nodiscard]] const Layer& at(int index) {
        if (const auto it = layers_.find(index); it != layers_.end()) return it->second;
        torch::NoGradGuard no_grad;
        Layer layer;
        const int pools = pools_before(index);
        if (base_.defined()) {
            const auto pooled = pool(base_, pools);  // [R+1,1,h,w]
            layer.height = pooled.size(2);
            layer.width = pooled.size(3);
            const auto flat = pooled.flatten(1);     // [R+1, h·w]
            const auto norms = flat.pow(2).sum(1).to(torch::kCPU, torch::kFloat64);
            const auto* n = norms.data_ptr<double>();
            std::vector<torch::Tensor> rows;
            const auto regions = static_cast<std::int64_t>(control_.regions.size());
            for (std::int64_t r = 0; r <= regions; ++r) {
                int style = kRegionNone;  // the background: the blend
                double weight = 1.0;
                if (r < regions) {
                    const auto& region = control_.regions[static_cast<std::size_t>(r)];
                    if (region.style == kRegionNone || region.weight == 0.f) continue;  // no style term there
                    style = region.style;
                    weight = region.weight;
                }
                if (!(n[r] > 0)) continue;  // covers nothing at this layer
                rows.push_back(flat[r]);
                layer.style.push_back(style);
                layer.weight.push_back(weight);
                layer.norm.push_back(n[r]);
            }
            if (!rows.empty()) {
                layer.masks = torch::stack(rows, 0).contiguous();
                const auto opts = torch::TensorOptions().dtype(torch::kFloat32);
                std::vector<float> lambdas(layer.weight.begin(), layer.weight.end()), norms;
                for (const double v : layer.norm) norms.push_back(static_cast<float>(v * channels_of(index)));
                layer.weights = torch::tensor(lambdas, opts).to(base_.device());
                layer.gram_norm = torch::tensor(norms, opts).to(base_.device());
            }
        }
        if (base_map_.defined()) layer.content = pool(base_map_, pools).contiguous();
        return layers_.emplace(index, std::move(layer)).first->second;
    }

private:
    // A plane as [1,1,H,W] at the content's size: area-averaged when shrinking, bilinear when
    // growing (the CLI hands them over at the content's size already; coarse-to-fine levels shrink).
    static torch::Tensor plane_tensor(const Plane& p, std::int64_t height, std::int64_t width, const torch::Device& device) {
        auto t = torch::from_blob(const_cast<float*>(p.values.data()), {1, 1, p.height, p.width}, torch::kFloat32).clone();
        if (p.height != height || p.width != width) {
            namespace F = torch::nn::functional;
            const bool shrink = p.height >= height && p.width >= width;
            auto opts = F::InterpolateFuncOptions().size(std::vector<std::int64_t>{height, width});
            t = shrink ? F::interpolate(t, opts.mode(torch::kArea))
                       : F::interpolate(t, opts.mode(torch::kBilinear).align_corners(false));
        }
        return t.to(device);
    }

    // The channel count of ReLU `index`: the out_channels of the convolution before it.
    static int channels_of(int index) {
        for (const auto& layer : vgg19_layers())
            if (layer.index == index - 1 && layer.kind == LayerKind::Conv) return layer.out_channels;
        throw std::logic_error("SpatialMasks: no convolution before layer " + std::to_string(index));
    }

    static int pools_before(int index) {
        int pools = 0;
        for (const auto& layer : vgg19_layers())
            if (layer.kind == LayerKind::Pool && layer.index < index) ++pools;
        return pools;
    }

    static torch::Tensor pool(torch::Tensor t, int times) {
        for (int i = 0; i < times; ++i) t = torch::avg_pool2d(t, 2, 2);
        return t;
    }

    SpatialControl control_;
    torch::Tensor base_;      // [R+1,1,H,W]: the regions, then the background
    torch::Tensor base_map_;  // [1,1,H,W]: the content multipliers
    std::map<int, Layer> layers_;
};

}  // namespace nst
