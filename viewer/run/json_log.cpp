#include "run/json_log.h"

#include <cerrno>
#include <vector>
#include <cstring>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "run/recipe.h"

namespace nstv {

JsonLog::JsonLog(const std::string& path) : file_(std::fopen(path.c_str(), "w")) {
    if (!file_) throw std::runtime_error("cannot write --log-json " + path + ": " + std::strerror(errno));
}

namespace {

std::vector<double> decimals(const std::vector<float>& v) {
    std::vector<double> out;
    for (const float x : v) out.push_back(decimal(x));
    return out;
}

}  // namespace

void JsonLog::write(const LossSample& s, const nst::Params& p, const StepContext& c) {
    nlohmann::ordered_json layers = nlohmann::ordered_json::object();
    for (const auto& l : p.style_layers) layers[l.layer] = decimal(l.weight);
    nlohmann::ordered_json line = {
        {"step", s.step},
        {"content", s.losses.content},
        {"style", s.losses.style},
        {"tv", s.losses.tv},
        {"total", s.losses.total},
        {"ms", s.ms},
        {"content_weight", decimal(p.content_weight)},
        {"style_weight", decimal(p.style_weight)},
        {"tv_weight", decimal(p.tv_weight)},
        {"lr", decimal(p.lr)},
        {"style_layers", layers},
        {"style_blend", decimals(blend_shares(p.style_blend, c.styles))},
        {"preserve_colors", nst::color_mode_name(p.colors)},
        {"style_scale", decimal(p.style_scale)},
        {"style_loss", nst::style_loss_name(p.style_loss)},
        {"content_loss", nst::content_loss_name(p.content_loss)},
        {"sw_directions", p.sw_directions},
        {"samples", p.samples},
        {"optimizer", nst::optimizer_name(p.optimizer)},
        {"lbfgs_history", p.lbfgs_history},
        {"average", decimal(p.average)},
        {"shown", c.shown_average && p.average > 0 ? "average" : "iterate"},
        {"features", c.random_features ? "random" : "vgg19"},
        {"precision", nst::precision_name(c.precision)},
        {"size", c.size},
        {"target_passes", c.target_passes},
        {"regions", c.regions},
        {"texture", c.texture},
        {"width", c.width},
        {"height", c.height},
        {"seamless", p.seamless},
        {"normalize_gradients", decimal(p.normalize_gradients)},
        {"colors_only", p.colors_only},
        {"layer_blend", nst::format_layer_blend(p.layer_blend)},
    };
    if (c.frame >= 0) line["frame"] = c.frame + 1;  // 1-based, as nst --video's log
    // NaN and infinite losses are written as null (JSON has no NaN).
    put(line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n");
}

void JsonLog::event(const std::string& name, const nlohmann::ordered_json& fields) {
    nlohmann::ordered_json line = {{"event", name}};
    if (fields.is_object()) line.update(fields);
    put(line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n");
}

void JsonLog::put(const std::string& line) {
    const std::lock_guard lock(mu_);
    std::fputs(line.c_str(), file_.get());
    std::fflush(file_.get());  // readers (tests, tail -f) see each line as it happens
}

}  // namespace nstv
