#include "recipe.h"

#include <cmath>
#include <cstdio>
#include <filesystem>

#include "json_text.h"

namespace nstv {

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

Recipe make_recipe(const nst::Params& p, const std::vector<std::string>& style_paths, bool shown_average) {
    Recipe r;
    for (const auto& path : style_paths) r.styles.push_back(std::filesystem::path(path).filename().string());
    r.blend = blend_shares(p.style_blend, style_paths.size());
    r.colors = nst::color_mode_name(p.colors);
    r.style_scale = p.style_scale;
    r.statistic = nst::style_loss_name(p.style_loss);
    r.optimizer = nst::optimizer_name(p.optimizer);
    r.average = p.average;
    r.shown = shown_average && p.average > 0 ? "average" : "iterate";
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
    return out;
}

std::string recipe_json_members(const Recipe& r) {
    std::string out = "\"styles\":";
    out += json_strings(r.styles);
    out += ",\"style_blend\":";
    out += json_numbers(r.blend);
    out += ",\"preserve_colors\":";
    out += json_quote(r.colors);
    out += ",\"style_scale\":";
    out += json_number(r.style_scale);
    out += ",\"style_loss\":";
    out += json_quote(r.statistic);
    out += ",\"optimizer\":";
    out += json_quote(r.optimizer);
    out += ",\"average\":";
    out += json_number(std::round(static_cast<double>(r.average) * 1e6) / 1e6);  // 0.95, not 0.949999988
    out += ",\"shown\":";
    out += json_quote(r.shown);
    return out;
}

std::string result_metadata(const Frame& f) {
    std::string out = "{\"program\":\"nst-viewer\",\"step\":";
    out += std::to_string(f.step);
    if (f.sources) {
        out += ",\"content\":";
        out += json_quote(f.sources->content_name);
    }
    out += ',';
    out += recipe_json_members(f.recipe);
    if (f.sources) {
        out += ",\"features\":";
        out += f.sources->random_features ? "\"random\"" : "\"vgg19\"";
        out += ",\"precision\":";
        out += json_quote(f.sources->precision);
    }
    out += '}';
    return out;
}

}  // namespace nstv
