#pragma once
// Colour control on [N,3,H,W] tensors; the public nst/color.h wraps these for host images.
#include <torch/torch.h>

namespace nst::color_ops {

torch::Tensor rgb_to_yiq(const torch::Tensor& rgb);
torch::Tensor yiq_to_rgb(const torch::Tensor& yiq);
torch::Tensor keep_chrominance(const torch::Tensor& result, const torch::Tensor& content);
torch::Tensor luminance_only(const torch::Tensor& img);
torch::Tensor match_luminance(const torch::Tensor& style, const torch::Tensor& content);
torch::Tensor match_histogram(const torch::Tensor& style, const torch::Tensor& content);

}  // namespace nst::color_ops
