// nst-bench: times the engine's full step (forward, backward, Adam, clamp) at several sizes and
// relates it to the machine's measured peak (a large convolution and a large matmul timed in the
// same process). Prints a table and writes JSON; scripts/bench.sh adds the Python reference.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <sys/resource.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "nst/nst.h"

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

void sync(const torch::Device& device) {
    if (device.is_cuda()) torch::cuda::synchronize();
}

// Convolution FLOPs of one step: every conv up to the deepest used layer runs forward and then
// backward for its input gradient (weights are frozen, so no weight gradient): 2 × forward.
double step_gflop(int width, int height, int deepest_relu) {
    double flop = 0;
    int w = width, h = height;
    for (const auto& layer : nst::vgg19_layers()) {
        if (layer.index > deepest_relu) break;
        if (layer.kind == nst::LayerKind::Pool) {
            w /= 2;
            h /= 2;
        } else if (layer.kind == nst::LayerKind::Conv) {
            flop += 2.0 * layer.in_channels * layer.out_channels * 9.0 * w * h;
        }
    }
    return 2.0 * flop / 1e9;
}

struct Stats {
    double median = 0, p10 = 0, p90 = 0, min = 0;
};

Stats stats(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    auto at = [&](double q) { return v[static_cast<std::size_t>(q * static_cast<double>(v.size() - 1) + 0.5)]; };
    return {at(0.5), at(0.1), at(0.9), v.front()};
}

// Best-of-N GFLOP/s of a callable doing `gflop` of work.
template <class F>
double measure_peak(const torch::Device& device, double gflop, F&& work, int reps) {
    work();
    sync(device);
    double best = 1e30;
    for (int i = 0; i < reps; ++i) {
        const auto t0 = Clock::now();
        work();
        sync(device);
        best = std::min(best, ms_since(t0));
    }
    return gflop / (best / 1e3);
}

long peak_rss_mib() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss / 1024;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"nst-bench: time the engine's optimisation step"};
    std::vector<int> sizes{128, 256, 512};
    int steps = 12, warmup = 3, threads = 0;
    std::string device = "auto", precision = "fp32", json_path, content = "assets/content.jpg", style = "assets/style.jpg";
    app.add_option("--sizes", sizes, "Long sides to time")->delimiter(',')->capture_default_str();
    app.add_option("--steps", steps, "Timed steps per size (after warm-up)")->capture_default_str();
    app.add_option("--warmup", warmup, "Untimed steps first")->capture_default_str();
    app.add_option("--threads", threads, "CPU threads (0 = LibTorch default)")->capture_default_str();
    app.add_option("--device", device, "auto, cpu, cuda[:N]")->capture_default_str();
    app.add_option("--precision", precision, "fp32, bf16 or tf32 (CUDA)")->capture_default_str();
    bool cuda_graph = false;
    app.add_flag("--cuda-graph", cuda_graph, "Replay each step as a CUDA graph");
    int sync_every = 1;
    app.add_option("--sync-every", sync_every,
                   "Read the losses (a host sync on a GPU) every N steps; a sample is the mean of N steps")
        ->capture_default_str()->check(CLI::PositiveNumber);
    app.add_option("--content", content)->capture_default_str();
    app.add_option("--style", style)->capture_default_str();
    app.add_option("--json", json_path, "Write results here");
    CLI11_PARSE(app, argc, argv);

    try {
        nst::EngineOptions options;
        options.device = device;
        options.threads = threads;
        options.precision = nst::parse_precision(precision);
        options.cuda_graph = cuda_graph;
        const nst::Params params = nst::Params::defaults();
        const torch::Device dev(nst::resolve_device(device));
        if (threads > 0) torch::set_num_threads(threads);

        // The machine's reference points, measured now: a VGG-like 3x3 conv and a square matmul.
        double conv_peak = 0, mm_peak = 0;
        {
        torch::NoGradGuard no_grad;
        const auto f32 = torch::TensorOptions().device(dev).dtype(torch::kFloat32);
        const auto conv_in = torch::rand({1, 256, 64, 64}, f32), conv_w = torch::rand({256, 256, 3, 3}, f32);
        conv_peak = measure_peak(dev, 2.0 * 256 * 256 * 9 * 64 * 64 / 1e9,
                                              [&] { (void)torch::conv2d(conv_in, conv_w, {}, 1, 1); }, dev.is_cuda() ? 50 : 5);
        const auto a = torch::rand({2048, 2048}, f32), b = torch::rand({2048, 2048}, f32);
        mm_peak = measure_peak(dev, 2.0 * 2048 * 2048 * 2048 / 1e9, [&] { (void)torch::mm(a, b); }, dev.is_cuda() ? 50 : 5);
        }

        const nst::Image content_img = nst::load_image(content), style_img = nst::load_image(style);
        int deepest = 0;
        for (const auto* layers : {&params.content_layers, &params.style_layers})
            for (const auto& lw : *layers) deepest = std::max(deepest, nst::relu_index(lw.layer));

        nlohmann::json results = {{"device", dev.str()},
                                  {"precision", precision},
                                  {"libtorch", nst::libtorch_version()},
                                  {"threads", torch::get_num_threads()},
                                  {"conv_peak_gflops", conv_peak},
                                  {"matmul_peak_gflops", mm_peak},
                                  {"sizes", nlohmann::json::array()}};
        std::printf("nst-bench | %s | %s | LibTorch %s | %d threads | conv peak %.1f GFLOP/s, matmul peak %.1f GFLOP/s\n",
                    dev.str().c_str(), precision.c_str(), nst::libtorch_version().c_str(), torch::get_num_threads(),
                    conv_peak, mm_peak);
        std::printf("%6s %10s %10s %10s %8s %10s %8s %9s\n", "size", "ms/step", "p10", "p90", "steps/s", "GFLOP/s",
                    "of conv", "RSS MiB");
        for (const int size : sizes) {
            const auto c = nst::resize_long_side(content_img, size), s = nst::resize_long_side(style_img, size);
            nst::Engine engine(options, params);
            engine.set_images(c, s);
            for (int i = 0; i < warmup; ++i) engine.step();
            (void)engine.last_losses();
            std::vector<double> ms;
            for (int i = 0; i < steps; ++i) {
                const auto t0 = Clock::now();
                for (int k = 0; k < sync_every; ++k) engine.step();
                (void)engine.last_losses();  // waits for the steps (GPU)
                ms.push_back(ms_since(t0) / sync_every);
            }
            const Stats st = stats(ms);
            const double gflop = step_gflop(c.width, c.height, deepest);
            const double gflops = gflop / (st.median / 1e3);
            const long rss = peak_rss_mib();
            std::printf("%6d %10.1f %10.1f %10.1f %8.2f %10.1f %7.0f%% %9ld\n", size, st.median, st.p10, st.p90,
                        1e3 / st.median, gflops, 100.0 * gflops / conv_peak, rss);
            std::fflush(stdout);
            results["sizes"].push_back({{"size", size},
                                        {"width", c.width},
                                        {"height", c.height},
                                        {"ms_median", st.median},
                                        {"ms_p10", st.p10},
                                        {"ms_p90", st.p90},
                                        {"ms_min", st.min},
                                        {"steps_per_s", 1e3 / st.median},
                                        {"step_gflop", gflop},
                                        {"gflops", gflops},
                                        {"fraction_of_conv_peak", gflops / conv_peak},
                                        {"peak_rss_mib", rss},
                                        {"final_total_loss", engine.last_losses().total}});
        }
        if (!json_path.empty()) std::ofstream(json_path) << results.dump(1) << '\n';
        return 0;
    } catch (const std::exception& e) {
        std::string what = e.what();
        std::fprintf(stderr, "nst-bench: %s\n", what.substr(0, what.find('\n')).c_str());
        return 1;
    }
}
