// Sweep specs and the grid of cells (sweep.h): the torch-free half of sweeps. Every value goes
// through the parameter table's own setter, so a bad value is refused with the same message as
// the flag, and a swept style weight or learning rate counts as given like the flag does.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nst/error.h"
#include "nst/layers.h"
#include "nst/param_table.h"
#include "nst/sweep.h"
#include "params/param_text.h"

namespace nst {
namespace {

constexpr std::string_view kStyleLayer = "style-layer:";
constexpr std::string_view kContentLayer = "content-layer:";
constexpr std::string_view kStyleBlend = "style-blend:";
// The table parameters a sweep takes as they are.
constexpr std::string_view kPlain[] = {"style-weight", "content-weight", "tv-weight", "lr",
                                       "style-scale",  "style-loss",     "content-loss"};

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

[[noreturn]] void refuse(std::string_view spec, std::string_view why) {
    std::string message = "--sweep ";  // appends: GCC 12 warns falsely (-Wrestrict) on operator+ chains
    message.append(spec).append(": ").append(why);
    throw UsageError(message);
}

// The style index of "style-blend:K" (0-based), or nullopt when K is not a number from 1 to 1000.
std::optional<int> blend_index(std::string_view name) {
    const std::optional<int> k = parse_number<int>(name.substr(kStyleBlend.size()));
    if (!k || *k < 1 || *k > 1000) return std::nullopt;
    return *k - 1;
}

// 'text' (out of line: GCC 12 warns falsely (-Wrestrict) on inlined operator+ chains).
[[gnu::noinline]] std::string quoted(std::string_view text) {
    std::string out(1, '\'');
    out.append(text).push_back('\'');
    return out;
}

// Whether `name` is a parameter a sweep accepts; `why` says what is wrong with it otherwise.
bool known_param(std::string_view name, std::string& why) {
    if (std::find(std::begin(kPlain), std::end(kPlain), name) != std::end(kPlain)) return true;
    for (const std::string_view prefix : {kStyleLayer, kContentLayer}) {
        if (!name.starts_with(prefix)) continue;
        const std::string_view layer = name.substr(prefix.size());
        if (relu_index(layer) >= 0) return true;
        // appends: GCC 12 warns falsely (-Wrestrict) on operator+ chains
        why = quoted(layer) + " is not a VGG19 ReLU layer (relu1_1 ... relu5_4)";
        return false;
    }
    if (name.starts_with(kStyleBlend)) {
        if (blend_index(name)) return true;
        why = quoted(name.substr(kStyleBlend.size())) + " is not a style number (1 for the first style)";
        return false;
    }
    why = "unknown parameter " + quoted(name) + " (accepted: " + join(sweepable_params(), ", ") + ")";
    return false;
}

// Text for a computed (log-spaced) value: 4 significant digits, then the shortest text of that
// float, so the caption shows exactly the value that ran ("1e+06", "2.154").
std::string short_number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4g", v);
    return format_number(static_cast<float>(std::strtod(buf, nullptr)));
}

std::vector<std::string> log_values(std::string_view spec, std::string_view range) {
    // range is "LO:HI:COUNT"
    const std::size_t a = range.find(':');
    const std::size_t b = a == std::string_view::npos ? a : range.find(':', a + 1);
    if (b == std::string_view::npos || range.find(':', b + 1) != std::string_view::npos)
        refuse(spec, "expected log:LO:HI:COUNT (e.g. log:1e5:1e7:3)");
    const std::optional<double> lo = parse_number<double>(trim(range.substr(0, a)));
    const std::optional<double> hi = parse_number<double>(trim(range.substr(a + 1, b - a - 1)));
    const std::optional<int> count = parse_number<int>(trim(range.substr(b + 1)));
    if (!lo || !hi || !std::isfinite(*lo) || !std::isfinite(*hi) || !(*lo > 0) || !(*hi > 0))
        refuse(spec, "LO and HI of log:LO:HI:COUNT must be numbers > 0");
    if (!count || *count < 2 || *count > kMaxSweepCells)
        refuse(spec, "COUNT of log:LO:HI:COUNT must be an integer between 2 and " + std::to_string(kMaxSweepCells));
    std::vector<std::string> values;
    const double step = (std::log(*hi) - std::log(*lo)) / (*count - 1);
    for (int i = 0; i < *count; ++i) values.push_back(short_number(std::exp(std::log(*lo) + step * i)));
    return values;
}

// "relu1_1:1,relu3_1:V,..." : the list with `layer`'s weight replaced (or the layer appended).
std::string layers_with(const std::vector<LayerWeight>& layers, std::string_view layer, std::string_view value) {
    std::vector<std::string> parts;
    bool found = false;
    for (const LayerWeight& l : layers) {
        if (l.layer == layer) {
            parts.push_back(l.layer + ":" + std::string(value));
            found = true;
        } else {
            parts.push_back(format_layer_spec({l}));
        }
    }
    if (!found) parts.push_back(std::string(layer) + ":" + std::string(value));
    return join(parts, ",");
}

// Sets one axis value on `s` through the table's setter of the parameter behind it.
void apply(RunSettings& s, const std::string& name, const std::string& value) {
    if (name.starts_with(kStyleLayer)) {
        param("style-layers").set(s, layers_with(s.params.style_layers, name.substr(kStyleLayer.size()), value));
    } else if (name.starts_with(kContentLayer)) {
        param("content-layers").set(s, layers_with(s.params.content_layers, name.substr(kContentLayer.size()), value));
    } else if (name.starts_with(kStyleBlend)) {
        const int k = *blend_index(name);
        std::vector<std::string> weights;
        for (const float w : s.params.style_blend) weights.push_back(format_number(w));
        // No blend given: equal weights, i.e. 1 for every style (or up to K when no styles are known yet).
        if (weights.empty()) weights.assign(std::max<std::size_t>(s.styles.size(), static_cast<std::size_t>(k) + 1), "1");
        if (static_cast<std::size_t>(k) >= weights.size())
            throw UsageError("--style-blend has " + std::to_string(weights.size()) + " weights: there is no weight " +
                             std::to_string(k + 1) + " to sweep");
        weights[static_cast<std::size_t>(k)] = value;
        param("style-blend").set(s, join(weights, ","));
        // The setter only parses; the weights' own checks (>= 0, finite, not all zero) are these.
        static_cast<void>(normalized_blend(s.params.style_blend, s.params.style_blend.size()));
    } else {
        param(name).set(s, value);
    }
}

}  // namespace

const std::vector<std::string>& sweepable_params() {
    static const std::vector<std::string> names = {"style-weight",      "content-weight",      "tv-weight",
                                                   "lr",                "style-scale",         "style-loss",
                                                   "content-loss",      "style-layer:LAYER",   "content-layer:LAYER",
                                                   "style-blend:K"};
    return names;
}

SweepAxis parse_sweep(std::string_view spec) {
    const std::size_t eq = spec.find('=');
    if (eq == std::string_view::npos) refuse(spec, "expected NAME=V1,V2,... or NAME=log:LO:HI:COUNT");
    SweepAxis axis;
    axis.param = std::string(trim(spec.substr(0, eq)));
    std::string why;
    if (!known_param(axis.param, why)) refuse(spec, why);
    const std::string_view list = trim(spec.substr(eq + 1));
    if (list.empty()) refuse(spec, "no values");
    if (list.starts_with("log:")) {
        axis.values = log_values(spec, list.substr(4));
    } else {
        for (std::size_t start = 0; start <= list.size();) {
            const std::size_t comma = std::min(list.find(',', start), list.size());
            const std::string_view value = trim(list.substr(start, comma - start));
            if (value.empty()) refuse(spec, "an empty value in the list");
            axis.values.emplace_back(value);
            start = comma + 1;
        }
    }
    // The same value twice would run the same variant twice and give two cells one file name.
    for (std::size_t i = 0; i < axis.values.size(); ++i) {
        const std::optional<double> vi = parse_number<double>(axis.values[i]);
        for (std::size_t j = 0; j < i; ++j)
            if (vi ? parse_number<double>(axis.values[j]) == vi : axis.values[j] == axis.values[i])
                refuse(spec, "the value " + axis.values[i] + " is given twice");
    }
    return axis;
}

std::string SweepCell::caption() const {
    std::vector<std::string> parts;
    for (const auto& [name, value] : values) parts.push_back(name + "=" + value);
    return join(parts, " ");
}

std::vector<SweepCell> sweep_cells(const RunSettings& base, const std::vector<SweepAxis>& axes) {
    if (axes.empty()) throw UsageError("--sweep: no parameter to sweep");
    if (axes.size() > 2) {
        std::vector<std::string> names;
        for (const SweepAxis& a : axes) names.push_back(a.param);
        throw UsageError("--sweep: at most 2 parameters, got " + std::to_string(axes.size()) + " (" +
                         join(names, ", ") + ")");
    }
    for (const SweepAxis& a : axes) {
        std::string why;
        if (!known_param(a.param, why)) refuse(a.param, why);
        if (a.values.empty()) refuse(a.param, "no values");
    }
    if (axes.size() == 2 && axes[0].param == axes[1].param)
        throw UsageError("--sweep: " + axes[0].param + " is swept twice; give its values in one --sweep");
    const std::size_t cols = axes[0].values.size();
    const std::size_t rows = axes.size() == 2 ? axes[1].values.size() : 1;
    if (cols * rows > static_cast<std::size_t>(kMaxSweepCells)) {
        const std::string grid = axes.size() == 2 ? std::to_string(cols) + " x " + std::to_string(rows) + " = " : "";
        throw UsageError("--sweep: " + grid + std::to_string(cols * rows) + " cells; at most " +
                         std::to_string(kMaxSweepCells));
    }
    for (const SweepAxis& a : axes) {
        if (!a.param.starts_with(kStyleBlend) || base.styles.empty()) continue;
        const int k = *blend_index(a.param);
        if (static_cast<std::size_t>(k) >= base.styles.size())
            refuse(a.param, "there " + std::string(base.styles.size() == 1 ? "is" : "are") + " only " +
                                std::to_string(base.styles.size()) + " style" + (base.styles.size() == 1 ? "" : "s"));
    }

    std::vector<SweepCell> cells;
    cells.reserve(cols * rows);
    for (std::size_t r = 0; r < rows; ++r) {
        for (std::size_t c = 0; c < cols; ++c) {
            SweepCell cell;
            cell.settings = base;
            cell.row = static_cast<int>(r);
            cell.col = static_cast<int>(c);
            for (std::size_t k = 0; k < axes.size(); ++k) {
                const SweepAxis& axis = axes[k];
                const std::string& value = axis.values[k == 0 ? c : r];
                try {
                    apply(cell.settings, axis.param, value);
                } catch (const UsageError& e) {
                    refuse(axis.param + "=" + value, e.what());  // names the axis and the value
                }
                cell.values.emplace_back(axis.param, value);
            }
            cells.push_back(std::move(cell));
        }
    }
    return cells;
}

SweepMode parse_sweep_mode(const std::string& name) {
    if (name == "auto") return SweepMode::Auto;
    if (name == "batch") return SweepMode::Batch;
    if (name == "sequential") return SweepMode::Sequential;
    throw UsageError("--sweep-mode " + name + ": expected auto, batch or sequential");
}

const char* sweep_mode_name(SweepMode mode) {
    switch (mode) {
        case SweepMode::Auto: return "auto";
        case SweepMode::Batch: return "batch";
        case SweepMode::Sequential: return "sequential";
    }
    return "auto";
}

}  // namespace nst
