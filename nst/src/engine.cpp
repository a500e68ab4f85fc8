// The Gatys et al. loss and the Adam loop on the image. This file (with vgg19.cpp) is the only
// place that touches LibTorch; see docs/LOSS.md for the loss written out.
#include "nst/engine.h"

#include <torch/torch.h>

#include <malloc.h>

#include <algorithm>
#include <cmath>
#include <mutex>
#include <cstring>
#include <optional>
#include <set>

#include "nst/error.h"
#include "adam.h"
#include "losses.h"
#include "vgg19.h"

#if NST_TORCH_HAS_CUDA
#include <ATen/cuda/CUDAGraph.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#endif

namespace nst {

Params Params::defaults() {
    Params p;
    p.content_layers = parse_layer_spec(kDefaultContentLayers, "--content-layers");
    p.style_layers = parse_layer_spec(kDefaultStyleLayers, "--style-layers");
    return p;
}

std::string libtorch_version() { return TORCH_VERSION; }
bool cuda_compiled() { return NST_TORCH_HAS_CUDA != 0; }
bool cuda_available() { return torch::cuda::is_available(); }

std::string resolve_device(const std::string& device) {
    if (device == "auto") return cuda_available() ? "cuda:0" : "cpu";
    if (device == "cpu") return "cpu";
    if (device == "cuda" || device.starts_with("cuda:")) {
        int index = 0;
        if (device.size() > 5) {
            const std::string digits = device.substr(5);
            if (digits.empty() || !std::all_of(digits.begin(), digits.end(), ::isdigit) || digits.size() > 3)
                throw UsageError("--device " + device + ": expected auto, cpu, cuda or cuda:N");
            index = std::stoi(digits);
        }
        if (!cuda_available())
            throw Error("--device " + device +
                        ": CUDA is not usable on this machine (no GPU or driver found); use --device cpu or auto");
        const auto count = static_cast<int>(torch::cuda::device_count());
        if (index >= count)
            throw Error("--device " + device + ": there are only " + std::to_string(count) + " CUDA device(s)");
        return "cuda:" + std::to_string(index);
    }
    throw UsageError("--device " + device + ": expected auto, cpu, cuda or cuda:N");
}

Precision parse_precision(const std::string& name) {
    if (name == "fp32") return Precision::FP32;
    if (name == "bf16") return Precision::BF16;
    if (name == "tf32") return Precision::TF32;
    throw UsageError("--precision " + name + ": expected fp32, bf16 or tf32");
}

const char* precision_name(Precision p) {
    switch (p) {
        case Precision::BF16: return "bf16";
        case Precision::TF32: return "tf32";
        default: return "fp32";
    }
}

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

torch::Tensor to_tensor(const Image& img, const torch::Device& device) {
    // HWC floats -> [1,3,H,W]; clone because from_blob does not own the memory.
    auto hwc = torch::from_blob(const_cast<float*>(img.rgb.data()), {img.height, img.width, 3}, torch::kFloat32);
    return hwc.permute({2, 0, 1}).unsqueeze(0).contiguous().to(device, /*non_blocking=*/false, /*copy=*/true);
}

Image to_image(const torch::Tensor& x) {
    const auto hwc = x.detach()[0].permute({1, 2, 0}).contiguous().to(torch::kCPU, torch::kFloat32);
    Image img;
    img.height = static_cast<int>(hwc.size(0));
    img.width = static_cast<int>(hwc.size(1));
    img.rgb.resize(static_cast<std::size_t>(hwc.numel()));
    std::memcpy(img.rgb.data(), hwc.data_ptr<float>(), img.rgb.size() * sizeof(float));
    return img;
}

int deepest_layer(const Params& p) {
    int deepest = 0;
    for (const auto* layers : {&p.content_layers, &p.style_layers})
        for (const auto& lw : *layers) deepest = std::max(deepest, relu_index(lw.layer));
    return deepest;
}

}  // namespace

struct Engine::Impl {
    EngineOptions options;
    Params params;
    torch::Device device{torch::kCPU};
    VGG19Features net{nullptr};
    torch::Tensor mean, std;

    // Inputs kept so that newly enabled layers can be targeted without reloading the images.
    torch::Tensor content, style;
    // Targets, by ReLU index: content activations and style Gram matrices.
    std::map<int, torch::Tensor> content_targets, style_targets;

    torch::Tensor x;  // the image being optimised, [1,3,H,W] in [0,1], a leaf with grad
    std::unique_ptr<ImageAdam> adam;
    torch::Tensor loss_content, loss_style, loss_tv, loss_total;  // detached, of the last step
    torch::Tensor publish_staging;  // pinned host buffer for image_rgba8 on CUDA
    int steps = 0;

#if NST_TORCH_HAS_CUDA
    // CUDA graph of one whole step (forward, backward, Adam, clamp): on a GPU an eager step is
    // bound by launching ~300 small kernels from the CPU; a replay launches them all at once.
    // Captured after two eager steps (cuDNN autotuning and workspaces settle) and dropped when
    // anything baked into it changes (weights of the loss, layers, the image, the optimizer).
    std::unique_ptr<at::cuda::CUDAGraph> graph;
    int eager_since_invalidate = 0;
    bool graph_failed = false;
#endif
    void invalidate_graph() {
#if NST_TORCH_HAS_CUDA
        graph.reset();
        eager_since_invalidate = 0;
#endif
    }

    void build_net(int last_index) {
        VGG19Features fresh(last_index, options.pooling);
        if (options.features.random())
            fresh->init_random(options.features.random_seed);
        else
            fresh->load_safetensors(options.features.weights_path);
        fresh->to(device, net_dtype());
        if (channels_last()) fresh->to_channels_last();
        net = fresh;
    }

    // NHWC everywhere except strict fp32 on CUDA, where cuDNN's NCHW kernels were faster on an H100
    // (512 px: 11.4 vs 12.3 ms; 1024: 38.2 vs 42.2; docs/PERFORMANCE.md).
    [[nodiscard]] bool channels_last() const {
        return !(device.is_cuda() && options.precision == Precision::FP32);
    }

    [[nodiscard]] torch::ScalarType net_dtype() const {
        return options.precision == Precision::BF16 ? torch::kBFloat16 : torch::kFloat32;
    }

    // Activations at `taps`, always returned as fp32 (the losses and Gram matrices stay fp32).
    std::vector<torch::Tensor> features(const torch::Tensor& img, const std::vector<int>& taps) {
        auto normalised = (img - mean) / std;
        // Channels-last (NHWC) lets oneDNN and cuDNN's tensor-core kernels run the convolutions
        // without reordering every activation (measured in docs/PERFORMANCE.md).
        if (channels_last()) normalised = normalised.contiguous(torch::MemoryFormat::ChannelsLast);
        if (net_dtype() == torch::kFloat32) return net->forward(normalised, taps);
        auto out = net->forward(normalised.to(net_dtype()), taps);
        for (auto& f : out) f = f.to(torch::kFloat32);
        return out;
    }

    // Computes the targets that `params` needs and are not there yet (all of them after new images).
    void ensure_targets() {
        if (!content.defined()) return;
        const int deepest = deepest_layer(params);
        if (!net || deepest > net->last_index()) build_net(deepest);
        torch::NoGradGuard no_grad;
        auto missing = [](const std::vector<LayerWeight>& layers, const std::map<int, torch::Tensor>& have) {
            std::set<int> idx;
            for (const auto& lw : layers)
                if (!have.contains(relu_index(lw.layer))) idx.insert(relu_index(lw.layer));
            return std::vector<int>(idx.begin(), idx.end());
        };
        if (const auto taps = missing(params.content_layers, content_targets); !taps.empty()) {
            const auto feats = features(content, taps);
            for (std::size_t i = 0; i < taps.size(); ++i) content_targets[taps[i]] = feats[i].detach();
        }
        if (const auto taps = missing(params.style_layers, style_targets); !taps.empty()) {
            const auto feats = features(style, taps);
            for (std::size_t i = 0; i < taps.size(); ++i) style_targets[taps[i]] = losses::gram(feats[i]).detach();
        }
    }

    void reset_optimizer() {
        invalidate_graph();
        adam = std::make_unique<ImageAdam>(x, AdamOptions{.lr = params.lr});
    }

    void set_images(const Image& c, const Image& s) {
        if (c.empty() || s.empty()) throw Error("content and style images must not be empty");
        // Each pooling layer before the deepest used layer halves the image; below 1 px there
        // is nothing left to compare.
        const int deepest = deepest_layer(params);
        int min_side = 1;
        for (const auto& layer : vgg19_layers())
            if (layer.kind == LayerKind::Pool && layer.index < deepest) min_side *= 2;
        for (const auto* img : {&c, &s})
            if (std::min(img->width, img->height) < min_side)
                throw UsageError("image " + std::to_string(img->width) + "x" + std::to_string(img->height) +
                                 " is too small for layer " + vgg19_layers()[static_cast<std::size_t>(deepest)].name +
                                 ": its short side must be at least " + std::to_string(min_side) +
                                 " px (raise --size)");
        content = to_tensor(c, device);
        style = to_tensor(s, device);
        content_targets.clear();
        style_targets.clear();
        ensure_targets();
    }

    void set_x(torch::Tensor start) {
        x = start.detach().clone().clamp_(0, 1).requires_grad_(true);
        reset_optimizer();
        steps = 0;
        loss_content = loss_style = loss_tv = loss_total = torch::Tensor();
    }

    void step() {
        if (!x.defined()) throw Error("Engine::step called before set_images");
#if NST_TORCH_HAS_CUDA
        if (options.cuda_graph && device.is_cuda() && !graph_failed) {
            if (!graph && eager_since_invalidate >= 2) capture_graph();
            if (graph) {
                adam->prepare_graphed(x);
                graph->replay();
                ++steps;
                return;
            }
            ++eager_since_invalidate;
        }
#endif
        loss_and_backward();
        adam->step(x);
        ++steps;
    }

#if NST_TORCH_HAS_CUDA
    void capture_graph() {
        torch::cuda::synchronize();
        x.mutable_grad() = torch::Tensor();
        adam->init_graphed(x);
        auto fresh = std::make_unique<at::cuda::CUDAGraph>();
        const auto stream = c10::cuda::getStreamFromPool();
        bool capturing = false;
        try {
            const c10::cuda::CUDAStreamGuard guard(stream);
            fresh->capture_begin();
            capturing = true;
            loss_and_backward();
            adam->step_graphed(x);
            capturing = false;
            fresh->capture_end();
            torch::cuda::synchronize();
            graph = std::move(fresh);
        } catch (const std::exception& e) {
            // Some builds or drivers refuse capture; eager steps are correct, only slower. A
            // half-made capture must be ended, or every later kernel launch would fail.
            if (capturing) {
                try {
                    const c10::cuda::CUDAStreamGuard guard(stream);
                    fresh->capture_end();
                } catch (const std::exception&) {
                }
            }
            graph_failed = true;
            x.mutable_grad() = torch::Tensor();
            std::string what = e.what();
            std::fprintf(stderr, "nst: CUDA graph capture failed, continuing without it: %s\n",
                         what.substr(0, what.find('\n')).c_str());
        }
    }
#endif

    // The loss at the current x and its gradient in x.grad().
    void loss_and_backward() {
        // Only layers with a non-zero weight cost anything; the forward stops at the deepest one.
        std::set<int> tap_set;
        for (const auto* layers : {&params.content_layers, &params.style_layers})
            for (const auto& lw : *layers)
                if (lw.weight != 0.f) tap_set.insert(relu_index(lw.layer));
        const std::vector<int> taps(tap_set.begin(), tap_set.end());
        const auto feats = features(x, taps);
        auto feat_of = [&](int idx) {
            return feats[static_cast<std::size_t>(std::find(taps.begin(), taps.end(), idx) - taps.begin())];
        };

        auto zero = torch::zeros({}, x.options().requires_grad(false));
        torch::Tensor content_loss = zero, style_loss = zero;
        for (const auto& lw : params.content_layers) {
            if (lw.weight == 0.f) continue;
            const int idx = relu_index(lw.layer);
            content_loss = content_loss + lw.weight * losses::mean_sq(feat_of(idx), content_targets.at(idx));
        }
        for (const auto& lw : params.style_layers) {
            if (lw.weight == 0.f) continue;
            const int idx = relu_index(lw.layer);
            style_loss = style_loss + lw.weight * losses::mean_sq(losses::gram(feat_of(idx)), style_targets.at(idx));
        }
        const auto tv_loss = losses::total_variation(x);
        const auto total = params.content_weight * content_loss + params.style_weight * style_loss +
                           params.tv_weight * tv_loss;

        // A fresh gradient each step (no zero-fill); inside a CUDA graph the one captured buffer.
#if NST_TORCH_HAS_CUDA
        if (!graph) x.mutable_grad() = torch::Tensor();
#else
        x.mutable_grad() = torch::Tensor();
#endif
        total.backward();
        // Kept as device tensors: reading them (last_losses) is the only host sync.
        loss_content = content_loss.detach();
        loss_style = style_loss.detach();
        loss_tv = tv_loss.detach();
        loss_total = total.detach();
    }
};

Engine::Engine(const EngineOptions& options, const Params& params) : impl_(std::make_unique<Impl>()) {
    impl_->options = options;
    impl_->params = params;
    if (params.content_layers.empty() && params.style_layers.empty())
        throw UsageError("at least one content or style layer is needed");
    if (!(params.lr > 0.f) || !std::isfinite(params.lr))
        throw UsageError("--lr " + std::to_string(params.lr) + ": the learning rate must be > 0");
    impl_->device = torch::Device(resolve_device(options.device));
    if (options.precision == Precision::TF32 && !impl_->device.is_cuda())
        throw UsageError("--precision tf32 needs a CUDA device (use fp32 or bf16 on CPU)");
    if (impl_->device.is_cuda()) {
        // fp32 means fp32: cuDNN would otherwise use TF32 tensor cores for convolutions by default.
        const bool tf32 = options.precision == Precision::TF32;
        at::globalContext().setAllowTF32CuDNN(tf32);
        at::globalContext().setAllowTF32CuBLAS(tf32);
    }
    if (options.threads > 0) torch::set_num_threads(options.threads);
    if (impl_->device.is_cpu()) keep_freed_memory_for_reuse();
    if (impl_->device.is_cuda()) at::globalContext().setBenchmarkCuDNN(true);
    const auto opts = torch::TensorOptions().dtype(torch::kFloat32).device(impl_->device);
    impl_->mean = torch::tensor({0.485f, 0.456f, 0.406f}, opts).view({1, 3, 1, 1});
    impl_->std = torch::tensor({0.229f, 0.224f, 0.225f}, opts).view({1, 3, 1, 1});
    impl_->build_net(deepest_layer(params));
}

Engine::~Engine() = default;

void Engine::set_images(const Image& content, const Image& style, Init init) {
    impl_->set_images(content, style);
    if (init == Init::Content) {
        impl_->set_x(impl_->content);
    } else {
        auto gen = at::make_generator<at::CPUGeneratorImpl>(impl_->options.seed);
        auto noise = at::rand(impl_->content.sizes(), gen, torch::TensorOptions().dtype(torch::kFloat32));
        impl_->set_x(noise.to(impl_->device));
    }
}

void Engine::retarget(const Image& content, const Image& style, const Image& start) {
    impl_->set_images(content, style);
    const Image resized = (start.width == content.width && start.height == content.height)
                              ? start
                              : resize_to(start, content.width, content.height);
    impl_->set_x(to_tensor(resized, impl_->device));
}

void Engine::set_params(const Params& params) {
    if (params.content_layers.empty() && params.style_layers.empty())
        throw UsageError("at least one content or style layer is needed");
    if (!(params.lr > 0.f) || !std::isfinite(params.lr))
        throw UsageError("learning rate " + std::to_string(params.lr) + " must be > 0");
    const bool weights_changed = params.content_weight != impl_->params.content_weight ||
                                 params.style_weight != impl_->params.style_weight ||
                                 params.tv_weight != impl_->params.tv_weight ||
                                 params.content_layers != impl_->params.content_layers ||
                                 params.style_layers != impl_->params.style_layers;
    impl_->params = params;
    impl_->ensure_targets();
    if (weights_changed) impl_->invalidate_graph();  // the loss weights are baked into a graph
    if (impl_->adam) {
        impl_->adam->set_lr(params.lr);  // Adam's moments survive a learning-rate change
    }
}

bool Engine::needs_rebuild(const Params& params) const {
    for (const auto& lw : params.content_layers)
        if (!impl_->content_targets.contains(relu_index(lw.layer))) return true;
    for (const auto& lw : params.style_layers)
        if (!impl_->style_targets.contains(relu_index(lw.layer))) return true;
    return false;
}

void Engine::step() { impl_->step(); }

Losses Engine::last_losses() const {
    if (!impl_->loss_total.defined()) return {};
    // One device->host transfer (one sync on a GPU) for all four numbers.
    const auto host = torch::stack({impl_->loss_content, impl_->loss_style, impl_->loss_tv, impl_->loss_total})
                          .to(torch::kCPU, torch::kFloat64);
    const auto* v = host.data_ptr<double>();
    return {v[0], v[1], v[2], v[3]};
}

int Engine::steps_done() const { return impl_->steps; }

Image Engine::image() const {
    if (!impl_->x.defined()) return {};
    return to_image(impl_->x);
}

void Engine::image_rgba8(std::vector<std::uint8_t>& out, int& width, int& height) const {
    if (!impl_->x.defined()) {
        width = height = 0;
        out.clear();
        return;
    }
    torch::NoGradGuard no_grad;
    const auto hwc = (impl_->x.detach()[0].permute({1, 2, 0}) * 255.0).round_().clamp_(0, 255).to(torch::kUInt8);
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

}  // namespace nst
