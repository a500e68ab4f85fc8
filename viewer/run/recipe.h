#pragma once
// A Recipe (frame.h) made from the engine's parameters, and written out for people (the status
// line) and programs (--log-json, the metadata of saved images).
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "nst/engine.h"
#include "run/frame.h"

namespace nstv {

// The blend as the engine uses it: normalised to sum 1 for `count` styles (equal when empty or
// unusable).
std::vector<float> blend_shares(const std::vector<float>& blend, std::size_t count);

// A float parameter as the double with the same shortest decimal form (0.02f -> 0.02, not
// 0.019999999552965164): what the user set, readable in logs and metadata.
double decimal(float v);

// `shown_average`: the picture is the moving average (when p.average is on), not the iterate;
// `spatial`: the painted regions the engine uses (may be null).
Recipe make_recipe(const nst::Params& p, const std::vector<std::string>& style_paths, bool shown_average = true,
                   const nst::SpatialControl* spatial = nullptr);

// "a.jpg 75% + b.png 25%  |  colours post  |  scale 1.00  |  statistic gram  |  adam"
// (and "  |  average 0.99" when the picture is the average, "  |  2 regions + content map" when painted,
// "  |  texture  |  seamless  |  colours only  |  normalised gradients 0.5  |  layer blend ..." when used)
std::string describe(const Recipe& r);
// {"styles":[...],"style_blend":[...],"preserve_colors":...,"style_scale":...,"style_loss":...,
//  "optimizer":...,"average":...,"shown":...}, and when painted "regions":[{"style":0|"none","weight":1}],
//  "content_map":true|false
nlohmann::ordered_json recipe_json(const Recipe& r);
// Everything a saved result was made with, one JSON object: step, content, the recipe, features
// and precision.
std::string result_metadata(const Frame& f);

}  // namespace nstv
