#pragma once
// Colour control on [N,3,H,W] tensors; the public nst/color.h wraps these for host images.
#include <torch/torch.h>

#include <utility>
#include <vector>

namespace nst::color_ops {

torch::Tensor rgb_to_yiq(const torch::Tensor& rgb);
torch::Tensor yiq_to_rgb(const torch::Tensor& yiq);
torch::Tensor keep_chrominance(const torch::Tensor& result, const torch::Tensor& content);
torch::Tensor luminance_only(const torch::Tensor& img);
torch::Tensor match_luminance(const torch::Tensor& style, const torch::Tensor& content);
torch::Tensor match_histogram(const torch::Tensor& style, const torch::Tensor& content);
// Mean (3) and population covariance (3×3) of an [1,3,H,W] image's colours, in float64.
std::pair<torch::Tensor, torch::Tensor> colour_stats(const torch::Tensor& img);
// `img` with its colours' mean and covariance mapped to `mean` and `cov` (float64) by the affine
// map x -> cov^½ cov_img^-½ (x − mean_img) + mean (symmetric roots): match_histogram's map, and
// colours-only's. Not clamped.
torch::Tensor map_moments(const torch::Tensor& img, const torch::Tensor& mean, const torch::Tensor& cov);
// --colors-only (nst/color.h): `content` recoloured to the mix of the styles' moments, clamped.
torch::Tensor colors_only(const torch::Tensor& content, const std::vector<torch::Tensor>& styles,
                          const std::vector<float>& blend);

}  // namespace nst::color_ops
