// nst-tile-bench: tiled steps (issue 13; docs/PERFORMANCE.md, "Tiled steps").
//   exactness: at --exact-size px, the gradient of the whole image's loss computed with each
//              --exact-tiles tile against the untiled one (max |g_t − g_u| / max |g_u|);
//   cost:      ms per megapixel of a step at --cost-size, untiled and with each --cost-tiles tile,
//              taking turns step by step (round-robin) so the machine's drift falls on all alike;
//   memory:    peak RSS of a process that loads the inputs, targets and takes one step at each
//              --memory-sizes size with the tile that --max-memory picks, next to the estimate
//              (estimate_step_bytes) and the untiled estimate.
// Untrained features (the shapes and costs are those of VGG19; no pretrained weights here).
#include <CLI/CLI.hpp>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "engine/engine_impl.h"
#include "nst/nst.h"
#include "nst/tiling.h"

extern char** environ;

namespace {

using Clock = std::chrono::steady_clock;

struct Inputs {
    nst::Image content, style;
};

Inputs inputs(int size) {
    return {nst::resize_long_side(nst::load_image(std::string(NST_ASSETS_DIR) + "/content.jpg"), size),
            nst::resize_long_side(nst::load_image(std::string(NST_ASSETS_DIR) + "/style.jpg"), size)};
}

nst::EngineOptions options_for(const std::string& device, int threads, int tile, std::uint64_t max_memory = 0) {
    nst::EngineOptions o;
    o.features = nst::parse_random_features("random:1");
    o.device = device;
    o.threads = threads;
    o.tile = tile;
    o.max_memory = max_memory;
    return o;
}

nst::Params params() {
    auto p = nst::Params::defaults();
    p.style_weight = nst::kRandomFeaturesStyleWeight;
    return p;
}

torch::Tensor gradient(const Inputs& in, const std::string& device, int threads, int tile) {
    nst::EngineCore core;
    core.open(options_for(device, threads, tile), params());
    core.set_images(in.content, {in.style});
    core.set_x(core.initial(nst::Init::Noise));
    core.plan_tiling();
    core.loss_and_backward(core.x);
    return core.x.grad().to(torch::kCPU).clone();
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

// The child of the memory measurement: inputs, targets and one step, then exit.
int one_step(int size, std::uint64_t max_memory, const std::string& device, int threads) {
    const auto in = inputs(size);
    nst::Engine engine(options_for(device, threads, 0, max_memory), params());
    engine.set_images(in.content, in.style);
    const auto t0 = Clock::now();
    engine.step();
    (void)engine.last_losses();
    const double s = std::chrono::duration<double>(Clock::now() - t0).count();
    const auto plan = engine.tiling();
    std::printf("CHILD %d %d %d %.1f\n", plan.tile, plan.count(), plan.halo, s);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"nst-tile-bench: tiled steps: exactness, cost per megapixel, peak memory"};
    int exact_size = 512, cost_size = 1024, steps = 3, threads = 2;
    std::vector<int> exact_tiles{256, 128}, cost_tiles{512, 256}, memory_sizes{1024, 2048, 4096};
    std::string device = "cpu", max_memory_text = "4G";
    int child_size = 0;
    bool skip_exact = false, skip_cost = false, skip_memory = false;
    app.add_option("--exact-size", exact_size);
    app.add_option("--exact-tiles", exact_tiles)->delimiter(',');
    app.add_option("--cost-size", cost_size);
    app.add_option("--cost-tiles", cost_tiles)->delimiter(',');
    app.add_option("--steps", steps, "timed steps per way (after one untimed)");
    app.add_option("--memory-sizes", memory_sizes)->delimiter(',');
    app.add_option("--max-memory", max_memory_text, "the budget the memory runs pick their tile for");
    app.add_option("--threads", threads);
    app.add_option("--device", device);
    app.add_flag("--no-exact", skip_exact);
    app.add_flag("--no-cost", skip_cost);
    app.add_flag("--no-memory", skip_memory);
    app.add_option("--child", child_size)->group("");  // internal: one step in a fresh process
    CLI11_PARSE(app, argc, argv);
    try {
        const auto max_memory = nst::parse_memory(max_memory_text);
        if (child_size > 0) return one_step(child_size, max_memory, device, threads);
        std::printf("nst-tile-bench: %s, %d threads, untrained features, default layers (relu5_1: %d px halo)\n",
                    device.c_str(), threads, nst::tile_halo(nst::relu_index("relu5_1")));

        if (!skip_exact) {
            const auto in = inputs(exact_size);
            const auto untiled = gradient(in, device, threads, 0);
            for (const int tile : exact_tiles) {
                const auto tiled = gradient(in, device, threads, tile);
                const double rel = (tiled - untiled).abs().max().item<double>() / untiled.abs().max().item<double>();
                std::printf("exactness %dx%d tile %d: max |g_tiled - g_untiled| / max |g_untiled| = %.3g\n",
                            in.content.width, in.content.height, tile, rel);
            }
        }

        if (!skip_cost) {
            const auto in = inputs(cost_size);
            std::vector<int> ways{0};
            ways.insert(ways.end(), cost_tiles.begin(), cost_tiles.end());
            std::vector<std::unique_ptr<nst::Engine>> engines;
            for (const int tile : ways) {
                engines.push_back(std::make_unique<nst::Engine>(options_for(device, threads, tile), params()));
                engines.back()->set_images(in.content, in.style);
                engines.back()->step();  // untimed: allocations and first-touch
            }
            std::vector<std::vector<double>> ms(ways.size());
            for (int s = 0; s < steps; ++s)
                for (std::size_t w = 0; w < ways.size(); ++w) {
                    const auto t0 = Clock::now();
                    engines[w]->step();
                    (void)engines[w]->last_losses();
                    ms[w].push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
                }
            const double mp = static_cast<double>(in.content.width) * in.content.height / 1e6;
            const double base = median(ms[0]) / mp;
            for (std::size_t w = 0; w < ways.size(); ++w) {
                const auto plan = engines[w]->tiling();
                std::printf("cost %dx%d %-22s %8.0f ms/step %8.0f ms/MP  %.2fx untiled\n", in.content.width,
                            in.content.height,
                            plan.tiled() ? ("tile " + std::to_string(plan.tile) + " (" + std::to_string(plan.count()) +
                                            " tiles)").c_str()
                                         : "untiled",
                            median(ms[w]), median(ms[w]) / mp, median(ms[w]) / mp / base);
            }
        }

        if (!skip_memory) {
            for (const int size : memory_sizes) {
                const std::string self = "/proc/self/exe", size_arg = std::to_string(size),
                                  threads_arg = std::to_string(threads);
                std::vector<std::string> args{self, "--child", size_arg, "--max-memory", max_memory_text,
                                              "--device", device, "--threads", threads_arg};
                std::vector<char*> argv_child;
                for (auto& a : args) argv_child.push_back(a.data());
                argv_child.push_back(nullptr);
                pid_t pid = 0;
                std::fflush(stdout);
                if (posix_spawn(&pid, "/proc/self/exe", nullptr, nullptr, argv_child.data(), environ) != 0) {
                    std::fprintf(stderr, "nst-tile-bench: cannot start the child\n");
                    return 1;
                }
                int status = 0;
                rusage usage{};
                while (wait4(pid, &status, 0, &usage) < 0 && errno == EINTR) {
                }
                const auto in_dims = inputs(size).content;
                const auto p = params();
                const int tile = nst::choose_tile(in_dims.width, in_dims.height, max_memory, p, nst::Precision::FP32);
                std::printf("memory %dx%d (--max-memory %s, tile %d): peak RSS %s, estimate %s, untiled estimate %s%s\n",
                            in_dims.width, in_dims.height, max_memory_text.c_str(), tile,
                            nst::format_memory(static_cast<std::uint64_t>(usage.ru_maxrss) * 1024).c_str(),
                            nst::format_memory(nst::estimate_step_bytes(in_dims.width, in_dims.height, tile, p,
                                                                        nst::Precision::FP32))
                                .c_str(),
                            nst::format_memory(
                                nst::estimate_step_bytes(in_dims.width, in_dims.height, 0, p, nst::Precision::FP32))
                                .c_str(),
                            WIFEXITED(status) && WEXITSTATUS(status) == 0 ? "" : "  (the child FAILED)");
            }
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "nst-tile-bench: %s\n", e.what());
        return 1;
    }
    return 0;
}
