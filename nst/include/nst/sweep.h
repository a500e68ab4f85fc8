#pragma once
// Sweeps: one or two parameters over a list of values (or a log-spaced range), every variant
// starting from the same image and stepped together, as one batch through the network where that
// is possible and faster, else one after the other. The grid of results becomes a contact sheet
// (contact_sheet.h). The specs and cells are torch-free (nst_core); Sweep's implementation owns
// LibTorch state like Engine (one thread creates it and calls every method).
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "nst/engine.h"
#include "nst/image.h"
#include "nst/settings.h"

namespace nst {

inline constexpr int kMaxSweepCells = 64;

// One axis: a parameter and its values as text. Names: the table's style-weight, content-weight,
// tv-weight, lr, style-scale; "style-layer:relu3_1" / "content-layer:relu4_2" (that layer's
// weight); "style-blend:2" (the blend weight of style 2, 1-based).
struct SweepAxis {
    std::string param;
    std::vector<std::string> values;
    bool operator==(const SweepAxis&) const = default;
};

// The names sweep_cells accepts (for --help, the viewer's list and messages).
[[nodiscard]] const std::vector<std::string>& sweepable_params();

// Parses "--sweep NAME=V1,V2,..." or "NAME=log:LO:HI:COUNT" (COUNT values from LO to HI, log
// spaced). Throws nst::UsageError "--sweep VALUE: why" for no '=', an unknown parameter, no
// values, a malformed range.
[[nodiscard]] SweepAxis parse_sweep(std::string_view spec);

// One variant: the settings it runs with, where it sits, and its values for captions.
struct SweepCell {
    RunSettings settings;
    int row = 0, col = 0;                                      // axis 2 down the rows, axis 1 across
    std::vector<std::pair<std::string, std::string>> values;   // (param, value) per axis
    [[nodiscard]] std::string caption() const;                 // "style-weight=1e6 content-weight=0.5"
};

// The grid: axes[0] across the columns, axes[1] (if any) down the rows. Each value is set through
// the parameter's own checks. Throws nst::UsageError naming the axis and value for a bad value,
// more than two axes, the same parameter twice, or more than kMaxSweepCells cells.
[[nodiscard]] std::vector<SweepCell> sweep_cells(const RunSettings& base, const std::vector<SweepAxis>& axes);

// Auto: batch where it is supported and measured faster on the device (docs/PERFORMANCE.md),
// else sequential. Batch needs every variant on Adam with the same style scale and colour mode;
// Sequential is one Engine per variant, stepped in turn, and always exact.
enum class SweepMode { Auto, Batch, Sequential };
[[nodiscard]] SweepMode parse_sweep_mode(const std::string& name);  // "auto|batch|sequential"
const char* sweep_mode_name(SweepMode mode);

class Sweep {
public:
    // One variant per Params (the same EngineOptions for all). Throws nst::UsageError for Batch
    // with variants that cannot share a batch, and whatever Engine's constructor throws.
    Sweep(const EngineOptions& options, std::vector<Params> variants, SweepMode mode = SweepMode::Auto);
    ~Sweep();
    Sweep(const Sweep&) = delete;
    Sweep& operator=(const Sweep&) = delete;

    // Every variant starts from the same image (as Engine::set_images / retarget).
    void set_images(const Image& content, const std::vector<Image>& styles, Init init = Init::Content);
    void set_images(const Image& content, const std::vector<Image>& styles, const Image& start);
    // Coarse-to-fine: new inputs, each variant continuing from its own image resampled.
    void retarget(const Image& content, const std::vector<Image>& styles);
    // Regions and the content map, for every variant (as Engine::set_spatial).
    void set_spatial(const SpatialControl& spatial);

    // One step of every variant.
    void step();

    [[nodiscard]] int size() const;
    [[nodiscard]] bool batched() const;
    [[nodiscard]] int steps_done() const;
    [[nodiscard]] Losses last_losses(int variant) const;
    [[nodiscard]] Image result(int variant) const;  // as shown and saved (Engine::result)
    [[nodiscard]] Image image(int variant) const;   // the iterate (Engine::image)
    [[nodiscard]] bool random_features() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace nst
