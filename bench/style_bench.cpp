// nst-style-bench: what the style knobs cost, measured in one run on one machine.
//   1. A step with the W2 statistic against a step with Gram matrices (same images, same engine
//      settings), median of N steps after warm-up, at each size.
//   2. The latency of a live change, from the call to the next published image (set_params, one
//      step, image_rgba8): a blend change and a colours off -> post toggle, against a plain step
//      and publication, plus the forward passes each change made (target_passes).
//   3. For reference, re-targeting for a new style scale (forward passes of every style).
//   0. (first) Each style loss (gram, w2, sw, remd, nn) and the self-similarity content term: the
//      median step against Gram's, and the process's peak memory, each in its own forked process
//      so that one loss's peak is not another's. Then Gram with the creative controls: --seamless,
//      --normalize-gradients 1, a texture (no content) and a seamless texture.
#include <CLI/CLI.hpp>
#include <sys/wait.h>
#include <unistd.h>

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

// The process's peak resident memory (VmHWM), MiB.
double peak_rss_mib() {
    FILE* f = std::fopen("/proc/self/status", "r");
    if (!f) return 0;
    char line[256];
    double kib = 0;
    while (std::fgets(line, sizeof line, f))
        if (std::sscanf(line, "VmHWM: %lf kB", &kib) == 1) break;
    std::fclose(f);
    return kib / 1024;
}

struct LossRun {
    const char* name;
    nst::StyleLoss style;
    nst::ContentLoss content;
    // The creative controls on a Gram step: circular padding and wrapping TV (the size rounded to
    // the grid), gradient normalisation at this strength, a texture (no content term).
    bool seamless = false;
    float normalize = 0;
    bool texture = false;
};

// Runs `run` in a child process and returns its (median ms, peak MiB); {-1,-1} if it failed.
template <class F>
std::pair<double, double> in_child(F run) {
    int fds[2];
    if (pipe(fds) != 0) return {-1, -1};
    const pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        double out[2] = {-1, -1};
        try {
            out[0] = run();
            out[1] = peak_rss_mib();
        } catch (const std::exception& e) {
            std::fprintf(stderr, "nst-style-bench: %s\n", e.what());
        }
        (void)!write(fds[1], out, sizeof out);
        _exit(0);
    }
    close(fds[1]);
    double out[2] = {-1, -1};
    (void)!read(fds[0], out, sizeof out);
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    return {out[0], out[1]};
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<int> sizes{256, 512};
    int steps = 10, warmup = 2, threads = 0;
    std::string device = "cpu";
    std::string content = std::string(NST_ASSETS_DIR) + "/content.jpg";
    std::string style = std::string(NST_ASSETS_DIR) + "/style.jpg";
    CLI::App app{"nst-style-bench: the cost of each style loss, and of live blend/colour changes"};
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
    // The losses, each in a fresh process (before this process runs anything of LibTorch's, so the
    // children fork a process without thread pools).
    const LossRun runs[] = {{"gram", nst::StyleLoss::Gram, nst::ContentLoss::MSE},
                            {"w2", nst::StyleLoss::W2, nst::ContentLoss::MSE},
                            {"sw", nst::StyleLoss::SW, nst::ContentLoss::MSE},
                            {"remd", nst::StyleLoss::REMD, nst::ContentLoss::MSE},
                            {"nn", nst::StyleLoss::NN, nst::ContentLoss::MSE},
                            {"gram+ss", nst::StyleLoss::Gram, nst::ContentLoss::SelfSimilarity},
                            {"seamless", nst::StyleLoss::Gram, nst::ContentLoss::MSE, true},
                            {"norm 1", nst::StyleLoss::Gram, nst::ContentLoss::MSE, false, 1.0f},
                            {"texture", nst::StyleLoss::Gram, nst::ContentLoss::MSE, false, 0.0f, true},
                            {"tex+seam", nst::StyleLoss::Gram, nst::ContentLoss::MSE, true, 0.0f, true}};
    std::printf("%6s %8s %10s %8s %10s\n", "size", "loss", "ms/step", "x gram", "peak MiB");
    for (const int size : sizes) {
        double gram_ms = 0;
        for (const auto& r : runs) {
            const auto [ms, mib] = in_child([&] {
                nst::Image c = nst::resize_long_side(content_full, size);
                nst::Params p = nst::Params::defaults();
                p.style_loss = r.style;
                p.content_loss = r.content;
                p.style_weight = nst::default_style_weight(r.style, true);
                p.content_weight = nst::default_content_weight(r.content);
                p.seamless = r.seamless;
                p.normalize_gradients = r.normalize;
                if (r.seamless) {
                    const auto [w, h] = nst::seamless_size(c.width, c.height, p);
                    c = nst::resize_to(content_full, w, h);
                }
                nst::Engine e(options, p);
                const std::vector<nst::Image> styles{nst::resize_long_side(style_full, size)};
                if (r.texture) e.set_texture(c.width, c.height, styles, nst::Init::Noise);
                else e.set_images(c, styles);
                return median_step_ms(e, warmup, steps);
            });
            if (&r == &runs[0]) gram_ms = ms;  // plain Gram: what every row is compared with
            std::printf("%6d %8s %10.1f %8.2f %10.0f\n", size, r.name, ms, gram_ms > 0 ? ms / gram_ms : 0.0, mib);
            std::fflush(stdout);
        }
    }
    std::printf("\n");

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
