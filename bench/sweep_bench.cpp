// nst-sweep-bench: what a sweep costs per variant. An N×N sweep (style weight × content weight,
// 16 variants by default) at each size, stepped as one batch through the network and as one
// Engine per variant in turn, against one plain Engine. The three take turns step by step
// (round-robin), so that the machine's drift falls on all alike. Printed: the median ms per sweep
// step, per variant, and each per-variant cost as a ratio to the plain Engine's step. Issue 12's
// goal: a 4×4 sweep at 256 px at least 3× faster per variant than 16 separate runs on a GPU.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "nst/nst.h"
#include "nst/sweep.h"

namespace {

using Clock = std::chrono::steady_clock;

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

template <typename Fn>
double timed_ms(Fn&& fn) {
    const auto t0 = Clock::now();
    fn();
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"nst-sweep-bench: a sweep's cost per variant, batched and in turn, against one engine"};
    std::vector<int> sizes{256};
    int grid = 4, steps = 5, threads = 2, warmup = 1;
    std::string device = "cpu";
    bool skip_sequential = false;
    app.add_option("--size", sizes, "long sides")->delimiter(',');
    app.add_option("--grid", grid, "N for an N x N sweep (style weight x content weight)")->check(CLI::Range(1, 8));
    app.add_option("--steps", steps, "timed steps per way")->check(CLI::PositiveNumber);
    app.add_option("--warmup", warmup, "untimed steps first")->check(CLI::NonNegativeNumber);
    app.add_option("--threads", threads, "intra-op threads");
    app.add_option("--device", device, "cpu | cuda");
    app.add_flag("--no-sequential", skip_sequential, "time batch and one engine only (the sequential cost is N*N engines)");
    CLI11_PARSE(app, argc, argv);
    try {
        const auto content_full = nst::load_image(std::string(NST_ASSETS_DIR) + "/content.jpg");
        const auto style_full = nst::load_image(std::string(NST_ASSETS_DIR) + "/style.jpg");
        nst::EngineOptions options;
        options.device = device;
        options.threads = threads;
        auto base = nst::Params::defaults();
        base.style_weight = nst::kRandomFeaturesStyleWeight;
        std::vector<nst::Params> variants;
        for (int row = 0; row < grid; ++row)
            for (int col = 0; col < grid; ++col) {
                auto p = base;
                p.style_weight = base.style_weight * static_cast<float>(std::pow(10.0, col - grid / 2));
                p.content_weight = static_cast<float>(std::pow(2.0, row - grid / 2));
                variants.push_back(p);
            }
        const double n = static_cast<double>(variants.size());
        std::printf("nst-sweep-bench: %s, %d threads, untrained features, Adam, fp32, %dx%d sweep, %d timed steps each\n",
                    nst::resolve_device(device).c_str(), threads, grid, grid, steps);
        for (const int size : sizes) {
            const auto content = nst::resize_long_side(content_full, size);
            const std::vector<nst::Image> styles{nst::resize_long_side(style_full, size)};
            nst::Engine plain(options, base);
            plain.set_images(content, styles);
            nst::Sweep batch(options, variants, nst::SweepMode::Batch);
            batch.set_images(content, styles);
            std::unique_ptr<nst::Sweep> sequential;
            if (!skip_sequential) {
                sequential = std::make_unique<nst::Sweep>(options, variants, nst::SweepMode::Sequential);
                sequential->set_images(content, styles);
            }
            // last_losses() syncs with the device, so a GPU's queued work is inside the time.
            auto step_plain = [&] { plain.step(); (void)plain.last_losses(); };
            auto step_sweep = [](nst::Sweep& s) { s.step(); (void)s.last_losses(s.size() - 1); };
            for (int s = 0; s < warmup; ++s) {
                step_plain();
                step_sweep(batch);
                if (sequential) step_sweep(*sequential);
            }
            std::vector<double> ms_plain, ms_batch, ms_seq;
            for (int s = 0; s < steps; ++s) {
                ms_plain.push_back(timed_ms(step_plain));
                ms_batch.push_back(timed_ms([&] { step_sweep(batch); }));
                if (sequential) ms_seq.push_back(timed_ms([&] { step_sweep(*sequential); }));
            }
            const double one = median(ms_plain);
            std::printf("\n%dx%d, %d variants\n  way          ms/sweep step  ms/variant  vs one engine\n", content.width,
                        content.height, static_cast<int>(n));
            std::printf("  one engine   %13s  %10.1f  %12.2fx\n", "-", one, 1.0);
            if (sequential) {
                const double m = median(ms_seq);
                std::printf("  sequential   %13.1f  %10.1f  %12.2fx\n", m, m / n, m / n / one);
            }
            const double b = median(ms_batch);
            std::printf("  batch        %13.1f  %10.1f  %12.2fx\n", b, b / n, b / n / one);
            if (sequential)
                std::printf("  batch is %.2fx as fast per variant as sequential\n", median(ms_seq) / b);
            std::printf("  batch is %.2fx as fast per variant as separate runs of one engine\n", one * n / b);
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "nst-sweep-bench: %s\n", e.what());
        return 1;
    }
    return 0;
}
