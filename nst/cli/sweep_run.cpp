// nst --sweep (sweep_run.h). The order is the rest of nst's: every check that can fail on the
// user's input (the specs and each cell's values, the output directory, the caption font, the
// images and masks) before the weights are fetched or a step runs, so a bad sweep leaves no file.
#include "sweep_run.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "nst/contact_sheet.h"
#include "nst/nst.h"
#include "nst/sweep.h"
#include "levels.h"
#include "progress.h"
#include "run_inputs.h"

namespace nst::cli {
namespace {

namespace fs = std::filesystem;

std::string number(double v) {
    std::ostringstream s;
    s << v;
    return s.str();
}

nlohmann::json values_json(const SweepCell& cell) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [name, value] : cell.values) out[name] = value;
    return out;
}

// "content.png + style.jpg", "300 steps | 256x192 | untrained (random) features" and the axes.
std::vector<std::string> title_lines(const RunSettings& s, const std::vector<SweepAxis>& axes, const Image& content,
                                     bool random_features) {
    std::string inputs = fs::path(s.content).filename().string() + " + ";
    for (std::size_t k = 0; k < s.styles.size(); ++k)
        inputs += (k ? ", " : "") + fs::path(s.styles[k]).filename().string();
    std::string run = std::to_string(s.steps) + " steps | " + std::to_string(content.width) + "x" +
                      std::to_string(content.height) + " | " +
                      (random_features ? "untrained (random) features" : "VGG19 features");
    if (s.scales > 1) run += " | " + std::to_string(s.scales) + " levels";
    std::string grid = "columns: " + axes[0].param;
    if (axes.size() > 1) grid += " | rows: " + axes[1].param;
    return {inputs, run, grid};
}

}  // namespace

int run_sweep(const SweepRequest& request) {
    const RunSettings& s = request.run;
    // 1. The specs and every cell's values, through the parameters' own checks.
    validate(s, Use::Batch);
    std::vector<SweepAxis> axes;
    for (const std::string& spec : request.specs) axes.push_back(parse_sweep(spec));
    const std::vector<SweepCell> cells = sweep_cells(s, axes);
    for (const SweepCell& cell : cells) validate(cell.settings, Use::Batch);
    const SweepMode mode = parse_sweep_mode(request.mode);
    const int cols = static_cast<int>(axes[0].values.size());
    const int rows = axes.size() > 1 ? static_cast<int>(axes[1].values.size()) : 1;

    // 2. Where the results go (the cells beside the sheet, same directory and format), and the font.
    check_output_path(request.output);
    const fs::path sheet_path = request.output;
    std::vector<fs::path> cell_paths;
    for (const SweepCell& cell : cells) cell_paths.push_back(sweep_cell_path(sheet_path, cell));
    static_cast<void>(find_caption_font());

    EngineOptions options = engine_options(s);
    options.cuda_graph = request.cuda_graph;
    const std::string device = resolve_device(s.device);

    // 3. The inputs, as a single run reads them.
    const Image content_full = load_image(s.content, s.max_pixels);
    const std::vector<Image> styles = load_styles(s);
    const Image content = resize_long_side(content_full, s.size);
    const SpatialControl spatial = load_spatial(s.regions, s.content_map, content.width, content.height, s.max_pixels);
    const Image init_image = load_init_image(s);

    // 4. The weights, then one Params per cell (defaults that depend on the features applied per cell).
    options.features.weights_path = request.resolve_weights ? request.resolve_weights(s) : s.weights;
    std::vector<Params> variants;
    for (const SweepCell& cell : cells) variants.push_back(engine_params(cell.settings, options.features.random()));

    std::ofstream log;
    if (!s.log_json.empty()) {
        log.open(s.log_json, std::ios::trunc);
        if (!log) throw Error("--log-json " + s.log_json + ": cannot open for writing");
    }

    Sweep sweep(options, variants, mode);
    const bool random = sweep.random_features();
    if (random) std::fprintf(stderr, "warning: %s\n", kRandomFeaturesWarning);
    std::fprintf(stderr, "nst %s | device %s | %dx%d | %d steps | features: %s\n", version(), device.c_str(),
                 content.width, content.height, s.steps,
                 random ? "untrained (random) features" : options.features.weights_path.c_str());
    std::fprintf(stderr, "sweep: %zu cells (%d columns: %s%s), %s\n", cells.size(), cols, axes[0].param.c_str(),
                 axes.size() > 1 ? (" x " + std::to_string(rows) + " rows: " + axes[1].param).c_str() : "",
                 sweep.batched() ? "batched (one pass through the network)" : "sequential (one engine per cell)");
    if (log.is_open()) {
        nlohmann::json sweep_axes = nlohmann::json::array();
        for (const SweepAxis& a : axes) sweep_axes.push_back({{"param", a.param}, {"values", a.values}});
        nlohmann::json cell_list = nlohmann::json::array();
        for (std::size_t i = 0; i < cells.size(); ++i)
            cell_list.push_back({{"cell", i}, {"row", cells[i].row}, {"col", cells[i].col},
                                 {"values", values_json(cells[i])}, {"file", cell_paths[i].string()}});
        log << nlohmann::json{{"event", "start"},
                              {"features", random ? "untrained (random) features" : "vgg19"},
                              {"weights", options.features.weights_path},
                              {"device", device},
                              {"width", content.width},
                              {"height", content.height},
                              {"styles", s.styles},
                              {"sweep", sweep_axes},
                              {"cells", cell_list},
                              {"mode", sweep_mode_name(mode)},
                              {"batched", sweep.batched()}}
                   .dump()
            << '\n';
    }

    // Coarse-to-fine as a single run (levels.h): each level continues from its own result.
    const std::vector<Level> levels = coarse_to_fine_levels(s);
    const int total_steps = steps_in(levels);

    Progress progress(total_steps, stderr, std::to_string(cells.size()) + " cells, mean loss");
    int step = 0;
    for (std::size_t li = 0; li < levels.size(); ++li) {
        const bool last = li + 1 == levels.size();
        const Image c = last ? content : resize_long_side(content_full, levels[li].size);
        if (li == 0 && !init_image.empty())
            sweep.set_images(c, styles, init_image);
        else if (li == 0)
            sweep.set_images(c, styles, s.init);
        else
            sweep.retarget(c, styles);
        if (li == 0 && !spatial.empty()) sweep.set_spatial(spatial);
        for (int i = 0; i < levels[li].steps; ++i) {
            ++step;
            const auto t0 = std::chrono::steady_clock::now();
            sweep.step();
            Losses mean;
            for (int v = 0; v < sweep.size(); ++v) {
                const Losses losses = sweep.last_losses(v);
                if (!std::isfinite(losses.total))
                    throw Error("cell " + std::to_string(v + 1) + " (" + cells[v].caption() + "): the loss became " +
                                number(losses.total) + " at step " + std::to_string(step) + "; try a smaller --lr");
                mean.content += losses.content / sweep.size();
                mean.style += losses.style / sweep.size();
                mean.tv += losses.tv / sweep.size();
                mean.total += losses.total / sweep.size();
                if (log.is_open()) {
                    nlohmann::json line = {{"step", step},          {"cell", v},
                                           {"values", values_json(cells[v])},
                                           {"content", losses.content}, {"style", losses.style},
                                           {"tv", losses.tv},       {"total", losses.total}};
                    if (levels.size() > 1) line["size"] = levels[li].size;
                    log << line.dump() << '\n';
                }
            }
            if (log.is_open()) {
                const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
                log << nlohmann::json{{"step", step}, {"ms", ms}}.dump() << '\n';
            }
            progress.update(step, mean);
        }
    }
    progress.finish();

    // The cells first, then the sheet that names them.
    ContactSheet sheet;
    sheet.rows = rows;
    sheet.cols = cols;
    sheet.title = title_lines(s, axes, content, random);
    for (std::size_t i = 0; i < cells.size(); ++i) {
        sheet.cells.push_back(sweep.result(static_cast<int>(i)));
        save_image(sheet.cells.back(), cell_paths[i]);
        std::vector<std::string> caption;
        for (const auto& [name, value] : cells[i].values) caption.push_back(name + "=" + value);
        sheet.captions.push_back(std::move(caption));
    }
    ContactSheetLayout layout;
    const Image picture = render_contact_sheet(sheet, &layout);
    nlohmann::json meta = {{"nst", "contact-sheet"},
                           {"version", 1},
                           {"title", sheet.title},
                           {"rows", rows},
                           {"cols", cols},
                           {"features", random ? "untrained (random) features" : "vgg19"},
                           {"steps", s.steps}};
    nlohmann::json meta_axes = nlohmann::json::array();
    for (const SweepAxis& a : axes) meta_axes.push_back({{"param", a.param}, {"values", a.values}});
    meta["axes"] = meta_axes;
    for (std::size_t i = 0; i < cells.size(); ++i) {
        const Rect r = layout.cell(cells[i].row, cells[i].col);
        meta["cells"].push_back({{"row", cells[i].row},
                                 {"col", cells[i].col},
                                 {"x", r.x},
                                 {"y", r.y},
                                 {"width", r.width},
                                 {"height", r.height},
                                 {"values", values_json(cells[i])},
                                 {"file", cell_paths[i].filename().string()}});
    }
    save_with_comment(picture, sheet_path, meta.dump(-1, ' ', true));
    std::fprintf(stderr, "wrote the contact sheet %s (%d x %d cells)%s and the cells beside it:\n",
                 sheet_path.c_str(), cols, rows, random ? " (made with untrained (random) features, not VGG19)" : "");
    for (const fs::path& p : cell_paths) std::fprintf(stderr, "  %s\n", p.c_str());
    return 0;
}

}  // namespace nst::cli
