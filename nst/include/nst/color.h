#pragma once
// Colour control on host images (Gatys et al. 2017, "Controlling Perceptual Factors in Neural
// Style Transfer"). The engine applies the same functions to its tensors (ColorMode); they are
// public so that tests and tools can check them on real images. Colour space: YIQ (FCC NTSC
// coefficients), on the stored (non-linear) RGB values, as the classic tools do.
#include <vector>

#include "nst/image.h"

namespace nst::color {

// Channels become (Y, I, Q) / back to (R, G, B). Not clamped.
Image rgb_to_yiq(const Image& rgb);
Image yiq_to_rgb(const Image& yiq);

// `post`: the luminance of `result` with the chrominance (I, Q) of `content` (same size). Not
// clamped, so the chrominance is the content's exactly; saving and display clamp to [0,1].
Image keep_chrominance(const Image& result, const Image& content);

// `luminance`: the image's luminance Y replicated to three channels.
Image luminance_only(const Image& img);
// `luminance`: the style's luminance shifted and scaled to the content's mean and standard
// deviation (population statistics), replicated to three channels.
Image match_luminance(const Image& style, const Image& content);

// `histogram`: x′ = A·(x − μ_s) + μ_c with A = Σ_c^½ · Σ_s^-½ (symmetric matrix square roots, by
// eigendecomposition), so that the style's colour mean and covariance equal the content's.
// Population covariances; not clamped (clamping would change the statistics being matched).
Image match_histogram(const Image& style, const Image& content);

// `--colors-only`: the inverse of `histogram`, the content recoloured with the styles' palette:
// match_histogram's map taking the content's colour mean and covariance to the mix of the styles'
// (`blend`, normalised, one weight per style: mean Σ w_k μ_k, second moment Σ w_k (Σ_k + μ_k μ_kᵀ)).
// Clamped to [0,1] (a result to save).
Image colors_only(const Image& content, const std::vector<Image>& styles, const std::vector<float>& blend);

}  // namespace nst::color
