// Colour control (nst/color.h): YIQ, luminance-only transfer and colour histogram matching.
#include "nst/color.h"

#include "image/tensor_image.h"
#include "loss/color_ops.h"
#include "nst/engine.h"  // normalized_blend

namespace nst::color_ops {
namespace {

// RGB -> YIQ (FCC NTSC). The inverse is computed from it in float64 so that a round trip is exact
// to float rounding, whatever the rounding of the published coefficients.
torch::Tensor forward_matrix(const torch::TensorOptions& opts) {
    return torch::tensor({0.299, 0.587, 0.114,            //
                          0.595716, -0.274453, -0.321263,  //
                          0.211456, -0.522591, 0.311135},
                         torch::kFloat64)
        .view({3, 3})
        .to(opts);
}

torch::Tensor apply_matrix(const torch::Tensor& m, const torch::Tensor& x) {
    // [3,3] × [N,3,H,W] over the channel dimension.
    return torch::einsum("ij,njhw->nihw", {m.to(x.dtype()), x});
}

// Symmetric square root and inverse square root; eigenvalues floored so that a flat (singular)
// colour distribution maps to a point instead of dividing by zero.
torch::Tensor sym_power(const torch::Tensor& m, double power) {
    const auto [values, vectors] = torch::linalg_eigh(m);
    return torch::mm(vectors * values.clamp_min(1e-12).pow(power).unsqueeze(0), vectors.t());
}

}  // namespace

std::pair<torch::Tensor, torch::Tensor> colour_stats(const torch::Tensor& img) {
    const auto p = img.to(torch::kFloat64).reshape({3, -1});
    const auto mean = p.mean(1);
    const auto centred = p - mean.unsqueeze(1);
    return {mean, torch::mm(centred, centred.t()) / static_cast<double>(p.size(1))};
}

torch::Tensor map_moments(const torch::Tensor& img, const torch::Tensor& mean, const torch::Tensor& cov) {
    const auto [mean_i, cov_i] = colour_stats(img);
    const auto a = torch::mm(sym_power(cov, 0.5), sym_power(cov_i, -0.5));
    const auto p = img.to(torch::kFloat64).reshape({3, -1});
    const auto out = torch::mm(a, p - mean_i.unsqueeze(1)) + mean.unsqueeze(1);
    return out.reshape(img.sizes()).to(img.dtype());
}

torch::Tensor rgb_to_yiq(const torch::Tensor& rgb) {
    return apply_matrix(forward_matrix(torch::TensorOptions().dtype(torch::kFloat64).device(rgb.device())), rgb);
}

torch::Tensor yiq_to_rgb(const torch::Tensor& yiq) {
    const auto m = forward_matrix(torch::TensorOptions().dtype(torch::kFloat64).device(yiq.device()));
    return apply_matrix(torch::linalg_inv(m), yiq);
}

torch::Tensor keep_chrominance(const torch::Tensor& result, const torch::Tensor& content) {
    using torch::indexing::Slice;
    const auto y = rgb_to_yiq(result).index({Slice(), Slice(0, 1)});
    const auto iq = rgb_to_yiq(content).index({Slice(), Slice(1, 3)});
    return yiq_to_rgb(torch::cat({y, iq}, 1));
}

torch::Tensor luminance_only(const torch::Tensor& img) {
    using torch::indexing::Slice;
    return rgb_to_yiq(img).index({Slice(), Slice(0, 1)}).expand({-1, 3, -1, -1}).contiguous();
}

torch::Tensor match_luminance(const torch::Tensor& style, const torch::Tensor& content) {
    using torch::indexing::Slice;
    const auto ys = rgb_to_yiq(style).index({Slice(), Slice(0, 1)}).to(torch::kFloat64);
    const auto yc = rgb_to_yiq(content).index({Slice(), Slice(0, 1)}).to(torch::kFloat64);
    const auto sd_s = ys.std(/*unbiased=*/false), sd_c = yc.std(/*unbiased=*/false);
    // A flat style has no luminance structure to scale; it becomes the content's mean.
    const auto scale = sd_s.item<double>() > 1e-12 ? sd_c / sd_s : torch::zeros_like(sd_s);
    const auto y = (ys - ys.mean()) * scale + yc.mean();
    return y.to(style.dtype()).expand({-1, 3, -1, -1}).contiguous();
}

torch::Tensor match_histogram(const torch::Tensor& style, const torch::Tensor& content) {
    const auto [mean_c, cov_c] = colour_stats(content);
    return map_moments(style, mean_c, cov_c);
}

torch::Tensor colors_only(const torch::Tensor& content, const std::vector<torch::Tensor>& styles,
                          const std::vector<float>& blend) {
    torch::Tensor mean, second;
    for (std::size_t k = 0; k < styles.size(); ++k) {
        const auto [m, c] = colour_stats(styles[k]);
        const auto w = static_cast<double>(blend.at(k));
        const auto moment = (c + torch::outer(m, m)) * w;
        mean = k ? mean + m * w : m * w;
        second = k ? second + moment : moment;
    }
    return map_moments(content, mean, second - torch::outer(mean, mean)).clamp_(0, 1);
}

}  // namespace nst::color_ops

namespace nst::color {
namespace {
torch::Tensor to_chw(const Image& img) { return to_tensor(img); }
Image from_chw(const torch::Tensor& t) { return to_image(t); }
}  // namespace

Image rgb_to_yiq(const Image& rgb) { return from_chw(color_ops::rgb_to_yiq(to_chw(rgb))); }
Image yiq_to_rgb(const Image& yiq) { return from_chw(color_ops::yiq_to_rgb(to_chw(yiq))); }
Image keep_chrominance(const Image& result, const Image& content) {
    return from_chw(color_ops::keep_chrominance(to_chw(result), to_chw(content)));
}
Image luminance_only(const Image& img) { return from_chw(color_ops::luminance_only(to_chw(img))); }
Image match_luminance(const Image& style, const Image& content) {
    return from_chw(color_ops::match_luminance(to_chw(style), to_chw(content)));
}
Image match_histogram(const Image& style, const Image& content) {
    return from_chw(color_ops::match_histogram(to_chw(style), to_chw(content)));
}
Image colors_only(const Image& content, const std::vector<Image>& styles, const std::vector<float>& blend) {
    std::vector<torch::Tensor> s;
    for (const Image& style : styles) s.push_back(to_chw(style));
    return from_chw(color_ops::colors_only(to_chw(content), s, normalized_blend(blend, styles.size())));
}

}  // namespace nst::color
