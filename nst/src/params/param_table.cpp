// The table of run parameters (param_table.h): one entry per shared flag of nst and nst-viewer.
// The entries are built by a few makers (text, integer, number, choice, flag) so that each kind
// is parsed, checked and written back in one place.
#include "nst/param_table.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <utility>

#include "nst/error.h"
#include "nst/tiling.h"
#include "nst/video/render.h"
#include "params/param_text.h"

namespace nst {
namespace {

[[noreturn]] void refuse(std::string_view name, std::string_view value, std::string_view why) {
    std::string message = "--";  // appends: GCC 12 warns falsely (-Wrestrict) on operator+ chains
    message.append(name).append(" ").append(value).append(": ").append(why);
    throw UsageError(message);
}

ParamSpec entry(std::string name, std::string help, ParamKind kind) {
    ParamSpec p;
    p.name = std::move(name);
    p.help = std::move(help);
    p.kind = kind;
    return p;
}

// `field` is a generic lambda returning a reference to the member, usable on const and non-const
// settings alike.
template <class F>
ParamSpec text(std::string name, std::string help, F field) {
    ParamSpec p = entry(std::move(name), std::move(help), ParamKind::Text);
    p.get = [field](const RunSettings& s) { return std::string(field(s)); };
    p.set = [field](RunSettings& s, std::string_view v) { field(s) = std::string(v); };
    return p;
}

template <class T>
std::string bounds(T lo, T hi) {
    if (hi != std::numeric_limits<T>::max()) return "between " + std::to_string(lo) + " and " + std::to_string(hi);
    return lo == 1 ? "> 0" : ">= " + std::to_string(lo);
}

template <class T, class F>
ParamSpec integer(std::string name, std::string help, F field, T lo, T hi) {
    ParamSpec p = entry(name, std::move(help), ParamKind::Int);
    p.get = [field](const RunSettings& s) { return std::to_string(field(s)); };
    p.set = [name, field, lo, hi](RunSettings& s, std::string_view v) {
        const std::optional<T> n = parse_number<T>(v);
        if (!n) refuse(name, v, "expected an integer " + bounds(lo, hi));
        if (*n < lo || *n > hi) refuse(name, v, "must be " + bounds(lo, hi));
        field(s) = *n;
    };
    return p;
}

// `ok` says whether a parsed value is valid; `rule` is what the message says when it is not.
template <class F, class Ok>
ParamSpec number(std::string name, std::string help, F field, std::string rule, Ok ok) {
    ParamSpec p = entry(name, std::move(help), ParamKind::Float);
    p.get = [field](const RunSettings& s) { return format_number(field(s)); };
    p.set = [name, field, rule, ok](RunSettings& s, std::string_view v) {
        const std::optional<float> x = parse_number<float>(v);
        if (!x || !ok(*x)) refuse(name, v, rule);
        field(s) = *x;
    };
    return p;
}

// A loss weight: finite and >= 0 (0 switches the term off).
template <class F>
ParamSpec weight(std::string name, std::string help, F field) {
    return number(std::move(name), std::move(help), field, "must be a finite number >= 0",
                  [](float x) { return std::isfinite(x) && x >= 0; });
}

// "a, b or c"
std::string alternatives(const std::vector<std::string>& names) {
    std::string out;
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (i) out += i + 1 == names.size() ? " or " : ", ";
        out += names[i];
    }
    return out;
}

template <class E, class F>
ParamSpec choice(std::string name, std::string help, F field, std::vector<std::pair<std::string, E>> values) {
    ParamSpec p = entry(name, std::move(help), ParamKind::Choice);
    for (const auto& v : values) p.choices.push_back(v.first);
    p.get = [field, values](const RunSettings& s) {
        for (const auto& [text, value] : values)
            if (value == field(s)) return text;
        return values.front().first;  // unreachable while `values` covers the enumeration
    };
    p.set = [name, field, values, expected = "expected " + alternatives(p.choices)](RunSettings& s, std::string_view v) {
        const auto it = std::find_if(values.begin(), values.end(), [&](const auto& e) { return e.first == v; });
        if (it == values.end()) refuse(name, v, expected);
        field(s) = it->second;
    };
    return p;
}

template <class F>
ParamSpec flag(std::string name, std::string help, F field) {
    ParamSpec p = entry(name, std::move(help), ParamKind::Flag);
    p.get = [field](const RunSettings& s) { return std::string(field(s) ? "true" : "false"); };
    p.set = [name, field](RunSettings& s, std::string_view v) {
        if (v != "true" && v != "false") refuse(name, v, "expected true or false");
        field(s) = v == "true";
    };
    return p;
}

// --style: comma-separated file names (no trimming: a name may start with a space).
ParamSpec styles() {
    ParamSpec p = entry("style",
                        "Style image(s): repeat the flag or give a comma list; nst: required, nst-viewer: "
                        "the bundled sample by default",
                        ParamKind::List);
    p.get = [](const RunSettings& s) { return join(s.styles, ","); };
    // "" is one empty name, as `--style ""` is; an empty list is no --style at all.
    p.set = [](RunSettings& s, std::string_view v) {
        std::vector<std::string> files;
        for (std::size_t start = 0; start <= v.size();) {
            const std::size_t comma = std::min(v.find(',', start), v.size());
            if (comma == start) throw UsageError("--style: an empty file name in the list");
            files.emplace_back(v.substr(start, comma - start));
            start = comma + 1;
        }
        s.styles = std::move(files);
    };
    p.live = true;  // the Styles panel adds and removes them
    return p;
}

// --region: repeatable, each value parsed as it is set (the style indices are checked against the
// style list in validate(), which sees both).
ParamSpec regions() {
    ParamSpec p = entry("region",
                        "MASK.png:STYLE[:WEIGHT], up to 16: the mask's white part (grey: a soft edge) takes style "
                        "STYLE of the --style list (from 0) or none, with weight WEIGHT (default 1); the rest the "
                        "blend of all styles",
                        ParamKind::List);
    p.get = [](const RunSettings& s) {
        std::vector<std::string> values;
        for (const RegionSpec& r : s.regions) values.push_back(format_region(r));
        return join(values, ",");
    };
    // "" is one empty value, as `--region ""` is (refused); an empty list is no --region at all.
    p.set = [](RunSettings& s, std::string_view v) {
        std::vector<RegionSpec> parsed;
        for (std::size_t start = 0; start <= v.size();) {
            const std::size_t comma = std::min(v.find(',', start), v.size());
            parsed.push_back(parse_region(v.substr(start, comma - start)));
            start = comma + 1;
        }
        s.regions = std::move(parsed);
    };
    return p;
}

ParamSpec blend() {
    ParamSpec p = entry("style-blend", "Blend weights, one per style (e.g. 3,1; normalised to sum 1); default: equal",
                        ParamKind::Text);
    p.get = [](const RunSettings& s) {
        std::vector<std::string> weights;
        for (const float w : s.params.style_blend) weights.push_back(format_number(w));
        return join(weights, ",");
    };
    // Empty: equal weights (as when the flag is not given). The count is checked in validate().
    p.set = [](RunSettings& s, std::string_view v) {
        s.params.style_blend = v.empty() ? std::vector<float>{} : parse_blend(v);
    };
    p.live = true;
    return p;
}

template <class F>
ParamSpec layers(std::string name, std::string help, F field) {
    ParamSpec p = entry(name, std::move(help), ParamKind::Text);
    p.get = [field](const RunSettings& s) { return format_layer_spec(field(s)); };
    p.set = [flag = "--" + name, field](RunSettings& s, std::string_view v) { field(s) = parse_layer_spec(v, flag); };
    return p;
}

ParamSpec features() {
    ParamSpec p = text("features", "random[:SEED]: untrained random features (no weights needed)",
                       [](auto& s) -> auto& { return s.features; });
    p.set = [](RunSettings& s, std::string_view v) {
        if (!v.empty()) static_cast<void>(parse_random_features(std::string(v)));  // checks; kept as text
        s.features = std::string(v);
    };
    return p;
}

ParamSpec content_weight() {
    ParamSpec p = weight("content-weight", "Content loss weight (alpha); default 1 (16 with --content-loss self-similarity)",
                         [](auto& s) -> auto& { return s.params.content_weight; });
    p.set = [plain = p.set](RunSettings& s, std::string_view v) {
        plain(s, v);
        s.content_weight_given = true;
    };
    p.given = [](const RunSettings& s) { return s.content_weight_given; };
    return p;
}

ParamSpec style_weight() {
    ParamSpec p = weight("style-weight",
                         "Style loss weight (beta); default 1e6 (1e8 with random features; 500 with --style-loss w2, "
                         "1e3 (VGG19: 100) with sw, 100 with remd and nn)",
                         [](auto& s) -> auto& { return s.params.style_weight; });
    p.set = [plain = p.set](RunSettings& s, std::string_view v) {
        plain(s, v);
        s.style_weight_given = true;
    };
    p.given = [](const RunSettings& s) { return s.style_weight_given; };
    return p;
}

// Adam's 0.02 or L-BFGS's 1 unless given (default_lr), as the style weight.
ParamSpec learning_rate() {
    ParamSpec p = number("lr", "Learning rate: Adam's step in image units (default 0.02), or L-BFGS's step length "
                               "(default 1)",
                         [](auto& s) -> auto& { return s.params.lr; }, "must be a finite number > 0",
                         [](float x) { return std::isfinite(x) && x > 0; });
    p.set = [plain = p.set](RunSettings& s, std::string_view v) {
        plain(s, v);
        s.lr_given = true;
    };
    p.given = [](const RunSettings& s) { return s.lr_given; };
    return p;
}

// --max-memory: a size as parse_memory reads it ("4G", "512M", "1.5GiB", bytes), or "auto" (0, the
// default: 3/4 of the memory available when the run starts). Written back in the largest unit
// that keeps it exact ("1.5G" -> "1536M"), so that set(get(x)) == x and commands stay readable.
ParamSpec max_memory() {
    ParamSpec p = entry("max-memory",
                        "Memory one step may use, e.g. 4G or 512M; above it steps run tiled (default auto: 3/4 of "
                        "the memory available now, RAM or the GPU's)",
                        ParamKind::Text);
    p.get = [](const RunSettings& s) {
        if (s.max_memory == 0) return std::string("auto");
        static constexpr const char* kUnits[] = {"", "K", "M", "G", "T"};
        std::uint64_t value = s.max_memory;
        int unit = 0;
        while (unit < 4 && value % 1024 == 0) {
            value /= 1024;
            ++unit;
        }
        return std::to_string(value) + kUnits[unit];
    };
    p.set = [](RunSettings& s, std::string_view v) { s.max_memory = v == "auto" ? 0 : parse_memory(v, "--max-memory"); };
    return p;
}

// --frames A:B: checked against the clip only when it is opened (video::parse_frame_range, which
// names the clip's frame count); here its syntax, so a bad range in a session or a command is
// refused when it is read. Kept as given.
ParamSpec frame_range() {
    ParamSpec p = text("frames", "--video: the frames to stylize, A:B (1-based, inclusive; A: or :B open)",
                       [](auto& s) -> auto& { return s.frames; });
    p.set = [](RunSettings& s, std::string_view v) {
        if (!v.empty()) {
            try {
                static_cast<void>(video::parse_frame_range(std::string(v), std::numeric_limits<int>::max()));
            } catch (const UsageError&) {
                refuse("frames", v, "expected frame numbers (A:B, A:, :B or N, numbered from 1, A <= B)");
            }
        }
        s.frames = std::string(v);
    };
    return p;
}

// --frame-lr: a computed default (video::frame_learning_rate: for Adam a quarter of the still's
// lr), held as 0 and written "auto"; like --lr it is written by to_args/to_json only when given.
ParamSpec frame_lr() {
    ParamSpec p = number("frame-lr",
                         "--video: learning rate of each frame after the first [Adam: a quarter of --lr; L-BFGS: --lr]",
                         [](auto& s) -> auto& { return s.frame_lr; }, "must be a finite number > 0",
                         [](float x) { return std::isfinite(x) && x > 0; });
    p.get = [](const RunSettings& s) { return s.frame_lr > 0 ? format_number(s.frame_lr) : std::string("auto"); };
    p.set = [plain = p.set](RunSettings& s, std::string_view v) {
        if (v == "auto") s.frame_lr = 0;
        else plain(s, v);
    };
    p.given = [](const RunSettings& s) { return s.frame_lr > 0; };
    p.label = "frame lr";  // no slider range: its default is computed
    return p;
}

// --temporal-frames 1,2,4: checked by video::parse_temporal_frames (its message names the bad
// part), kept as given.
ParamSpec temporal_frames() {
    ParamSpec p = text("temporal-frames",
                       "--video: the earlier frames each frame is held to, as offsets (1 = the previous; long-term "
                       "consistency)",
                       [](auto& s) -> auto& { return s.temporal_frames; });
    p.set = [](RunSettings& s, std::string_view v) {
        static_cast<void>(video::parse_temporal_frames(std::string(v)));
        s.temporal_frames = std::string(v);
    };
    return p;
}

// --max-frames: its message says ">= 1", as nst's own flag did.
ParamSpec max_frames() {
    ParamSpec p = integer("max-frames", "--video: refuse clips with more frames than this",
                          [](auto& s) -> auto& { return s.max_frames; }, 1, std::numeric_limits<int>::max());
    p.set = [](RunSettings& s, std::string_view v) {
        const std::optional<int> n = parse_number<int>(v);
        if (!n) refuse("max-frames", v, "expected an integer >= 1");
        if (*n < 1) refuse("max-frames", v, "must be >= 1");
        s.max_frames = *n;
    };
    return p;
}

// --size N (the long side) or WxH (exactly: a texture's size, or the content resized to it).
ParamSpec size() {
    constexpr int kMin = 16, kMax = 8192;
    ParamSpec p = integer("size", "Long side of the optimised image in pixels, or WxH for exactly that size (a texture's; "
                                  "the content is resized to it)",
                          [](auto& s) -> auto& { return s.size; }, kMin, kMax);
    p.get = [](const RunSettings& s) {
        if (const auto wh = exact_size(s)) return std::to_string(wh->first) + "x" + std::to_string(wh->second);
        return std::to_string(s.size);
    };
    p.set = [plain = p.set](RunSettings& s, std::string_view v) {
        const auto x = v.find('x');
        if (x == std::string_view::npos) {
            plain(s, v);
            s.width = s.height = 0;
            return;
        }
        const auto w = parse_number<int>(v.substr(0, x)), h = parse_number<int>(v.substr(x + 1));
        if (!w || !h) refuse("size", v, "expected a long side N or WxH, e.g. 512 or 512x384");
        if (*w < kMin || *h < kMin || *w > kMax || *h > kMax)
            refuse("size", v, "each side must be between " + std::to_string(kMin) + " and " + std::to_string(kMax));
        s.width = *w;
        s.height = *h;
        s.size = std::max(*w, *h);
    };
    p.value_name = "N|WxH";
    return p;
}

// --layer-blend relu1_1=0/1,...: parsed as set (parse_layer_blend); the count against the styles in
// validate().
ParamSpec layer_blend() {
    ParamSpec p = entry("layer-blend",
                        "Per-layer blends of the styles, LAYER=W1/W2/...: e.g. relu4_1=1/0,relu5_1=1/0,relu1_1=0/1 "
                        "takes the layout of strokes from the first painting and the fine texture from the second; "
                        "other layers use --style-blend",
                        ParamKind::Text);
    p.get = [](const RunSettings& s) { return format_layer_blend(s.params.layer_blend); };
    p.set = [](RunSettings& s, std::string_view v) { s.params.layer_blend = parse_layer_blend(v); };
    p.live = true;
    return p;
}

// UI-only fields after the fact: the makers stay about parsing.
ParamSpec with_ui(ParamSpec p, std::string label, UiRange range) {
    p.label = std::move(label);
    p.ui = range;
    return p;
}

ParamSpec live(ParamSpec p) {
    p.live = true;
    return p;
}

std::vector<ParamSpec> build() {
    constexpr int kMaxSteps = 1'000'000;
    const auto style_scale = [](float x) { return std::isfinite(x) && x >= kMinStyleScale && x <= kMaxStyleScale; };
    std::vector<ParamSpec> t;
    t.push_back(text("content", "Content image (JPEG, PNG, BMP, TGA, GIF); nst: without it, a texture from the styles "
                                "alone (--texture); nst-viewer: the bundled sample by default",
                     [](auto& s) -> auto& { return s.content; }));
    t.push_back(styles());
    t.push_back(blend());
    t.push_back(live(choice("preserve-colors",
                            "Colour control: off, post (the content's chrominance on the result), luminance "
                            "(luminance-only transfer) or histogram (style colours matched to the content's)",
                            [](auto& s) -> auto& { return s.params.colors; },
                            std::vector<std::pair<std::string, ColorMode>>{{"off", ColorMode::Off},
                                                                           {"post", ColorMode::Post},
                                                                           {"luminance", ColorMode::Luminance},
                                                                           {"histogram", ColorMode::Histogram}})));
    t.push_back(layer_blend());
    t.push_back(live(flag("colors-only",
                          "Only recolour the content with the styles' palette (its colour mean and covariance mapped "
                          "to theirs): no optimisation, written at once",
                          [](auto& s) -> auto& { return s.params.colors_only; })));
    t.push_back(live(with_ui(number("normalize-gradients",
                                    "Gradient normalisation strength 0-1 (neural-style's -normalize_gradients): each "
                                    "layer's content and style gradient rescaled towards an L1 norm in proportion to "
                                    "its weight, so that no layer drowns the others",
                                    [](auto& s) -> auto& { return s.params.normalize_gradients; },
                                    "must be between 0 (off) and 1", [](float x) { return x >= 0 && x <= 1; }),
                             "normalize gradients", {0, 1, false, true})));
    t.push_back(live(flag("seamless",
                          "A result that tiles without seams: circular padding in VGG19 and a wrap-around TV term "
                          "(sides rounded to a multiple of 16)",
                          [](auto& s) -> auto& { return s.params.seamless; })));
    t.push_back(flag("texture",
                     "No content: a texture of --size (WxH, or a square) from the styles alone, from --init noise "
                     "or gray (nst: also without --content)",
                     [](auto& s) -> auto& { return s.texture; }));
    t.push_back(live(with_ui(number("style-scale",
                                    "Style images are resized to this x --size on their long side before their "
                                    "targets (0.1-4)",
                                    [](auto& s) -> auto& { return s.params.style_scale; },
                                    "must be between " + format_number(kMinStyleScale) + " and " +
                                        format_number(kMaxStyleScale),
                                    style_scale),
                             "style scale", {kMinStyleScale, kMaxStyleScale, true, true})));
    t.push_back(live(choice("style-loss",
                            "Style loss: gram (Gatys et al.), w2 (Wasserstein-2 of Gaussians), sw (sliced "
                            "Wasserstein), remd (STROTSS's relaxed EMD) or nn (neural neighbours)",
                            [](auto& s) -> auto& { return s.params.style_loss; },
                            std::vector<std::pair<std::string, StyleLoss>>{{"gram", StyleLoss::Gram},
                                                                           {"w2", StyleLoss::W2},
                                                                           {"sw", StyleLoss::SW},
                                                                           {"remd", StyleLoss::REMD},
                                                                           {"nn", StyleLoss::NN}})));
    t.push_back(live(choice("content-loss",
                            "Content loss: mse (Gatys et al.) or self-similarity (STROTSS: keeps the layout, lets "
                            "strokes replace edges)",
                            [](auto& s) -> auto& { return s.params.content_loss; },
                            std::vector<std::pair<std::string, ContentLoss>>{
                                {"mse", ContentLoss::MSE}, {"self-similarity", ContentLoss::SelfSimilarity}})));
    t.push_back(live(with_ui(integer("sw-directions", "--style-loss sw: random projections per layer and step",
                                     [](auto& s) -> auto& { return s.params.sw_directions; }, 1, kMaxSwDirections),
                             "sw directions", {1, 256, true, true})));
    t.push_back(live(with_ui(integer("samples",
                                     "Positions sampled per step by --style-loss remd and --content-loss "
                                     "self-similarity; style candidates per layer for nn",
                                     [](auto& s) -> auto& { return s.params.samples; }, 2, kMaxSamples),
                             "samples", {64, 4096, true, true})));
    t.push_back(with_ui(size(), "size", {32, 2048, true, false}));
    t.push_back(integer("steps", "Steps at the full size (nst-viewer: pauses there; 0 = never, its default)",
                        [](auto& s) -> auto& { return s.steps; }, 0, kMaxSteps));
    t.push_back(with_ui(integer("scales", "Coarse-to-fine levels: 1 = plain; N runs --coarse-steps at size/2^k first",
                                [](auto& s) -> auto& { return s.scales; }, 1, 6),
                        "coarse-to-fine levels", {1, 4, false, true}));
    t.push_back(with_ui(integer("coarse-steps", "Steps at each coarser level when --scales > 1",
                                [](auto& s) -> auto& { return s.coarse_steps; }, 1, kMaxSteps),
                        "steps per coarse level", {1, 1000, true, true}));
    // A clip instead of a still (nst --video); not live. --help shows their defaults (--frame-lr's
    // "auto" is frame_learning_rate's), so the texts no longer end in "[100]" as nst's own did.
    t.push_back(text("video",
                     "Stylize a clip: a video file (mp4/mov, mkv/webm, avi), a frame pattern (frames/%04d.png) or a "
                     "folder of images; --output is then a video (.mp4, .webm, .mkv, with the input's audio) or a "
                     "pattern (out_%04d.png)",
                     [](auto& s) -> auto& { return s.video; }));
    t.push_back(frame_range());
    t.push_back(with_ui(integer("frame-steps",
                                "--video: steps of each frame after the first (they start from the previous result, "
                                "warped)",
                                [](auto& s) -> auto& { return s.frame_steps; }, 1, kMaxSteps),
                        "steps per frame", {1, 500, true, false}));
    t.push_back(frame_lr());
    t.push_back(temporal_frames());
    t.push_back(with_ui(weight("temporal-weight",
                               "--video: weight of the temporal loss (0: each frame on its own)",
                               [](auto& s) -> auto& { return s.params.temporal_weight; }),
                        "temporal weight", {1.0f, 1e6f, true, false}));
    t.push_back(max_frames());
    // Names as precision_name() writes them (a test checks each choice against its name function).
    t.push_back(live(choice("precision", "fp32, bf16 (CPU with AVX-512 BF16, or CUDA) or tf32 (CUDA)",
                            [](auto& s) -> auto& { return s.precision; },
                            std::vector<std::pair<std::string, Precision>>{{"fp32", Precision::FP32},
                                                                           {"bf16", Precision::BF16},
                                                                           {"tf32", Precision::TF32}})));
    t.push_back(live(choice("optimizer",
                            "adam, or lbfgs (one loss-and-gradient evaluation per step, as Adam's; kept in [0,1] "
                            "by a bounded parametrisation)",
                            [](auto& s) -> auto& { return s.params.optimizer; },
                            std::vector<std::pair<std::string, Optimizer>>{{"adam", Optimizer::Adam},
                                                                           {"lbfgs", Optimizer::LBFGS}})));
    t.push_back(live(with_ui(learning_rate(), "learning rate", {1e-4f, 10.0f, true, false})));
    t.push_back(live(with_ui(integer("lbfgs-history", "L-BFGS: curvature pairs kept (neural-style's -lbfgs_num_correction)",
                                     [](auto& s) -> auto& { return s.params.lbfgs_history; }, 1, 10000),
                             "L-BFGS history", {1, 300, true, true})));
    t.push_back(live(with_ui(number("average",
                                    "Show and save a moving average of the iterates with this decay (0 = off, e.g. "
                                    "0.99): removes Adam's pixel noise",
                                    [](auto& s) -> auto& { return s.params.average; },
                                    "the decay must be in [0, 1) (0 = off, e.g. 0.99)",
                                    [](float x) { return x >= 0 && x < 1; }),
                             "average decay", {0.5f, 0.999f, false, false})));
    t.push_back(live(with_ui(content_weight(),
                             "content weight", {1e-3f, 1e3f, true, false})));
    t.push_back(live(with_ui(style_weight(), "style weight", {1.0f, 1e10f, true, false})));
    t.push_back(live(with_ui(weight("tv-weight", "Total-variation loss weight (gamma)",
                                    [](auto& s) -> auto& { return s.params.tv_weight; }),
                             "TV weight", {1e-4f, 1e4f, true, false})));
    t.push_back(layers("content-layers", "Content layers as name:weight,...",
                       [](auto& s) -> auto& { return s.params.content_layers; }));
    t.push_back(live(layers("style-layers", "Style layers as name:weight,...",
                            [](auto& s) -> auto& { return s.params.style_layers; })));
    t.push_back(regions());
    t.push_back(text("content-map",
                     "Content-strength map (greyscale image, resized to the content): black 0 = pure style there, "
                     "grey 128 = 1 (unchanged), white 255 = 4x (keep it photographic), linear in between",
                     [](auto& s) -> auto& { return s.content_map; }));
    t.push_back(choice("init", "Initial image: content, noise or gray (0.5 and a little noise)",
                       [](auto& s) -> auto& { return s.init; },
                       std::vector<std::pair<std::string, Init>>{
                           {"content", Init::Content}, {"noise", Init::Noise}, {"gray", Init::Gray}}));
    t.push_back(text("init-image",
                     "Start from this image instead (resized to the content's size), e.g. a saved result to carry "
                     "on from it",
                     [](auto& s) -> auto& { return s.init_image; }));
    t.push_back(choice("pooling", "VGG19 pooling: max or avg", [](auto& s) -> auto& { return s.pooling; },
                       std::vector<std::pair<std::string, Pooling>>{{"max", Pooling::Max}, {"avg", Pooling::Avg}}));
    t.push_back(text("weights",
                     "VGG19 weights (.safetensors, torchvision key names); default: the cache, else a download",
                     [](auto& s) -> auto& { return s.weights; }));
    // Checked when a download starts (a URL that is never used is not an error).
    t.push_back(text("weights-url", "Where to download the VGG19 weights from (https; env NST_WEIGHTS_URL)",
                     [](auto& s) -> auto& { return s.weights_url; }));
    t.push_back(flag("offline", "Never download: without --weights or a cached file, use untrained features",
                     [](auto& s) -> auto& { return s.offline; }));
    t.push_back(features());
    // Checked by resolve_device() (it needs LibTorch to know the GPUs) when the program starts.
    t.push_back(text("device", "auto, cpu, cuda or cuda:N", [](auto& s) -> auto& { return s.device; }));
    t.push_back(integer("seed", "Seed for --init noise", [](auto& s) -> auto& { return s.seed; }, std::uint64_t{0},
                        std::numeric_limits<std::uint64_t>::max()));
    t.push_back(integer("threads", "CPU threads (0: LibTorch's default in nst, all cores but one in nst-viewer)",
                        [](auto& s) -> auto& { return s.threads; }, 0, 1024));
    t.push_back(integer("tile",
                        "Tiled steps: interiors of N px with a halo (0: only when memory needs it); rounded to the "
                        "network's pooling grid",
                        [](auto& s) -> auto& { return s.tile; }, 0, std::numeric_limits<int>::max()));
    t.push_back(max_memory());
    t.push_back(text("log-json", "Write one JSON object per step to this file",
                     [](auto& s) -> auto& { return s.log_json; }));
    t.push_back(integer("max-pixels", "Refuse input images with more pixels than this",
                        [](auto& s) -> auto& { return s.max_pixels; }, std::int64_t{1},
                        std::numeric_limits<std::int64_t>::max()));
    return t;
}

}  // namespace

std::string ParamSpec::probe_name() const {
    std::string out = name;
    std::replace(out.begin(), out.end(), '-', '_');
    return out;
}

const std::vector<ParamSpec>& param_table() {
    static const std::vector<ParamSpec> table = build();
    return table;
}

const ParamSpec& param(std::string_view name) {
    const auto& t = param_table();
    const auto it = std::find_if(t.begin(), t.end(), [&](const ParamSpec& p) { return p.name == name; });
    if (it == t.end()) throw std::out_of_range("no parameter named " + std::string(name));
    return *it;
}

}  // namespace nst
