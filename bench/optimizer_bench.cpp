// nst-optimizer-bench: L-BFGS against Adam, measured in one run on one machine.
// At each size, Adam runs --adam-steps steps from the content image; the loss it reports at its
// last step is the target. L-BFGS (each learning rate given) then runs from the same start, with
// the same loss, until its loss is at or below the target (at most --max-evals evaluations). The
// table gives the wall time of each to the target and the ratio; the loss curves (loss against
// time) go to --curves as CSV. Also printed, to show that L-BFGS's bounded parametrisation does
// not stall: its loss at 25 %, 50 % and 100 % of its evaluations, and for both optimisers the
// share of pixel values within 1/255 of 0 or 1 at the end.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "nst/nst.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Point {
    int eval;
    double seconds, loss;
};

struct Run {
    std::string name;
    std::vector<Point> curve;
    double seconds_to_target = -1;  // -1: not reached
    int evals_to_target = -1;
    double saturated = 0;           // share of values within 1/255 of 0 or 1 at the end
};

double saturated_share(const nst::Image& img) {
    std::size_t n = 0;
    for (const float v : img.rgb) n += (v <= 1.0f / 255 || v >= 1.0f - 1.0f / 255) ? 1 : 0;
    return static_cast<double>(n) / static_cast<double>(img.rgb.size());
}

// Runs `evals` evaluations, noting when the loss first is <= target (if target > 0) and stopping
// there unless `go_on`.
Run run(const std::string& name, const nst::EngineOptions& options, const nst::Params& params, const nst::Image& content,
        const nst::Image& style, int evals, double target, bool go_on = false) {
    nst::Engine e(options, params);
    e.set_images(content, style);
    Run r{name, {}, -1, -1, 0};
    double seconds = 0;
    for (int i = 1; i <= evals; ++i) {
        const auto t0 = Clock::now();
        e.step();
        const double loss = e.last_losses().total;  // the loss of the image before this step's update
        seconds += std::chrono::duration<double>(Clock::now() - t0).count();
        r.curve.push_back({i, seconds, loss});
        if (target > 0 && loss <= target && r.evals_to_target < 0) {
            r.seconds_to_target = seconds;
            r.evals_to_target = i;
            if (!go_on) break;
        }
    }
    r.saturated = saturated_share(e.result());
    return r;
}

double loss_at_fraction(const Run& r, double f) {
    const auto i = static_cast<std::size_t>(std::max(0.0, f * static_cast<double>(r.curve.size()) - 1));
    return r.curve[std::min(i, r.curve.size() - 1)].loss;
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<int> sizes{256, 512};
    std::vector<float> lbfgs_lrs{1.0f};
    int adam_steps = 300, max_evals = 600, threads = 0, history = 100;
    bool go_on = false;
    std::string device = "cpu", curves;
    std::string content_path = std::string(NST_ASSETS_DIR) + "/content.jpg";
    std::string style_path = std::string(NST_ASSETS_DIR) + "/style.jpg";
    CLI::App app{"nst-optimizer-bench: wall time of L-BFGS and Adam to the loss Adam reaches in N steps"};
    app.add_option("--sizes", sizes, "Long sides")->delimiter(',')->capture_default_str();
    app.add_option("--adam-steps", adam_steps, "Adam's steps; its last loss is the target")->capture_default_str();
    app.add_option("--max-evals", max_evals, "L-BFGS gives up after this many evaluations")->capture_default_str();
    app.add_option("--lbfgs-lr", lbfgs_lrs, "L-BFGS learning rates to try")->delimiter(',')->capture_default_str();
    app.add_option("--lbfgs-history", history, "L-BFGS history")->capture_default_str();
    app.add_option("--threads", threads, "CPU threads (0 = LibTorch default)")->capture_default_str();
    app.add_option("--device", device, "cpu, cuda[:N]")->capture_default_str();
    app.add_flag("--go-on", go_on, "L-BFGS runs all --max-evals evaluations (does it stall later?)");
    app.add_option("--curves", curves, "Write every run's loss against time here (CSV)");
    app.add_option("--content", content_path)->capture_default_str();
    app.add_option("--style", style_path)->capture_default_str();
    CLI11_PARSE(app, argc, argv);

    nst::EngineOptions options;
    options.device = device;
    options.threads = threads;
    options.features.random_seed = 1;
    std::printf("nst-optimizer-bench: %s, %s, untrained (random) features, style weight %g, content init\n",
                nst::resolve_device(device).c_str(), nst::libtorch_version().c_str(),
                static_cast<double>(nst::kRandomFeaturesStyleWeight));
    std::ofstream csv;
    if (!curves.empty()) {
        csv.open(curves);
        csv << "size,optimizer,eval,seconds,loss\n";
    }
    for (const int size : sizes) {
        const auto content = nst::resize_long_side(nst::load_image(content_path), size);
        const auto style = nst::load_image(style_path);
        auto params = nst::Params::defaults();
        params.style_weight = nst::kRandomFeaturesStyleWeight;
        std::vector<Run> runs;
        runs.push_back(run("adam lr 0.02", options, params, content, style, adam_steps, 0));
        const double target = runs[0].curve.back().loss;
        runs[0].seconds_to_target = runs[0].curve.back().seconds;
        runs[0].evals_to_target = adam_steps;
        for (const float lr : lbfgs_lrs) {
            auto p = params;
            p.optimizer = nst::Optimizer::LBFGS;
            p.lr = lr;
            p.lbfgs_history = history;
            char name[64];
            std::snprintf(name, sizeof name, "lbfgs lr %g", static_cast<double>(lr));
            runs.push_back(run(name, options, p, content, style, max_evals, target, go_on));
        }
        std::printf("\n%dx%d: target = Adam's loss at step %d = %.6g\n", content.width, content.height, adam_steps, target);
        std::printf("  %-14s %8s %10s %10s %8s   %-34s %s\n", "optimizer", "evals", "seconds", "ms/eval", "ratio",
                    "loss at 25% / 50% / 100% of evals", "saturated");
        for (const auto& r : runs) {
            const double secs = r.seconds_to_target > 0 ? r.seconds_to_target : r.curve.back().seconds;
            const int evals = r.evals_to_target > 0 ? r.evals_to_target : static_cast<int>(r.curve.size());
            // (with --go-on the loss columns cover every evaluation run, the time the target's)
            char ratio[32] = "-";
            if (r.seconds_to_target > 0) std::snprintf(ratio, sizeof ratio, "%.2f", secs / runs[0].seconds_to_target);
            std::printf("  %-14s %7d%s %10.1f %10.1f %8s   %.4g / %.4g / %.4g%*s %.2f%%\n", r.name.c_str(), evals,
                        r.seconds_to_target > 0 ? " " : "+", secs, 1000 * secs / evals, ratio, loss_at_fraction(r, 0.25),
                        loss_at_fraction(r, 0.5), r.curve.back().loss, 4, "", 100 * r.saturated);
            for (const auto& pt : r.curve)
                if (csv.is_open()) csv << size << ',' << r.name << ',' << pt.eval << ',' << pt.seconds << ',' << pt.loss << '\n';
        }
        std::printf("  (ratio: time to the target against Adam's; '+': did not reach it within --max-evals)\n");
        std::fflush(stdout);
    }
    return 0;
}
