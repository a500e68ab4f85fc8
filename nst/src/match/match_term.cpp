#include "match/match_term.h"

#include <cmath>
#include <stdexcept>
#include <string>

#include "match/hard_regions.h"
#include "match/neural_neighbors.h"
#include "match/remd.h"
#include "match/rows.h"
#include "match/self_similarity.h"
#include "match/sliced_wasserstein.h"
#include "nst/tiling.h"  // pooling_stride

namespace nst {
namespace {

DrawRecorder& recorder_slot() {
    static DrawRecorder recorder;
    return recorder;
}

std::string relu_key(const char* loss, int idx) { return std::string(loss) + "/relu" + std::to_string(idx); }

// The mask rows of layer `idx`, checked against its activation's positions.
const SpatialMasks::Layer* region_rows(SpatialMasks* masks, int idx, std::int64_t positions) {
    if (!masks || !masks->has_regions()) return nullptr;
    const auto& m = masks->at(idx);
    if (m.masks.defined() && m.masks.size(1) != positions)
        throw std::logic_error("MatchTerm: a mask's size differs from its layer's");
    return &m;
}

// One layer's loss, `loss(rows, weights)` of output rows against the styles with these weights:
// of all rows with the blend, or with regions Σ_r λ_r · loss(the rows r owns, r's own weights).
template <class Loss>
torch::Tensor layer_over_regions(SpatialMasks* masks, int idx, const torch::Tensor& f, const std::vector<float>& blend,
                                 const torch::Tensor& zero, const Loss& loss) {
    const auto* m = region_rows(masks, idx, f.size(0));
    if (!m) return loss(f, blend);
    torch::Tensor sum = zero;
    if (m->style.empty()) return sum;
    const auto owned = match::owned_by_row(match::owners(*m), m->style.size());
    for (std::size_t r = 0; r < owned.size(); ++r) {
        if (owned[r].numel() == 0) continue;
        sum = sum + m->weight[r] * loss(f.index_select(0, owned[r]), match::row_weights(m->style[r], blend));
    }
    return sum;
}

}  // namespace

void set_draw_recorder(DrawRecorder recorder) { recorder_slot() = std::move(recorder); }
const DrawRecorder& draw_recorder() { return recorder_slot(); }

void MatchTerm::set_targets(int layer, const std::vector<torch::Tensor>& per_style) {
    torch::NoGradGuard no_grad;
    std::vector<StyleLayer> fresh;
    for (const auto& a : per_style) {
        fresh.push_back({match::rows_of(a.detach()).contiguous(), a.size(2), a.size(3)});
    }
    per_style_[layer] = std::move(fresh);
}

void MatchTerm::set_style_images(const std::vector<torch::Tensor>& styles) {
    rgb_.clear();
    for (const auto& s : styles) rgb_.push_back({match::rows_of(s.detach()).contiguous(), s.size(2), s.size(3)});
}

torch::Tensor MatchTerm::evaluate(const Params& p, const Taps& feats, const torch::Tensor& image,
                                  const std::vector<float>& blend, Draws& draws, const torch::Tensor& zero,
                                  SpatialMasks* masks) const {
    switch (p.style_loss) {
        case StyleLoss::SW: return sliced_wasserstein(p, feats, blend, draws, zero, masks);
        case StyleLoss::NN: return neural_neighbors(p, feats, blend, draws, zero, masks);
        case StyleLoss::REMD: return remd(p, feats, image, blend, draws, zero, masks);
        default: throw std::logic_error("MatchTerm: not a feature-matching loss");
    }
}

torch::Tensor MatchTerm::sliced_wasserstein(const Params& p, const Taps& feats, const std::vector<float>& blend,
                                            Draws& draws, const torch::Tensor& zero, SpatialMasks* masks) const {
    torch::Tensor loss = zero;
    for (const auto& lw : p.style_layers) {
        if (lw.weight == 0.f) continue;
        const int idx = relu_index(lw.layer);
        const auto f = match::rows_of(feats.at(idx));
        std::vector<torch::Tensor> styles;
        for (const auto& s : per_style_.at(idx)) styles.push_back(s.rows);
        const auto v = draws.directions(relu_key("sw", idx), f.size(1), p.sw_directions);
        loss = loss + lw.weight * layer_over_regions(masks, idx, f, layer_blend_for(p.layer_blend, lw.layer, blend, blend.size()), zero,
                                                     [&](const auto& rows, const auto& w) {
                   return match::sliced_wasserstein(rows, styles, w, v);
               });
    }
    return loss;
}

torch::Tensor MatchTerm::neural_neighbors(const Params& p, const Taps& feats, const std::vector<float>& blend,
                                          Draws& draws, const torch::Tensor& zero, SpatialMasks* masks) const {
    torch::Tensor loss = zero;
    for (const auto& lw : p.style_layers) {
        if (lw.weight == 0.f) continue;
        const int idx = relu_index(lw.layer);
        const auto f = match::unit_rows(match::rows_of(feats.at(idx)));
        std::vector<torch::Tensor> candidates;
        const auto& styles = per_style_.at(idx);
        for (std::size_t k = 0; k < styles.size(); ++k) {
            const auto& s = styles[k];
            const auto j = draws.positions(relu_key("nn", idx) + "/style" + std::to_string(k), s.rows.size(0), p.samples);
            candidates.push_back(match::unit_rows(j.defined() ? s.rows.index_select(0, j) : s.rows));
        }
        loss = loss + lw.weight * layer_over_regions(masks, idx, f, layer_blend_for(p.layer_blend, lw.layer, blend, blend.size()), zero,
                                                     [&](const auto& rows, const auto& w) {
                   return match::neural_neighbors(rows, candidates, w);
               });
    }
    return loss;
}

torch::Tensor MatchTerm::remd(const Params& p, const Taps& feats, const torch::Tensor& image,
                              const std::vector<float>& blend, Draws& draws, const torch::Tensor& zero,
                              SpatialMasks* masks) const {
    const auto height = image.size(2), width = image.size(3);
    const auto index_opts = torch::TensorOptions().dtype(torch::kLong).device(image.device());
    // The pixels sampled: of the output, then of each style.
    auto out_pixels = draws.positions("remd/out", height * width, p.samples);
    if (!out_pixels.defined()) out_pixels = torch::arange(height * width, index_opts);
    std::vector<match::HypercolumnLayer> out_layers;
    std::vector<std::vector<match::HypercolumnLayer>> style_layers(rgb_.size());
    for (const auto& lw : p.style_layers) {
        if (lw.weight == 0.f) continue;
        const int idx = relu_index(lw.layer);
        const auto& a = feats.at(idx);
        const std::int64_t stride = pooling_stride(idx);
        const double scale = std::sqrt(static_cast<double>(lw.weight));
        out_layers.push_back({match::rows_of(a), a.size(2), a.size(3), stride, scale});
        const auto& styles = per_style_.at(idx);
        for (std::size_t k = 0; k < styles.size(); ++k)
            style_layers[k].push_back({styles[k].rows, styles[k].height, styles[k].width, stride, scale});
    }
    if (out_layers.empty()) return zero;
    const auto h = match::hypercolumns(out_layers, out_pixels, width);
    const auto rgb_out = match::rows_of(image).index_select(0, out_pixels);
    std::vector<torch::Tensor> g, rgb_style;
    for (std::size_t k = 0; k < rgb_.size(); ++k) {
        const auto& s = rgb_[k];
        auto pixels = draws.positions("remd/style" + std::to_string(k), s.height * s.width, p.samples);
        if (!pixels.defined()) pixels = torch::arange(s.height * s.width, index_opts);
        g.push_back(match::hypercolumns(style_layers[k], pixels, s.width));
        rgb_style.push_back(s.rows.index_select(0, pixels));
    }
    const auto against = [&](const torch::Tensor& hs, const torch::Tensor& rgb, const std::vector<float>& weights) {
        torch::Tensor loss;
        for (std::size_t k = 0; k < g.size(); ++k) {
            if (weights[k] == 0.f) continue;
            const auto term = match::strotss_style(hs, g[k], rgb, rgb_style[k]) * static_cast<double>(weights[k]);
            loss = loss.defined() ? loss + term : term;
        }
        return loss.defined() ? loss : zero;
    };
    if (!masks || !masks->has_regions()) return against(h, rgb_out, blend);
    // Regions at the pixels: relu1_1's masks have no pooling before them.
    const auto& m = masks->at(1);
    if (m.style.empty()) return zero;
    if (m.masks.size(1) != height * width) throw std::logic_error("MatchTerm: the pixel masks' size differs from the image's");
    const auto sample_owner = match::owners(m).index_select(0, out_pixels);
    const auto owned = match::owned_by_row(sample_owner, m.style.size());
    torch::Tensor loss = zero;
    for (std::size_t r = 0; r < owned.size(); ++r) {
        if (owned[r].numel() < 2) continue;
        loss = loss + m.weight[r] * against(h.index_select(0, owned[r]), rgb_out.index_select(0, owned[r]),
                                            match::row_weights(m.style[r], blend));
    }
    return loss;
}

torch::Tensor self_similarity_term(const std::vector<LayerWeight>& layers, const Taps& feats, const ContentTerm& content,
                                   int samples, Draws& draws, const torch::Tensor& zero, SpatialMasks* masks) {
    const bool map = masks && masks->has_content_map();
    torch::Tensor loss = zero;
    for (const auto& lw : layers) {
        if (lw.weight == 0.f) continue;
        const int idx = relu_index(lw.layer);
        auto x = match::rows_of(feats.at(idx));
        auto c = match::rows_of(content.target(idx));
        torch::Tensor row_weight = map ? masks->at(idx).content.flatten() : torch::Tensor();
        if (const auto pos = draws.positions(relu_key("ss", idx), x.size(0), samples); pos.defined()) {
            x = x.index_select(0, pos);
            c = c.index_select(0, pos);
            if (map) row_weight = row_weight.index_select(0, pos);
        }
        loss = loss + lw.weight * match::self_similarity(x, c, row_weight);
    }
    return loss;
}

}  // namespace nst
