#include "run/recipe.h"

#include <cmath>
#include <cstdio>
#include <filesystem>

#include <charconv>
#include <cstdlib>
#include <string>

namespace nstv {

double decimal(float v) {
    char buf[32];
    const auto end = std::to_chars(buf, buf + sizeof buf, v).ptr;
    return std::strtod(std::string(buf, end).c_str(), nullptr);
}

std::vector<float> blend_shares(const std::vector<float>& blend, std::size_t count) {
    if (count == 0) return {};
    double sum = 0;
    bool usable = blend.size() == count;
    for (const float w : blend) {
        if (!std::isfinite(w) || w < 0) usable = false;
        sum += w;
    }
    if (!usable || !(sum > 0)) return std::vector<float>(count, 1.0f / static_cast<float>(count));
    std::vector<float> out;
    for (const float w : blend) out.push_back(static_cast<float>(w / sum));
    return out;
}

Recipe make_recipe(const nst::Params& p, const std::vector<std::string>& style_paths, bool shown_average,
                   const nst::SpatialControl* spatial) {
    Recipe r;
    for (const auto& path : style_paths) r.styles.push_back(std::filesystem::path(path).filename().string());
    r.blend = blend_shares(p.style_blend, style_paths.size());
    r.colors = nst::color_mode_name(p.colors);
    r.style_scale = p.style_scale;
    r.statistic = nst::style_loss_name(p.style_loss);
    r.optimizer = nst::optimizer_name(p.optimizer);
    r.average = p.average;
    r.shown = shown_average && p.average > 0 ? "average" : "iterate";
    r.seamless = p.seamless;
    r.colors_only = p.colors_only;
    r.normalize_gradients = p.normalize_gradients;
    r.layer_blend = nst::format_layer_blend(p.layer_blend);
    if (spatial) {
        for (const auto& region : spatial->regions) r.regions.push_back({region.style, region.weight});
        r.content_map = !spatial->content_map.empty();
    }
    return r;
}

std::string describe(const Recipe& r) {
    std::string out;
    for (std::size_t i = 0; i < r.styles.size(); ++i) {
        if (i) out += " + ";
        out += r.styles[i];
        if (r.styles.size() > 1 && i < r.blend.size()) {
            char share[16];
            std::snprintf(share, sizeof share, " %.0f%%", 100.0 * r.blend[i]);
            out += share;
        }
    }
    char rest[160];
    std::snprintf(rest, sizeof rest, "  |  colours %s  |  scale %.2f  |  statistic %s  |  %s", r.colors.c_str(),
                  static_cast<double>(r.style_scale), r.statistic.c_str(), r.optimizer == "lbfgs" ? "L-BFGS" : "Adam");
    out += rest;
    if (r.shown == "average") {
        std::snprintf(rest, sizeof rest, "  |  average %.3g", static_cast<double>(r.average));
        out += rest;
    }
    if (!r.regions.empty() || r.content_map) {
        const std::size_t n = r.regions.size();
        out += "  |  " + (n ? std::to_string(n) + (n == 1 ? " region" : " regions") : std::string()) +
               (n && r.content_map ? " + " : "") + (r.content_map ? "content map" : "");
    }
    if (r.texture) out += "  |  texture";
    if (r.seamless) out += "  |  seamless";
    if (r.colors_only) out += "  |  colours only";
    if (r.normalize_gradients > 0) {
        std::snprintf(rest, sizeof rest, "  |  normalised gradients %.2g", static_cast<double>(r.normalize_gradients));
        out += rest;
    }
    if (!r.layer_blend.empty()) out += "  |  layer blend " + r.layer_blend;
    return out;
}

nlohmann::ordered_json recipe_json(const Recipe& r) {
    std::vector<double> blend;
    for (const float w : r.blend) blend.push_back(decimal(w));
    nlohmann::ordered_json out = {{"styles", r.styles},
                                  {"style_blend", blend},
                                  {"preserve_colors", r.colors},
                                  {"style_scale", decimal(r.style_scale)},
                                  {"style_loss", r.statistic},
                                  {"optimizer", r.optimizer},
                                  {"average", decimal(r.average)},
                                  {"shown", r.shown}};
    // Only for painted results, so that plain ones read as before.
    if (!r.regions.empty() || r.content_map) {
        nlohmann::ordered_json regions = nlohmann::ordered_json::array();
        for (const auto& g : r.regions)
            regions.push_back({{"style", g.style < 0 ? nlohmann::ordered_json("none") : nlohmann::ordered_json(g.style)},
                               {"weight", decimal(g.weight)}});
        out["regions"] = std::move(regions);
        out["content_map"] = r.content_map;
    }
    if (r.texture) out["texture"] = true;
    if (r.seamless) out["seamless"] = true;
    if (r.colors_only) out["colors_only"] = true;
    if (r.normalize_gradients > 0) out["normalize_gradients"] = decimal(r.normalize_gradients);
    if (!r.layer_blend.empty()) out["layer_blend"] = r.layer_blend;
    return out;
}

std::string result_metadata(const Frame& f) {
    nlohmann::ordered_json out = {{"program", "nst-viewer"}, {"step", f.step}};
    if (f.sources) out["content"] = f.sources->content_name;
    out.update(recipe_json(f.recipe));
    if (f.sources) {
        out["features"] = f.sources->random_features ? "random" : "vgg19";
        out["precision"] = f.sources->precision;
    }
    // ASCII (a PNG tEXt chunk is Latin-1): non-ASCII characters as \u escapes.
    return out.dump(-1, ' ', true, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace nstv
