// nst-style-bench: what the style knobs cost, measured in one run on one machine.
//   1. A step with the W2 statistic against a step with Gram matrices (same images, same engine
//      settings), median of N steps after warm-up, at each size.
//   2. The latency of a live change, from the call to the next published image (set_params, one
//      step, image_rgba8): a blend change and a colours off -> post toggle, against a plain step
//      and publication, plus the forward passes each change made (target_passes).
//   3. For reference, re-targeting for a new style scale (forward passes of every style).
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "nst/nst.h"

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

double median_step_ms(nst::Engine& e, int warmup, int steps) {
    for (int i = 0; i < warmup; ++i) e.step();
    std::vector<double> t;
    for (int i = 0; i < steps; ++i) {
        const auto t0 = Clock::now();
        e.step();
        (void)e.last_losses();  // waits for the step on a GPU
        t.push_back(ms_since(t0));
    }
    return median(t);
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<int> sizes{256, 512};
    int steps = 10, warmup = 2, threads = 0;
    std::string device = "cpu";
    std::string content = std::string(NST_ASSETS_DIR) + "/content.jpg";
    std::string style = std::string(NST_ASSETS_DIR) + "/style.jpg";
    CLI::App app{"nst-style-bench: the cost of the W2 statistic and of live blend/colour changes"};
    app.add_option("--sizes", sizes, "Long sides to time")->delimiter(',')->capture_default_str();
    app.add_option("--steps", steps, "Timed steps per measurement")->capture_default_str();
    app.add_option("--warmup", warmup, "Untimed steps first")->capture_default_str();
    app.add_option("--threads", threads, "CPU threads (0 = LibTorch default)")->capture_default_str();
    app.add_option("--device", device, "cpu, cuda[:N]")->capture_default_str();
    app.add_option("--content", content)->capture_default_str();
    app.add_option("--style", style, "Style image (the second style is the content image)")->capture_default_str();
    CLI11_PARSE(app, argc, argv);

    nst::EngineOptions options;
    options.device = device;
    options.threads = threads;
    const nst::Image content_full = nst::load_image(content), style_full = nst::load_image(style);
    std::printf("nst-style-bench | LibTorch %s | device %s | untrained features (timing only)\n",
                nst::libtorch_version().c_str(), nst::resolve_device(device).c_str());
    std::printf("%6s %10s %10s %7s | %12s %12s %10s %12s %8s | %12s\n", "size", "gram ms", "w2 ms", "w2/gram",
                "step+pub ms", "blend ms", "(call ms)", "post ms", "passes", "rescale ms");
    for (const int size : sizes) {
        const nst::Image c = nst::resize_long_side(content_full, size);
        const std::vector<nst::Image> styles{nst::resize_long_side(style_full, size), c};
        double ms[2] = {};
        for (const auto stat : {nst::StyleLoss::Gram, nst::StyleLoss::W2}) {
            nst::Params p = nst::Params::defaults();
            p.style_loss = stat;
            p.style_weight = nst::default_style_weight(stat, true);
            nst::Engine e(options, p);
            e.set_images(c, styles);
            ms[stat == nst::StyleLoss::W2] = median_step_ms(e, warmup, steps);
        }

        // Live changes on one running engine (Gram, two styles).
        nst::Params p = nst::Params::defaults();
        p.style_weight = nst::kRandomFeaturesStyleWeight;
        nst::Engine e(options, p);
        e.set_images(c, styles);
        for (int i = 0; i < warmup; ++i) e.step();
        std::vector<std::uint8_t> rgba;
        int w = 0, h = 0;
        const long passes0 = e.target_passes();
        std::vector<double> plain, blend, post, blend_call;
        for (int i = 0; i < steps; ++i) {
            auto t0 = Clock::now();
            e.step();
            e.image_rgba8(rgba, w, h);
            plain.push_back(ms_since(t0));

            p.style_blend = {static_cast<float>(1 + i % 3), 1.0f};
            t0 = Clock::now();
            e.set_params(p);
            blend_call.push_back(ms_since(t0));
            e.step();
            e.image_rgba8(rgba, w, h);
            blend.push_back(ms_since(t0));

            p.colors = i % 2 ? nst::ColorMode::Off : nst::ColorMode::Post;
            t0 = Clock::now();
            e.set_params(p);
            e.step();
            e.image_rgba8(rgba, w, h);
            post.push_back(ms_since(t0));
        }
        const long passes = e.target_passes() - passes0;
        p.style_scale = 1.5f;
        const auto t0 = Clock::now();
        e.set_params(p);
        const double rescale = ms_since(t0);
        std::printf("%6d %10.1f %10.1f %7.2f | %12.1f %12.1f %10.2f %12.1f %8ld | %12.1f\n", size, ms[0], ms[1],
                    ms[1] / ms[0], median(plain), median(blend), median(blend_call), median(post), passes, rescale);
    }
    return 0;
}
