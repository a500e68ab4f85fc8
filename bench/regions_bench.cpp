// nst-regions-bench: what each region costs a step. At each size, one engine per region count
// (0, then each --regions value) steps the same content and two styles; the counts take turns
// step by step (round-robin), so that the machine's drift falls on all of them alike. Printed per
// count: the median ms/step and its ratio to no regions, and the cost of each region as a share
// of a step without regions. The regions are soft vertical bands (each style in turn) that leave
// some background, so every term of the guided loss runs.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "nst/nst.h"

namespace {

using Clock = std::chrono::steady_clock;

// Band k of n across the width, with soft edges a tenth of a band wide.
nst::Plane band(int k, int n, int width, int height) {
    nst::Plane p{width, height, std::vector<float>(static_cast<std::size_t>(width) * height)};
    const double lo = static_cast<double>(k) / n, hi = static_cast<double>(k + 0.9) / n, soft = 0.1 / n;
    for (int x = 0; x < width; ++x) {
        const double u = (x + 0.5) / width;
        const float v = static_cast<float>(std::clamp(std::min((u - lo) / soft, (hi - u) / soft), 0.0, 1.0));
        for (int y = 0; y < height; ++y) p.values[static_cast<std::size_t>(y) * width + x] = v;
    }
    return p;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"nst-regions-bench: the cost of regions (spatial control) per step"};
    std::vector<int> sizes{256};
    std::vector<int> counts{1, 2, 4, 8};
    int steps = 12, threads = 2, warmup = 2;
    std::string device = "cpu";
    app.add_option("--size", sizes, "long sides")->delimiter(',');
    app.add_option("--regions", counts, "region counts to time against none")->delimiter(',');
    app.add_option("--steps", steps, "timed steps per count");
    app.add_option("--warmup", warmup, "untimed steps first");
    app.add_option("--threads", threads, "intra-op threads");
    app.add_option("--device", device, "cpu | cuda");
    CLI11_PARSE(app, argc, argv);
    try {
        const auto content_full = nst::load_image(std::string(NST_ASSETS_DIR) + "/content.jpg");
        const auto style_full = nst::load_image(std::string(NST_ASSETS_DIR) + "/style.jpg");
        nst::EngineOptions options;
        options.device = device;
        options.threads = threads;
        auto params = nst::Params::defaults();
        params.style_weight = nst::kRandomFeaturesStyleWeight;
        std::printf("nst-regions-bench: %s, %d threads, untrained features, Adam, fp32, %d timed steps each\n",
                    device.c_str(), threads, steps);
        for (const int size : sizes) {
            const auto content = nst::resize_long_side(content_full, size);
            const auto style = nst::resize_long_side(style_full, size);
            nst::Image second = style;
            for (float& v : second.rgb) v = 1.0f - v;
            std::vector<int> all{0};
            all.insert(all.end(), counts.begin(), counts.end());
            std::vector<std::unique_ptr<nst::Engine>> engines;
            for (const int n : all) {
                auto e = std::make_unique<nst::Engine>(options, params);
                e->set_images(content, {style, second});
                nst::SpatialControl c;
                for (int k = 0; k < n; ++k)
                    c.regions.push_back({band(k, n, content.width, content.height), k % 2, 1.0f, "band"});
                e->set_spatial(c);
                for (int s = 0; s < warmup; ++s) e->step();
                engines.push_back(std::move(e));
            }
            std::vector<std::vector<double>> ms(all.size());
            for (int s = 0; s < steps; ++s)
                for (std::size_t i = 0; i < all.size(); ++i) {
                    const auto t0 = Clock::now();
                    engines[i]->step();
                    (void)engines[i]->last_losses();
                    ms[i].push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
                }
            const double base = median(ms[0]);
            std::printf("\n%dx%d\n  regions  ms/step (median)  vs none  per region\n", content.width, content.height);
            for (std::size_t i = 0; i < all.size(); ++i) {
                const double m = median(ms[i]);
                if (all[i] == 0)
                    std::printf("  %7d  %16.1f  %7.3fx\n", 0, m, 1.0);
                else
                    std::printf("  %7d  %16.1f  %7.3fx  %+9.1f%%\n", all[i], m, m / base, 100.0 * (m / base - 1) / all[i]);
            }
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "nst-regions-bench: %s\n", e.what());
        return 1;
    }
    return 0;
}
