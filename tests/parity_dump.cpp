// Runs the engine for the parity test and dumps everything the Python reference needs:
//   inputs.safetensors  - "content" and "style0", "style1", ... exactly as the engine received them
//                         (after load + resize, before any colour transform)
//   run.json            - the parameters used and the losses of every step
//   (--masks FILE --regions SPEC: the regions' masks "mask0", "mask1", ... and "content_map" as the
//   reference wrote them, each [H,W] at the content's size; SPEC "STYLE:WEIGHT,..." one per mask,
//   STYLE an index or none. The reference made them, so they are not dumped again.)
//   (--temporal FILE: video's temporal term: "start" [1,3,H,W], the image the frame starts from
//   (Engine::set_content), and "target0", "weight0" ([1,3,H,W], [H,W]), ... its targets
//   (Engine::set_temporal), as the reference wrote them; with --temporal-weight W.)
//   draws.safetensors   - every random draw of the feature-matching losses by key (match/draws.h:
//                         "e{step}/sw/relu{i}" directions [C,K], "e{step}/remd/out" positions [P],
//                         ...), as float32 (indices are exact in float32 up to 2^24)
//   final.safetensors   - "image" (the raw iterate, Engine::image) and "result" (what is shown and
//                         saved, Engine::result: the average of the iterates under --average),
//                         as float32 (PNG would quantise to 1/255)
// Each style is resized here to round(style_scale x SIZE) on its long side, the size the engine
// resizes it to, so that the engine's own resize is the identity and the dumped tensors are the
// ones it used.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "match/draws.h"
#include "nst/nst.h"
#include "weights/safetensors.h"

namespace {
constexpr const char* kUsage =
    "usage: %s --weights FILE --content FILE --style FILE [--style FILE ...] --size N --steps N --threads N\n"
    "       --out DIR [--content-weight A] [--style-weight B] [--tv-weight G] [--lr LR] [--style-blend W,W,...]\n"
    "       [--colors off|post|luminance|histogram] [--style-scale F] [--style-loss gram|w2|sw|remd|nn] [--pooling max|avg]\n"
    "       [--content-loss mse|self-similarity] [--sw-directions K] [--samples N] [--seed N]\n"
    "       [--normalize-gradients S] [--layer-blend L=W/W,...] [--seamless true] [--texture true]\n"
    "       [--optimizer adam|lbfgs] [--lbfgs-history N] [--average DECAY] [--masks FILE --regions S:W,...]\n"
    "       [--style-layers SPEC] [--content-layers SPEC] [--tile N] [--temporal FILE --temporal-weight W]\n";

nst::safetensors::OutTensor chw(const std::string& name, const nst::Image& img) {
    // The engine's tensors are [1,3,H,W]; Image is HWC.
    std::vector<float> planar(img.rgb.size());
    const std::size_t plane = static_cast<std::size_t>(img.width) * img.height;
    for (std::size_t i = 0; i < plane; ++i)
        for (std::size_t c = 0; c < 3; ++c) planar[c * plane + i] = img.rgb[i * 3 + c];
    return nst::safetensors::f32_tensor(name, {1, 3, img.height, img.width}, planar);
}
// The regions of --masks/--regions: planes from the file, styles and weights from the spec.
nst::SpatialControl read_spatial(const std::filesystem::path& file, const std::string& spec) {
    namespace st = nst::safetensors;
    const auto header = st::read_header(file);
    const auto plane = [&](const st::TensorInfo& t) {
        if (t.shape.size() != 2) throw std::invalid_argument(t.name + ": expected [H,W]");
        return nst::Plane{static_cast<int>(t.shape[1]), static_cast<int>(t.shape[0]), st::read_as_f32(file, header, t)};
    };
    nst::SpatialControl c;
    if (const auto* map = header.find("content_map")) c.content_map = plane(*map);
    std::size_t start = 0;
    for (int r = 0; !spec.empty() && start <= spec.size(); ++r) {
        const auto comma = std::min(spec.find(',', start), spec.size());
        const auto item = spec.substr(start, comma - start);
        const auto colon = item.find(':');
        const auto style = item.substr(0, colon);
        const auto* mask = header.find("mask" + std::to_string(r));
        if (!mask || colon == std::string::npos) throw std::invalid_argument("--regions " + spec + ": bad item " + item);
        c.regions.push_back({plane(*mask), style == "none" ? nst::kRegionNone : std::stoi(style),
                             std::stof(item.substr(colon + 1)), "mask" + std::to_string(r)});
        start = comma + 1;
    }
    return c;
}

// Image from a [1,3,H,W] tensor (the inverse of chw).
nst::Image image_of(const std::vector<float>& planar, int height, int width) {
    nst::Image img{width, height, std::vector<float>(planar.size())};
    const std::size_t plane = static_cast<std::size_t>(width) * height;
    for (std::size_t i = 0; i < plane; ++i)
        for (std::size_t c = 0; c < 3; ++c) img.rgb[i * 3 + c] = planar[c * plane + i];
    return img;
}

// --temporal FILE: the start image and the temporal targets with their weights.
struct Temporal {
    nst::Image start;
    std::vector<nst::TemporalTarget> targets;
};
Temporal read_temporal(const std::filesystem::path& file) {
    namespace st = nst::safetensors;
    const auto header = st::read_header(file);
    const auto image = [&](const std::string& name) {
        const auto* t = header.find(name);
        if (!t || t->shape.size() != 4) throw std::invalid_argument(name + ": expected [1,3,H,W]");
        return image_of(st::read_as_f32(file, header, *t), static_cast<int>(t->shape[2]), static_cast<int>(t->shape[3]));
    };
    Temporal out{image("start"), {}};
    for (int k = 0; header.find("target" + std::to_string(k)); ++k) {
        const auto* w = header.find("weight" + std::to_string(k));
        if (!w) throw std::invalid_argument("weight" + std::to_string(k) + " missing");
        out.targets.push_back({image("target" + std::to_string(k)), st::read_as_f32(file, header, *w)});
    }
    return out;
}

nst::Pooling parse_pooling(const std::string& name) {
    if (name == "max") return nst::Pooling::Max;
    if (name == "avg") return nst::Pooling::Avg;
    throw std::invalid_argument("--pooling " + name + ": expected max or avg");
}
}  // namespace

int main(int argc, char** argv) {
    std::map<std::string, std::string> flags;
    std::vector<std::string> style_paths;
    for (int i = 1; i < argc; i += 2) {
        const std::string flag = argv[i];
        if (i + 1 >= argc || !flag.starts_with("--")) {
            std::fprintf(stderr, kUsage, argv[0]);
            return 2;
        }
        if (flag == "--style")
            style_paths.emplace_back(argv[i + 1]);
        else
            flags[flag.substr(2)] = argv[i + 1];
    }
    for (const char* required : {"weights", "content", "size", "steps", "threads", "out"})
        if (!flags.contains(required)) {
            std::fprintf(stderr, "nst_parity_dump: --%s is required\n", required);
            std::fprintf(stderr, kUsage, argv[0]);
            return 2;
        }
    if (style_paths.empty()) {
        std::fprintf(stderr, kUsage, argv[0]);
        return 2;
    }
    try {
        const auto get = [&](const std::string& name) { return flags.at(name); };
        const int size = std::stoi(get("size")), steps = std::stoi(get("steps")), threads = std::stoi(get("threads"));
        const std::filesystem::path out = get("out");

        nst::Params params = nst::Params::defaults();
        nst::Pooling pooling = nst::Pooling::Max;
        std::uint64_t seed = 0;
        bool texture = false;  // no content term, a noise start (written to inputs.safetensors as "start")
        int tile = 0;  // tiled steps (the reference is untiled: the same loss, computed whole)
        for (auto& [name, value] : flags) {
            if (name == "content-weight") params.content_weight = std::stof(value);
            else if (name == "style-weight") params.style_weight = std::stof(value);
            else if (name == "tv-weight") params.tv_weight = std::stof(value);
            else if (name == "lr") params.lr = std::stof(value);
            else if (name == "style-blend") params.style_blend = nst::parse_blend(value);
            else if (name == "colors") params.colors = nst::parse_color_mode(value);
            else if (name == "style-scale") params.style_scale = std::stof(value);
            else if (name == "style-loss") params.style_loss = nst::parse_style_loss(value);
            else if (name == "pooling") pooling = parse_pooling(value);
            else if (name == "optimizer") params.optimizer = nst::parse_optimizer(value);
            else if (name == "lbfgs-history") params.lbfgs_history = std::stoi(value);
            else if (name == "average") params.average = std::stof(value);
            else if (name == "style-layers") params.style_layers = nst::parse_layer_spec(value, "--style-layers");
            else if (name == "content-layers") params.content_layers = nst::parse_layer_spec(value, "--content-layers");
            else if (name == "tile") tile = std::stoi(value);
            else if (name == "temporal-weight") params.temporal_weight = std::stof(value);
            else if (name == "content-loss") params.content_loss = nst::parse_content_loss(value);
            else if (name == "sw-directions") params.sw_directions = std::stoi(value);
            else if (name == "samples") params.samples = std::stoi(value);
            else if (name == "seed") seed = std::stoull(value);
            else if (name == "normalize-gradients") params.normalize_gradients = std::stof(value);
            else if (name == "layer-blend") params.layer_blend = nst::parse_layer_blend(value);
            else if (name == "seamless") params.seamless = value == "true";
            else if (name == "texture") texture = value == "true";
            else if (name != "weights" && name != "content" && name != "size" && name != "steps" &&
                     name != "threads" && name != "out" && name != "masks" && name != "regions" && name != "temporal") {
                std::fprintf(stderr, "nst_parity_dump: unknown flag --%s\n", name.c_str());
                std::fprintf(stderr, kUsage, argv[0]);
                return 2;
            }
        }

        const auto content = nst::resize_long_side(nst::load_image(get("content")), size);
        // The engine's rule (Params::style_scale): long side = round(style_scale x content long side).
        const int content_long = std::max(content.width, content.height);
        const int style_long =
            std::max(1, static_cast<int>(std::lround(params.style_scale * static_cast<double>(content_long))));
        std::vector<nst::Image> styles;
        std::vector<nst::safetensors::OutTensor> inputs{chw("content", content)};
        for (const auto& path : style_paths) {
            styles.push_back(nst::resize_long_side(nst::load_image(path), style_long));
            inputs.push_back(chw("style" + std::to_string(styles.size() - 1), styles.back()));
        }

        nst::EngineOptions options;
        options.features.weights_path = get("weights");
        options.device = "cpu";
        options.threads = threads;
        options.pooling = pooling;
        options.tile = tile;
        options.seed = seed;
        // Every draw of the run, kept for draws.safetensors (the reference reuses them).
        std::vector<nst::safetensors::OutTensor> draws;
        nst::set_draw_recorder([&draws](const std::string& key, const torch::Tensor& value) {
            const auto f = value.to(torch::kCPU, torch::kFloat32).contiguous();
            std::vector<std::int64_t> shape(f.sizes().begin(), f.sizes().end());
            draws.push_back(nst::safetensors::f32_tensor(
                key, shape, std::vector<float>(f.data_ptr<float>(), f.data_ptr<float>() + f.numel())));
        });
        nst::Engine engine(options, params);
        if (texture) {
            engine.set_texture(content.width, content.height, styles, nst::Init::Noise);
            inputs.push_back(chw("start", engine.image()));
        } else {
            engine.set_images(content, styles);
        }
        nst::safetensors::write(out / "inputs.safetensors", inputs);
        const nst::SpatialControl spatial =
            flags.contains("masks") ? read_spatial(get("masks"), flags["regions"]) : nst::SpatialControl{};
        engine.set_spatial(spatial);
        // Video: the frame starts from the reference's start image and has its temporal targets.
        std::size_t temporal_targets = 0;
        if (flags.contains("temporal")) {
            const Temporal t = read_temporal(get("temporal"));
            engine.set_content(content, t.start);
            engine.set_temporal(t.targets);
            temporal_targets = t.targets.size();
        }

        nlohmann::json run = {{"content_weight", params.content_weight},
                              {"style_weight", params.style_weight},
                              {"tv_weight", params.tv_weight},
                              {"lr", params.lr},
                              {"threads", threads},
                              {"size", size},
                              {"styles", styles.size()},
                              {"style_blend", params.style_blend},  // as given (empty = equal)
                              {"colors", nst::color_mode_name(params.colors)},
                              {"style_scale", params.style_scale},
                              {"style_loss", nst::style_loss_name(params.style_loss)},
                              {"content_loss", nst::content_loss_name(params.content_loss)},
                              {"sw_directions", params.sw_directions},
                              {"samples", params.samples},
                              {"seed", seed},
                              {"normalize_gradients", params.normalize_gradients},
                              {"layer_blend", nlohmann::json::object()},
                              {"seamless", params.seamless},
                              {"texture", texture},
                              {"pooling", pooling == nst::Pooling::Max ? "max" : "avg"},
                              {"optimizer", nst::optimizer_name(params.optimizer)},
                              {"lbfgs_history", params.lbfgs_history},
                              {"average", params.average},
                              {"regions", nlohmann::json::array()},
                              {"losses", nlohmann::json::array()}};
        for (const auto* layers : {&params.content_layers, &params.style_layers}) {
            auto& dst = run[layers == &params.content_layers ? "content_layers" : "style_layers"];
            for (const auto& lw : *layers) dst[lw.layer] = lw.weight;
        }
        for (const auto& b : params.layer_blend) run["layer_blend"][b.layer] = b.weights;
        for (const auto& r : spatial.regions)
            run["regions"].push_back({{"style", r.style}, {"weight", r.weight}});
        run["content_map"] = !spatial.content_map.empty();
        run["temporal_weight"] = params.temporal_weight;
        run["temporal_targets"] = temporal_targets;
        for (int s = 0; s < steps; ++s) {
            engine.step();
            const auto l = engine.last_losses();
            run["losses"].push_back(
                {{"content", l.content}, {"style", l.style}, {"tv", l.tv}, {"temporal", l.temporal}, {"total", l.total}});
        }
        std::ofstream(out / "run.json") << run.dump(1) << '\n';
        nst::safetensors::write(out / "draws.safetensors", draws);
        nst::safetensors::write(out / "final.safetensors", {chw("image", engine.image()), chw("result", engine.result())});
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "nst_parity_dump: %s\n", e.what());
        return 1;
    }
}
