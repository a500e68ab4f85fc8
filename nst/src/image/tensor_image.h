#pragma once
// Host Image (HWC floats) <-> [1,3,H,W] tensors.
#include <torch/torch.h>

#include <cstring>

#include "nst/image.h"

namespace nst {

inline torch::Tensor to_tensor(const Image& img, const torch::Device& device = torch::kCPU) {
    // from_blob does not own the memory: the result is always a copy.
    auto hwc = torch::from_blob(const_cast<float*>(img.rgb.data()), {img.height, img.width, 3}, torch::kFloat32);
    return hwc.permute({2, 0, 1}).unsqueeze(0).contiguous().to(device, /*non_blocking=*/false, /*copy=*/true);
}

inline Image to_image(const torch::Tensor& x) {
    const auto hwc = x.detach()[0].permute({1, 2, 0}).contiguous().to(torch::kCPU, torch::kFloat32);
    Image img;
    img.height = static_cast<int>(hwc.size(0));
    img.width = static_cast<int>(hwc.size(1));
    img.rgb.resize(static_cast<std::size_t>(hwc.numel()));
    std::memcpy(img.rgb.data(), hwc.data_ptr<float>(), img.rgb.size() * sizeof(float));
    return img;
}

}  // namespace nst
