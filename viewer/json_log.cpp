#include "json_log.h"

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "json_text.h"
#include "recipe.h"

namespace nstv {

JsonLog::JsonLog(const std::string& path) : file_(std::fopen(path.c_str(), "w")) {
    if (!file_) throw std::runtime_error("cannot write --log-json " + path + ": " + std::strerror(errno));
}

void JsonLog::write(const LossSample& s, const nst::Params& p, const StepContext& c) {
    // Appends rather than operator+ chains: GCC 12 warns falsely (-Wrestrict) on those.
    std::string line = "{\"step\":";
    line += std::to_string(s.step);
    const std::pair<const char*, double> numbers[] = {
        {"content", s.losses.content}, {"style", s.losses.style},          {"tv", s.losses.tv},
        {"total", s.losses.total},     {"ms", s.ms},                       {"content_weight", p.content_weight},
        {"style_weight", p.style_weight}, {"tv_weight", p.tv_weight},      {"lr", p.lr}};
    for (const auto& [key, value] : numbers) {
        line += ",\"";
        line += key;
        line += "\":";
        line += json_number(value);
    }
    line += ",\"style_layers\":{";
    bool first = true;
    for (const auto& l : p.style_layers) {
        line += first ? "" : ",";
        line += json_quote(l.layer);
        line += ':';
        line += json_number(l.weight);
        first = false;
    }
    line += "},\"style_blend\":";
    line += json_numbers(blend_shares(p.style_blend, c.styles));
    line += ",\"preserve_colors\":";
    line += json_quote(nst::color_mode_name(p.colors));
    line += ",\"style_scale\":";
    line += json_number(p.style_scale);
    line += ",\"style_loss\":";
    line += json_quote(nst::style_loss_name(p.style_loss));
    line += ",\"features\":";
    line += c.random_features ? "\"random\"" : "\"vgg19\"";
    line += ",\"precision\":";
    line += json_quote(nst::precision_name(c.precision));
    line += ",\"size\":";
    line += std::to_string(c.size);
    line += ",\"target_passes\":";
    line += std::to_string(c.target_passes);
    line += "}\n";
    put(line);
}

void JsonLog::event(const std::string& name, std::initializer_list<Field> fields) {
    std::string line = "{\"event\":";
    line += json_quote(name);
    for (const auto& f : fields) {
        line += ',';
        line += json_quote(f.key);
        line += ':';
        line += f.raw ? f.value : json_quote(f.value);
    }
    line += "}\n";
    put(line);
}

void JsonLog::put(const std::string& line) {
    const std::lock_guard lock(mu_);
    std::fputs(line.c_str(), file_.get());
    std::fflush(file_.get());  // readers (tests, tail -f) see each line as it happens
}

}  // namespace nstv
