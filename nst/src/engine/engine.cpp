// The engine: composes the loss units (content_loss.h, style_loss.h, tv_loss.h) over VGG19
// activations and runs the optimiser (adam.h, lbfgs.h) on the image, with an optional moving
// average of the iterates (image_average.h). docs/LOSS.md writes the loss out.
#include "nst/engine.h"

#include <malloc.h>

#include <cstring>
#include <mutex>

#include "engine/engine_impl.h"
#include "loss/gram.h"

#if NST_TORCH_HAS_CUDA
#include <c10/cuda/CUDAStream.h>
#endif

namespace nst {

namespace {

// LibTorch's CPU allocator is plain malloc. glibc serves blocks above 32 MiB with mmap and returns
// them with munmap, so every step re-faults (and the kernel re-zeroes) hundreds of MB of
// activations; the trim threshold does the same for the heap top. Keeping freed memory in the heap
// makes the next step reuse it: 1694 -> 1567 ms/step at 512 px on 2 Zen 4 cores
// (docs/PERFORMANCE.md). The price is that the process keeps its peak footprint.
void keep_freed_memory_for_reuse() {
#ifdef __GLIBC__
    static std::once_flag once;
    std::call_once(once, [] {
        mallopt(M_MMAP_MAX, 0);
        mallopt(M_TRIM_THRESHOLD, 1 << 30);
        mallopt(M_TOP_PAD, 256 << 20);
    });
#endif
}

}  // namespace

// Everything an Engine holds (engine_impl.h).
struct Engine::Impl : EngineCore {};

void check_params(const Params& params) {
    if (params.content_layers.empty() && params.style_layers.empty())
        throw UsageError("at least one content or style layer is needed");
    if (!(params.lr > 0.f) || !std::isfinite(params.lr))
        throw UsageError("--lr " + std::to_string(params.lr) + ": the learning rate must be > 0");
    check_style_scale(params.style_scale);
    if (!params.style_blend.empty()) (void)normalized_blend(params.style_blend, params.style_blend.size());
    check_average(params.average);
    check_lbfgs_history(params.lbfgs_history);
    check_sw_directions(params.sw_directions);
    check_samples(params.samples);
    check_normalize_gradients(params.normalize_gradients);
    if (!params.layer_blend.empty() && params.style_loss == StyleLoss::REMD)
        throw UsageError("--layer-blend does not apply to --style-loss remd: its hypercolumns join the layers (use gram, "
                         "w2, sw or nn)");
    if (!(params.temporal_weight >= 0.f) || !std::isfinite(params.temporal_weight))
        throw UsageError("--temporal-weight " + std::to_string(params.temporal_weight) + ": must be a finite number >= 0");
}

void EngineCore::open(const EngineOptions& options, const Params& params) {
    check_params(params);
    this->options = options;
    this->params = params;
    device = torch::Device(resolve_device(options.device));
    if (options.precision == Precision::TF32 && !device.is_cuda())
        throw UsageError("--precision tf32 needs a CUDA device (use fp32 or bf16 on CPU)");
    if (device.is_cuda()) {
        // fp32 means fp32: cuDNN would otherwise use TF32 tensor cores for convolutions by default.
        const bool tf32 = options.precision == Precision::TF32;
        at::globalContext().setAllowTF32CuDNN(tf32);
        at::globalContext().setAllowTF32CuBLAS(tf32);
    }
    if (options.threads > 0) torch::set_num_threads(options.threads);
    if (device.is_cpu()) keep_freed_memory_for_reuse();
    if (device.is_cuda()) at::globalContext().setBenchmarkCuDNN(true);
    const auto opts = torch::TensorOptions().dtype(torch::kFloat32).device(device);
    mean = torch::tensor({0.485f, 0.456f, 0.406f}, opts).view({1, 3, 1, 1});
    std = torch::tensor({0.229f, 0.224f, 0.225f}, opts).view({1, 3, 1, 1});
    build_net(deepest_layer(params));
    if (device.is_cpu()) warm_up_cpu_kernels();
}

// The first loss-and-gradient step in a process sometimes rounds differently from every later one:
// with two busy loops beside it on a 2-core machine, 2 to 8 of every 100 fresh processes (a 32 px,
// 2-step parity dump) took one other first gradient, always the same one, so two runs of the same
// flags could differ by a few 8-bit levels. Something LibTorch's CPU path initialises lazily on
// first use races with that first step. Not narrowed down further: a first autograd backward, the
// matrix products, or one convolution forward and backward alone did not remove it, and neither
// did MKL_CBWR=AUTO,STRICT, OMP_DYNAMIC=false or MALLOC_ARENA_MAX=1; one whole small step before
// the real ones did (0 of 200 with this function). So each thread that opens an engine first runs
// one step of the same kind on a 16 px image: the same net, Gram and TV terms, backward, and an
// Adam update. About 20 ms (2 cores, net to relu5_1); it touches neither the global RNG nor any
// state of the run.
void EngineCore::warm_up_cpu_kernels() {
    thread_local bool warm = false;
    if (warm) return;
    warm = true;
    constexpr int kSide = 16;  // relu5_x, after four poolings, still has one pixel
    auto img = torch::linspace(0.0, 1.0, 3 * kSide * kSide, torch::TensorOptions().dtype(torch::kFloat32))
                   .view({1, 3, kSide, kSide})
                   .requires_grad_(true);
    auto loss = TvTerm::evaluate(img);
    for (const auto& [layer, feat] : features(img, used_taps(params)))
        loss = loss + losses::mean_sq(losses::gram(feat), torch::zeros({}));
    loss.backward();
    ImageAdam(img, AdamOptions{}).step(img);
}

Engine::Engine(const EngineOptions& options, const Params& params) : impl_(std::make_unique<Impl>()) {
    impl_->open(options, params);
}

Engine::~Engine() = default;

namespace {

// Texture mode has no content: the colour modes and colours only, which need one, are refused.
void refuse_what_needs_content(const Params& p) {
    if (p.colors != ColorMode::Off)
        throw UsageError(std::string("--preserve-colors ") + color_mode_name(p.colors) +
                         " needs a content image (texture mode has none)");
    if (p.colors_only) throw UsageError("--colors-only needs a content image (texture mode has none)");
}

// A flat grey of the size: texture mode's stand-in content (no target is ever made of it).
Image texture_canvas(int width, int height) {
    if (width < 1 || height < 1)
        throw UsageError("texture size " + std::to_string(width) + "x" + std::to_string(height) + ": both sides must be >= 1");
    Image canvas;
    canvas.width = width;
    canvas.height = height;
    canvas.rgb.assign(static_cast<std::size_t>(width) * height * 3, 0.5f);
    return canvas;
}

}  // namespace

// The mode changes with the inputs; a failure (a size too small, a colour mode without content)
// leaves the previous mode and inputs.
void EngineCore::set_inputs(const Image& content, const std::vector<Image>& styles, bool as_texture) {
    if (as_texture) refuse_what_needs_content(params);  // before anything changes
    const bool old = texture;
    texture = as_texture;
    try {
        set_images(content, styles);
    } catch (...) {
        texture = old;
        if (content_rgb.defined()) {
            inputs_for.reset();
            ensure_targets();
        }
        throw;
    }
}

// What the creative controls need of the image and the mode (throws UsageError naming them).
void EngineCore::check_creative() const {
    const auto height = static_cast<int>(content_rgb.size(2)), width = static_cast<int>(content_rgb.size(3));
    if (params.seamless) {
        const int grid = seamless_grid(params);
        if (width % grid != 0 || height % grid != 0) {
            const auto [w, h] = seamless_size(width, height, params);
            throw UsageError("--seamless needs both sides a multiple of " + std::to_string(grid) +
                             " (the poolings before the deepest layer), not " + std::to_string(width) + "x" +
                             std::to_string(height) + ": e.g. " + std::to_string(w) + "x" + std::to_string(h));
        }
    }
    if (texture) refuse_what_needs_content(params);
}

// Colours only: the content with its colour mean and covariance mapped to the styles' mix (each
// style's moments weighted by the blend: the mean Σ w_k μ_k, the second moment Σ w_k (Σ_k +
// μ_k μ_kᵀ)), clamped to [0,1].
torch::Tensor EngineCore::recoloured() const {
    torch::NoGradGuard no_grad;
    if (texture) throw UsageError("--colors-only needs a content image (texture mode has none)");
    std::vector<torch::Tensor> styles;
    for (const auto& style : style_sources) styles.push_back(to_tensor(style, device));
    return color_ops::colors_only(content_rgb, styles, normalized_blend(params.style_blend, style_sources.size()));
}

void Engine::set_images(const Image& content, const std::vector<Image>& styles, Init init) {
    impl_->set_inputs(content, styles, false);
    impl_->set_x(impl_->initial(init));
}

void Engine::retarget(const Image& content, const std::vector<Image>& styles, const Image& start) {
    if (start.empty()) throw Error("the start image must not be empty");
    impl_->set_inputs(content, styles, false);
    impl_->set_x(impl_->initial(start));
}

void Engine::set_texture(int width, int height, const std::vector<Image>& styles, Init init) {
    if (init == Init::Content)
        throw UsageError("--init content needs a content image: texture mode starts from noise or gray");
    impl_->set_inputs(texture_canvas(width, height), styles, true);
    impl_->set_x(impl_->initial(init));
}

void Engine::retarget_texture(int width, int height, const std::vector<Image>& styles, const Image& start) {
    if (start.empty()) throw Error("the start image must not be empty");
    impl_->set_inputs(texture_canvas(width, height), styles, true);
    impl_->set_x(impl_->initial(start));
}

bool Engine::texture() const { return impl_->texture; }


void Engine::set_content(const Image& content, const Image& start) {
    if (start.empty()) throw Error("the start image must not be empty");
    impl_->set_content(content);
    impl_->set_x(impl_->initial(start));
}

void Engine::set_temporal(const std::vector<TemporalTarget>& targets) { impl_->set_temporal(targets); }

void Engine::restart(Init init) {
    if (!impl_->content_rgb.defined()) throw Error("Engine::restart called before set_images");
    impl_->set_x(impl_->initial(init));
}

void Engine::restart(const Image& start) {
    if (!impl_->content_rgb.defined()) throw Error("Engine::restart called before set_images");
    if (start.empty()) throw Error("the start image must not be empty");
    impl_->set_x(impl_->initial(start));
}

void Engine::set_params(const Params& params) {
    check_params(params);
    const bool weights_changed = params.content_weight != impl_->params.content_weight ||
                                 params.style_weight != impl_->params.style_weight ||
                                 params.tv_weight != impl_->params.tv_weight ||
                                 params.temporal_weight != impl_->params.temporal_weight ||
                                 params.content_layers != impl_->params.content_layers ||
                                 params.style_layers != impl_->params.style_layers ||
                                 params.style_loss != impl_->params.style_loss ||
                                 params.content_loss != impl_->params.content_loss ||
                                 params.sw_directions != impl_->params.sw_directions ||
                                 params.samples != impl_->params.samples ||
                                 params.seamless != impl_->params.seamless ||
                                 params.normalize_gradients != impl_->params.normalize_gradients ||
                                 InputKey::of(params) != InputKey::of(impl_->params);
    const Params old = impl_->params;
    impl_->params = params;
    try {
        impl_->ensure_targets();
    } catch (...) {
        impl_->params = old;  // e.g. a style scale too small for the deepest layer
        impl_->inputs_for.reset();
        impl_->ensure_targets();
        throw;
    }
    if (weights_changed) impl_->invalidate_graph();  // baked into a captured graph
    if (!impl_->x.defined()) return;
    if (params.optimizer != old.optimizer) {
        impl_->reset_optimizer();  // the image is kept; the new optimiser starts from it afresh
    } else {
        // Adam's moments and L-BFGS's curvature pairs survive a learning-rate change.
        if (impl_->adam) impl_->adam->set_lr(params.lr);
        if (impl_->lbfgs) {
            impl_->lbfgs->set_lr(params.lr);
            impl_->lbfgs->set_history(params.lbfgs_history);
        }
    }
    if (params.average != old.average) impl_->reset_average();  // restarts from the current iterate
}

bool Engine::needs_rebuild(const Params& params) const {
    if (!impl_->content_rgb.defined()) return false;
    if (impl_->inputs_for != InputKey::of(params)) return true;
    if (params.seamless != impl_->content_seamless && !impl_->texture) return true;  // the content's target
    for (const auto& lw : impl_->texture ? std::vector<LayerWeight>{} : params.content_layers)
        if (!impl_->content_term.has(relu_index(lw.layer))) return true;
    for (const auto& lw : params.style_layers) {
        const int idx = relu_index(lw.layer);
        if (!impl_->style_term.has(idx)) return true;
        if (matches_features(params.style_loss) && !impl_->match_term.has(idx)) return true;
    }
    return false;
}

void Engine::set_spatial(const SpatialControl& spatial) { impl_->set_spatial(spatial); }
const SpatialControl& Engine::spatial() const { return impl_->spatial.control(); }

void Engine::step() {
    impl_->interrupted = false;
    try {
        impl_->step();
    } catch (const std::exception&) {
        // An interrupt thrown from a backward hook may reach here wrapped by the autograd engine.
        if (impl_->interrupted) throw StepInterrupted();
        throw;
    }
}

Losses Engine::last_losses() const {
    if (!impl_->loss_total.defined()) return {};
    // One device->host transfer (one sync on a GPU) for all four numbers.
    const auto temporal = impl_->loss_temporal.defined() ? impl_->loss_temporal : torch::zeros_like(impl_->loss_tv);
    const auto host =
        torch::stack({impl_->loss_content, impl_->loss_style, impl_->loss_tv, impl_->loss_total, temporal})
            .to(torch::kCPU, torch::kFloat64);
    const auto* v = host.data_ptr<double>();
    return {v[0], v[1], v[2], v[3], v[4]};
}

int Engine::steps_done() const { return impl_->steps; }
long Engine::target_passes() const { return impl_->target_passes; }

Image Engine::image() const {
    if (!impl_->x.defined()) return {};
    return to_image(impl_->x);
}

Image Engine::result(bool averaged) const {
    if (!impl_->x.defined()) return {};
    return to_image(impl_->shown(averaged));
}

long Engine::optimizer_restarts() const {
    return impl_->lbfgs_restarts + (impl_->lbfgs ? impl_->lbfgs->restarts() : 0);
}

void Engine::image_rgba8(std::vector<std::uint8_t>& out, int& width, int& height, bool averaged) const {
    if (!impl_->x.defined()) {
        width = height = 0;
        out.clear();
        return;
    }
    torch::NoGradGuard no_grad;
    const auto hwc = (impl_->shown(averaged)[0].permute({1, 2, 0}) * 255.0).round_().clamp_(0, 255).to(torch::kUInt8);
    const auto alpha = torch::full({hwc.size(0), hwc.size(1), 1}, 255, hwc.options());
    auto rgba = torch::cat({hwc, alpha}, 2).contiguous();
    if (impl_->device.is_cuda()) {
        // Asynchronous copy into pinned host memory (one DMA, no pageable bounce buffer); only
        // this copy is waited for, every N steps, never a step.
        auto& staging = impl_->publish_staging;
        if (!staging.defined() || staging.sizes() != rgba.sizes())
            staging = torch::empty(rgba.sizes(), torch::TensorOptions().dtype(torch::kUInt8).pinned_memory(true));
        staging.copy_(rgba, /*non_blocking=*/true);
#if NST_TORCH_HAS_CUDA
        c10::cuda::getCurrentCUDAStream().synchronize();
#endif
        rgba = staging;
    }
    height = static_cast<int>(rgba.size(0));
    width = static_cast<int>(rgba.size(1));
    out.resize(static_cast<std::size_t>(rgba.numel()));
    std::memcpy(out.data(), rgba.data_ptr<std::uint8_t>(), out.size());
}

std::string Engine::device_name() const { return impl_->device.str(); }
bool Engine::random_features() const { return impl_->options.features.random(); }
TilePlan Engine::tiling() const { return impl_->plan; }

}  // namespace nst
