#include "windows/sweep_panel.h"

#include <imgui.h>
#include <imgui_stdlib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <utility>

#include <nlohmann/json.hpp>

#include "app/options.h"
#include "control/controller.h"
#include "control/run_settings.h"
#include "gl/screenshots.h"
#include "nst/contact_sheet.h"
#include "probe/ui_probe.h"

namespace nstv {
namespace {

nst::Image to_image(const Rgba8& in) {
    nst::Image out;
    out.width = in.width;
    out.height = in.height;
    const std::size_t n = static_cast<std::size_t>(in.width) * in.height;
    out.rgb.resize(n * 3);
    for (std::size_t i = 0; i < n; ++i)
        for (int c = 0; c < 3; ++c) out.rgb[i * 3 + c] = in.pixels[i * 4 + c] / 255.0f;
    return out;
}

std::string loss_text(const StepLosses& l, long step) {
    if (step <= 0) return "loss -";
    char buf[48];
    std::snprintf(buf, sizeof buf, "loss %.4g", l.total);
    return buf;
}

// The cells' indices in row-major order of where they sit (the sheet's order).
std::vector<std::size_t> row_major(const SweepFrame& g) {
    std::vector<std::size_t> order(g.cells.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&g](std::size_t a, std::size_t b) {
        return std::pair(g.cells[a].row, g.cells[a].col) < std::pair(g.cells[b].row, g.cells[b].col);
    });
    return order;
}

std::string file_names(const std::vector<std::string>& paths) {
    std::string out;
    for (const auto& p : paths) out += (out.empty() ? "" : ", ") + std::filesystem::path(p).filename().string();
    return out;
}

// What a sheet of this grid is: its title lines, its captions, and a JSON comment (the grid,
// each cell's values and losses) so the file says what it holds.
struct SheetJob {
    nst::ContactSheet sheet;
    std::filesystem::path path;
    nlohmann::json comment;
};

Notice write_sheet(SheetJob job) {
    try {
        nst::check_output_path(job.path);
        if (job.path.extension() != ".png" && job.path.extension() != ".PNG")
            throw nst::UsageError("sweep sheet " + job.path.string() + ": must be a .png file");
        nst::ContactSheetLayout layout;
        const nst::Image img = nst::render_contact_sheet(job.sheet, &layout);
        job.comment["layout"] = {{"rows", layout.rows},         {"cols", layout.cols},
                                 {"cell_width", layout.cell_width}, {"cell_height", layout.cell_height},
                                 {"slot_width", layout.slot_width}, {"margin", layout.margin},
                                 {"title_height", layout.title_height}, {"caption_height", layout.caption_height},
                                 {"width", layout.width},       {"height", layout.height}};
        nst::save_with_comment(img, job.path, job.comment.dump(-1, ' ', true));
        return Notice{Notice::Level::Info,
                      "sweep sheet saved to " + std::filesystem::absolute(job.path).string() + " (" +
                          std::to_string(layout.width) + "x" + std::to_string(layout.height) + ")",
                      {}};
    } catch (const std::exception& e) {
        return Notice{Notice::Level::Error, std::string("could not export the sweep sheet: ") + e.what(), {}};
    }
}

}  // namespace

SweepPanel::~SweepPanel() {
    if (export_.valid()) export_.wait();
}

void SweepPanel::say(Notice::Level level, std::string text) {
    status_ = text;
    status_error_ = level == Notice::Level::Error;
    notices_.push_back(Notice{level, std::move(text), {}});
}

void SweepPanel::receive(Controller& c) {
    const RunnerStatus& st = c.status();
    // Every command handled and no sweep stepping: the start failed (the runner's notice says why).
    if (running_ && st.sweep_commands_handled >= commands_sent_ && !st.sweeping) {
        running_ = false;
        status_ = "the sweep stopped; the run carries on";
        status_error_ = true;
    }
    const SweepFrame* f = c.poll_sweep_frame();
    if (!f || f->sweep != id_ || f->cells.empty()) return;
    grid_ = *f;
    // One texture for the grid: cells side by side in a row (they all have the run's size).
    cell_w_ = grid_.cells.front().image.width;
    cell_h_ = grid_.cells.front().image.height;
    Rgba8 atlas;
    atlas.width = cell_w_ * static_cast<int>(grid_.cells.size());
    atlas.height = cell_h_;
    atlas.pixels.assign(static_cast<std::size_t>(atlas.width) * atlas.height * 4, 0);
    for (std::size_t i = 0; i < grid_.cells.size(); ++i) {
        const Rgba8& img = grid_.cells[i].image;
        if (img.width != cell_w_ || img.height != cell_h_) continue;
        for (int y = 0; y < cell_h_; ++y)
            std::copy_n(img.pixels.begin() + static_cast<std::ptrdiff_t>(y) * cell_w_ * 4, cell_w_ * 4,
                        atlas.pixels.begin() + (static_cast<std::ptrdiff_t>(y) * atlas.width + i * cell_w_) * 4);
    }
    atlas_.upload(atlas);
}

void SweepPanel::draw(Controller& c, const ViewerOptions& o, float scale, UiProbe& probe) {
    receive(c);
    if (export_.valid() && export_.wait_for(std::chrono::seconds(0)) == std::future_status::ready) {
        Notice n = export_.get();
        say(n.level, std::move(n.text));
    }
    if (!open_) {
        if (running_) stop(c);  // closed: the main run is not left frozen behind a hidden grid
        return;
    }
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    ImGui::SetNextWindowPos(ImVec2(vp->Pos.x + 40 * scale, vp->Pos.y + 60 * scale), ImGuiCond_FirstUseEver);
    ImGui::SetNextWindowSize(ImVec2(560 * scale, 600 * scale), ImGuiCond_FirstUseEver);
    ImGui::SetNextWindowBgAlpha(0.97f);
    if (ImGui::Begin("Sweep  (G to close)##sweep", &open_, ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings)) {
        draw_setup(c, o, probe);
        ImGui::Separator();
        draw_grid(c, scale, probe);
        ImGui::Separator();
        draw_export(c, probe);
    }
    ImGui::End();
}

void SweepPanel::draw_setup(Controller& c, const ViewerOptions& o, UiProbe& probe) {
    ImGui::TextWrapped("One or two parameters and their values, as nst --sweep takes them: NAME=V1,V2,... or "
                       "NAME=log:LO:HI:COUNT. At most %d cells.",
                       nst::kMaxSweepCells);
    std::string names;
    for (const auto& n : nst::sweepable_params()) names += (names.empty() ? "" : "  ") + n;
    ImGui::TextDisabled("%s", names.c_str());
    ImGui::SetNextItemWidth(-90);
    ImGui::InputTextWithHint("across##sweep_axis1", "style-weight=1e6,1e7,1e8", &axes_[0]);
    probe.item("sweep_axis1");
    if (ImGui::IsItemActive()) probe.item("sweep_axis1_active");  // tests type only into a focused field
    ImGui::SetNextItemWidth(-90);
    ImGui::InputTextWithHint("down##sweep_axis2", "(optional) tv-weight=0,10", &axes_[1]);
    probe.item("sweep_axis2");
    if (ImGui::IsItemActive()) probe.item("sweep_axis2_active");
    ImGui::TextUnformatted("start from:");
    ImGui::SameLine();
    if (ImGui::RadioButton("current result##sweep_from_current", from_current_)) from_current_ = true;
    probe.item("sweep_from_current");
    ImGui::SameLine();
    if (ImGui::RadioButton("content##sweep_from_content", !from_current_)) from_current_ = false;
    probe.item("sweep_from_content");
    if (ImGui::Button(running_ ? "Restart##sweep_start" : "Start##sweep_start")) start(c, o);
    probe.item("sweep_start");
    ImGui::SameLine();
    ImGui::BeginDisabled(!running_);
    if (ImGui::Button("Stop##sweep_stop")) {
        stop(c);
        say(Notice::Level::Info, "sweep stopped: the run carries on as it was");
    }
    probe.item("sweep_stop");
    ImGui::EndDisabled();
    ImGui::SameLine();
    if (running_ && grid_.sweep == id_)
        ImGui::Text("step %ld, %.0f ms/step, %s", grid_.step, grid_.ms_per_step,
                    grid_.batched ? "one batch" : "one after the other");
    else if (running_)
        ImGui::TextDisabled("building the sweep...");
    else
        ImGui::TextDisabled("the main run pauses while a sweep runs");
    if (!status_.empty()) {
        if (status_error_) ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1.0f, 0.45f, 0.4f, 1.0f));
        ImGui::TextWrapped("%s", status_.c_str());
        if (status_error_) ImGui::PopStyleColor();
    }
}

void SweepPanel::draw_grid(Controller& c, float scale, UiProbe& probe) {
    if (grid_.sweep != id_ || grid_.cells.empty() || atlas_.empty() || cell_w_ <= 0) {
        ImGui::TextDisabled("the grid appears here once a sweep runs");
        return;
    }
    if (grid_.random_features)
        ImGui::TextColored(ImVec4(0.95f, 0.65f, 0.3f, 1), "untrained (random) features: NOT a real VGG19 result");
    ImGui::Checkbox("and its image##sweep_adopt_image", &adopt_image_);
    probe.item("sweep_adopt_image");
    ImGui::SameLine();
    ImGui::TextDisabled("click a cell: the main run takes its parameters");
    const ImGuiStyle& st = ImGui::GetStyle();
    const float export_h = ImGui::GetFrameHeightWithSpacing() * 2 + st.ItemSpacing.y * 2;
    ImGui::BeginChild("##sweep_grid", ImVec2(0, -export_h), false, ImGuiWindowFlags_HorizontalScrollbar);
    const int cols = std::max(1, grid_.cols);
    const int rows_n = std::max(1, grid_.rows);
    // The whole grid in view where it can be (cells no smaller than 48 px; the child scrolls then):
    // as wide as the columns allow and as tall as the rows with their two caption lines allow.
    const ImVec2 avail = ImGui::GetContentRegionAvail();
    const float aspect = static_cast<float>(cell_h_) / std::max(1, cell_w_);
    // One line per axis and one for the loss (as on the sheet).
    const int lines = 1 + (cells_.empty() ? 1 : static_cast<int>(cells_.front().values.size()));
    const float caption_h = lines * ImGui::GetTextLineHeightWithSpacing() + st.ItemSpacing.y;
    const float fit_w = (avail.x - st.ItemSpacing.x * (cols - 1)) / cols;
    const float fit_h = ((avail.y - st.ItemSpacing.y * (rows_n - 1)) / rows_n - caption_h) / aspect;
    const float w = std::clamp(std::min(fit_w, fit_h), 48.0f * scale, 320.0f * scale);
    const float h = w * aspect;
    const float n = static_cast<float>(grid_.cells.size());
    std::size_t clicked = grid_.cells.size();
    const int rows = std::max(1, grid_.rows);
    // Cells by where they sit (axis 1 across, axis 2 down), whatever order they came in.
    std::vector<std::size_t> at(static_cast<std::size_t>(rows) * cols, grid_.cells.size());
    for (std::size_t i = 0; i < grid_.cells.size(); ++i) {
        const SweepCellFrame& f = grid_.cells[i];
        if (f.row >= 0 && f.row < rows && f.col >= 0 && f.col < cols) at[static_cast<std::size_t>(f.row) * cols + f.col] = i;
    }
    for (int row = 0; row < rows; ++row) {
        for (int col = 0; col < cols; ++col) {
            const std::size_t i = at[static_cast<std::size_t>(row) * cols + col];
            if (i >= grid_.cells.size()) continue;
            const SweepCellFrame& cell = grid_.cells[i];
            if (col > 0) ImGui::SameLine();
            ImGui::BeginGroup();
            ImGui::PushID(static_cast<int>(i));
            if (ImGui::InvisibleButton("##sweep_cell", ImVec2(w, h))) clicked = i;
            const std::string name = "sweep_cell_" + std::to_string(row) + "_" + std::to_string(col);
            probe.item(name.c_str());
            const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
            ImDrawList* dl = ImGui::GetWindowDrawList();
            dl->AddImage(atlas_.imgui_id(), a, b, ImVec2(i / n, 0), ImVec2((i + 1) / n, 1));
            if (ImGui::IsItemHovered()) {
                dl->AddRect(a, b, IM_COL32(240, 170, 80, 255), 0, 0, 2.0f * scale);
                ImGui::SetTooltip("%s\ncontent %.4g  style %.4g  tv %.4g\nclick: adopt its parameters%s",
                                  cell.caption.c_str(), cell.losses.content, cell.losses.style, cell.losses.tv,
                                  adopt_image_ ? " and its image" : "");
            }
            if (i < cells_.size())
                for (const auto& [param, value] : cells_[i].values) ImGui::Text("%s=%s", param.c_str(), value.c_str());
            ImGui::TextDisabled("%s", loss_text(cell.losses, grid_.step).c_str());
            ImGui::PopID();
            ImGui::EndGroup();
        }
    }
    ImGui::EndChild();
    if (clicked < grid_.cells.size()) adopt(c, clicked);
}

void SweepPanel::draw_export(Controller& c, UiProbe& probe) {
    const bool busy = export_.valid();
    ImGui::SetNextItemWidth(-90);
    ImGui::InputTextWithHint("##sweep_export_path", "sheet.png (empty: the screenshot folder)", &export_path_);
    probe.item("sweep_export_path");
    if (ImGui::IsItemActive()) probe.item("sweep_export_path_active");
    ImGui::SameLine();
    ImGui::BeginDisabled(busy || grid_.cells.empty());
    if (ImGui::Button(busy ? "Saving...##sweep_export" : "Export...##sweep_export")) start_export(c);
    probe.item("sweep_export");
    ImGui::EndDisabled();
}

void SweepPanel::start(Controller& c, const ViewerOptions& o) {
    // Everything is checked here, on the UI thread, with the CLI's own functions: a bad spec
    // starts nothing and the run goes on.
    std::vector<nst::SweepCell> cells;
    int rows = 1, cols = 1;
    try {
        if (!c.status().ready) throw nst::Error("the run has no image yet: start a sweep once the first one shows");
        if (const std::string why = c.state().blend_problem(); !why.empty()) throw nst::UsageError(why);
        std::vector<nst::SweepAxis> axes;
        for (const auto& text : axes_)
            if (text.find_first_not_of(" \t") != std::string::npos) axes.push_back(nst::parse_sweep(text));
        if (axes.empty()) throw nst::UsageError("--sweep: no parameter to sweep (e.g. style-weight=1e6,1e8)");
        cells = nst::sweep_cells(settings_of(c.state(), o, o.run.steps), axes);
        for (const auto& cell : cells) {
            rows = std::max(rows, cell.row + 1);
            cols = std::max(cols, cell.col + 1);
        }
    } catch (const std::exception& e) {
        say(Notice::Level::Error, std::string("sweep not started: ") + e.what());
        return;
    }
    SweepSetup s;
    for (const auto& cell : cells) s.cells.push_back({cell.settings.params, cell.caption(), cell.row, cell.col});
    s.rows = rows;
    s.cols = cols;
    s.from_current = from_current_;
    s.id = id_ = ++next_id_;
    cells_ = std::move(cells);
    grid_ = SweepFrame{};
    c.start_sweep(std::move(s));
    ++commands_sent_;
    running_ = true;
    say(Notice::Level::Info, "sweep of " + std::to_string(cells_.size()) + " cells (" + std::to_string(cols) + "x" +
                                 std::to_string(rows) + ") starting from the " +
                                 (from_current_ ? "current result" : "content") + "; the main run pauses");
}

void SweepPanel::stop(Controller& c) {
    if (!running_) return;
    c.stop_sweep();
    ++commands_sent_;
    running_ = false;
}

void SweepPanel::adopt(Controller& c, std::size_t i) {
    if (i >= cells_.size() || i >= grid_.cells.size()) return;
    // The parameters first, then the stop: the main run's first step after the sweep already
    // uses them.
    if (adopt_image_) {
        const nst::Image img = to_image(grid_.cells[i].image);
        c.adopt_settings(cells_[i].settings, &img);
    } else {
        c.adopt_settings(cells_[i].settings);
    }
    stop(c);
    say(Notice::Level::Info, "adopted " + cells_[i].caption() + (adopt_image_ ? " and its image" : "") +
                                 ": the sweep ended, the main run carries on");
}

void SweepPanel::start_export(Controller& c) {
    if (grid_.cells.empty() || cells_.size() != grid_.cells.size()) return;
    if (export_path_.find_first_not_of(" \t") == std::string::npos)
        export_path_ = (std::filesystem::path(c.state().screenshot_dir) /
                        (timestamped_name("nst-sweep") + (grid_.random_features ? "-untrained" : "") + ".png"))
                           .string();
    SheetJob job;
    job.path = export_path_;
    job.sheet.rows = grid_.rows;
    job.sheet.cols = grid_.cols;
    nlohmann::json cells = nlohmann::json::array();
    for (const std::size_t i : row_major(grid_)) {
        const SweepCellFrame& f = grid_.cells[i];
        job.sheet.cells.push_back(to_image(f.image));
        std::vector<std::string> lines;
        nlohmann::json values = nlohmann::json::object();
        for (const auto& [name, value] : cells_[i].values) {
            lines.push_back(name + "=" + value);
            values[name] = value;
        }
        lines.push_back(loss_text(f.losses, grid_.step));
        job.sheet.captions.push_back(std::move(lines));
        cells.push_back({{"row", f.row}, {"col", f.col}, {"values", values}, {"caption", f.caption},
                         {"total", f.losses.total}, {"content", f.losses.content}, {"style", f.losses.style},
                         {"tv", f.losses.tv}});
    }
    const Sources* src = c.sources();
    // Short title lines (a sheet is as wide as its cells); the whole story is in the comment.
    job.sheet.title.push_back("nst-viewer sweep, step " + std::to_string(grid_.step) + ", " + std::to_string(cell_w_) +
                              "x" + std::to_string(cell_h_));
    if (src) job.sheet.title.push_back(src->content_name + " <- " + file_names(src->style_paths));
    if (grid_.random_features) job.sheet.title.push_back("untrained (random) features");
    job.comment = {{"program", "nst-viewer"},
                   {"sweep", true},
                   {"step", grid_.step},
                   {"rows", grid_.rows},
                   {"cols", grid_.cols},
                   {"features", grid_.random_features ? "random" : "vgg19"},
                   {"title", job.sheet.title},
                   {"content", src ? src->content_name : std::string()},
                   {"styles", src ? src->style_paths : std::vector<std::string>{}},
                   {"cells", cells}};
    export_ = std::async(std::launch::async, write_sheet, std::move(job));
    status_ = "exporting the sheet to " + export_path_ + "...";
    status_error_ = false;
}

}  // namespace nstv
