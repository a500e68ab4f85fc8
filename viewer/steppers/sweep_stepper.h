#pragma once
// The sweep mode of the optimizer thread: an nst::Sweep built from the main run's current setup
// (same content, styles, size and network; one Params per cell), stepped by the Runner instead of
// the main run, and rendered as a grid publication (SweepFrame). Lives on the optimizer thread
// like the EngineStepper that owns it: every LibTorch object stays there. No torch headers.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "nst/nst.h"
#include "nst/sweep.h"
#include "run/frame.h"

namespace nstv {

// UI -> optimizer: what to sweep. Made by the sweep panel from nst::sweep_cells, so the values,
// their checks and the 64-cell limit are the CLI's.
struct SweepSetup {
    struct Cell {
        nst::Params params;   // the current parameters with this cell's values
        std::string caption;  // nst::SweepCell::caption()
        int row = 0, col = 0;
    };
    std::vector<Cell> cells;
    int rows = 1, cols = 1;
    // Every cell starts from the main run's current image (true) or from the content (false).
    bool from_current = true;
    nst::SweepMode mode = nst::SweepMode::Auto;
    std::uint64_t id = 0;  // echoed in SweepFrame::sweep
};

class SweepStepper {
public:
    // Builds the sweep's own engines (or batch) and sets every cell's images: `start` is the image
    // they all begin from (null: the content). `spatial` (at the content's size) is the main
    // run's regions. Throws whatever building it throws (nst::Error, out of memory); nothing is
    // kept then.
    SweepStepper(const SweepSetup& setup, const nst::EngineOptions& options, const nst::Image& content,
                 const std::vector<nst::Image>& styles, const nst::Image* start, const nst::SpatialControl& spatial);
    ~SweepStepper();
    SweepStepper(const SweepStepper&) = delete;
    SweepStepper& operator=(const SweepStepper&) = delete;

    void step();  // one step of every cell
    void render(SweepFrame& f) const;
    [[nodiscard]] long steps() const { return steps_; }
    [[nodiscard]] bool batched() const;
    [[nodiscard]] int cells() const { return static_cast<int>(setup_.cells.size()); }
    [[nodiscard]] std::vector<double> totals() const;  // each cell's total loss of the last step

private:
    SweepSetup setup_;
    std::unique_ptr<nst::Sweep> sweep_;
    long steps_ = 0;
};

}  // namespace nstv
