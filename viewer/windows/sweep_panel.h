#pragma once
// The sweep panel (its own window, G or the toolbar's "Sweep" button): one or two parameters and
// their values typed exactly as nst's --sweep (parse_sweep, sweep_cells: the same names, checks,
// messages and 64-cell limit), start / stop, the live grid (each cell captioned with its values
// and loss), a click on a cell to adopt its parameters (and optionally its image) into the main
// run, and "Export" of the grid as a labelled contact sheet PNG. The optimizer thread does the
// work (SweepStepper); this only draws and asks, through the Controller, and never waits.
#include <cstdint>
#include <future>
#include <string>
#include <utility>
#include <vector>

#include "gl/texture.h"
#include "nst/sweep.h"
#include "run/frame.h"

namespace nstv {

class Controller;
struct ViewerOptions;
class UiProbe;

class SweepPanel {
public:
    SweepPanel() = default;
    ~SweepPanel();  // waits for an export still being written (a file is never left half done)
    SweepPanel(const SweepPanel&) = delete;
    SweepPanel& operator=(const SweepPanel&) = delete;

    void toggle() { open_ = !open_; }
    [[nodiscard]] bool open() const { return open_; }
    // Per frame, whether open or not (a sweep running in a closed window is stopped).
    void draw(Controller& c, const ViewerOptions& o, float scale, UiProbe& probe);
    // Confirmations and problems, for the toasts and stderr.
    std::vector<Notice> take_notices() { return std::exchange(notices_, {}); }

private:
    void receive(Controller& c);
    void draw_setup(Controller& c, const ViewerOptions& o, UiProbe& probe);
    void draw_grid(Controller& c, float scale, UiProbe& probe);
    void draw_export(Controller& c, UiProbe& probe);
    void start(Controller& c, const ViewerOptions& o);
    void stop(Controller& c);
    void adopt(Controller& c, std::size_t cell);
    void start_export(Controller& c);
    void say(Notice::Level level, std::string text);

    bool open_ = false;
    std::string axes_[2] = {"style-weight=1e6,1e8", ""};  // as --sweep takes them
    bool from_current_ = true;
    bool adopt_image_ = false;
    std::string export_path_;
    std::string status_;        // the panel's last message (also a notice)
    bool status_error_ = false;
    std::vector<Notice> notices_;

    // The sweep asked for: its cells (settings to adopt, values for captions) and grid.
    std::vector<nst::SweepCell> cells_;
    std::uint64_t next_id_ = 0, id_ = 0;
    bool running_ = false;           // started and not stopped (as far as the UI asked)
    std::uint64_t commands_sent_ = 0;
    SweepFrame grid_;                // the newest publication of the sweep asked for
    Texture atlas_;                  // every cell side by side in one texture
    int cell_w_ = 0, cell_h_ = 0;

    std::future<Notice> export_;  // the sheet being written (its outcome)
};

}  // namespace nstv
