#include "steppers/sweep_stepper.h"

#include <utility>

#include "steppers/engine_stepper.h"  // to_rgba8

namespace nstv {
namespace {

std::vector<nst::Params> variants_of(const SweepSetup& s) {
    if (s.cells.empty()) throw nst::UsageError("a sweep needs at least one cell");
    std::vector<nst::Params> out;
    out.reserve(s.cells.size());
    for (const auto& c : s.cells) out.push_back(c.params);
    return out;
}

}  // namespace

SweepStepper::SweepStepper(const SweepSetup& setup, const nst::EngineOptions& options, const nst::Image& content,
                           const std::vector<nst::Image>& styles, const nst::Image* start,
                           const nst::SpatialControl& spatial)
    : setup_(setup), sweep_(std::make_unique<nst::Sweep>(options, variants_of(setup), setup.mode)) {
    if (start) sweep_->set_images(content, styles, *start);
    else sweep_->set_images(content, styles, nst::Init::Content);
    // After the images (as the main run's engine gets them): checked against the content's size.
    if (!spatial.empty()) sweep_->set_spatial(spatial);
}

SweepStepper::~SweepStepper() = default;

void SweepStepper::step() {
    sweep_->step();
    ++steps_;
}

bool SweepStepper::batched() const { return sweep_->batched(); }

std::vector<double> SweepStepper::totals() const {
    std::vector<double> out;
    for (int i = 0; i < sweep_->size(); ++i) out.push_back(steps_ > 0 ? sweep_->last_losses(i).total : 0.0);
    return out;
}

void SweepStepper::render(SweepFrame& f) const {
    f.sweep = setup_.id;
    f.step = steps_;
    f.rows = setup_.rows;
    f.cols = setup_.cols;
    f.batched = sweep_->batched();
    f.random_features = sweep_->random_features();
    f.cells.resize(setup_.cells.size());
    for (std::size_t i = 0; i < setup_.cells.size(); ++i) {
        SweepCellFrame& c = f.cells[i];
        c.image = to_rgba8(sweep_->result(static_cast<int>(i)));
        if (steps_ > 0) {
            const nst::Losses l = sweep_->last_losses(static_cast<int>(i));
            c.losses = StepLosses{l.content, l.style, l.tv, l.total};
        } else {
            c.losses = StepLosses{};
        }
        c.caption = setup_.cells[i].caption;
        c.row = setup_.cells[i].row;
        c.col = setup_.cells[i].col;
    }
}

}  // namespace nstv
