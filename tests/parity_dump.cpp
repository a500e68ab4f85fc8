// Runs the engine for the parity test and dumps everything the Python reference needs:
//   inputs.safetensors  - the content/style tensors exactly as the engine saw them (after load+resize)
//   run.json            - the parameters used and the losses of every step
//   final.safetensors   - the final image as float32 (PNG would quantise to 1/255)
// Usage: nst_parity_dump WEIGHTS CONTENT STYLE SIZE STEPS THREADS OUTDIR [ALPHA BETA GAMMA LR]
#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <string>

#include "nst/nst.h"

namespace {
nst::safetensors::OutTensor chw(const std::string& name, const nst::Image& img) {
    // The engine's tensors are [1,3,H,W]; Image is HWC.
    std::vector<float> planar(img.rgb.size());
    const std::size_t plane = static_cast<std::size_t>(img.width) * img.height;
    for (std::size_t i = 0; i < plane; ++i)
        for (std::size_t c = 0; c < 3; ++c) planar[c * plane + i] = img.rgb[i * 3 + c];
    return nst::safetensors::f32_tensor(name, {1, 3, img.height, img.width}, planar);
}
}  // namespace

int main(int argc, char** argv) {
    if (argc != 8 && argc != 12) {
        std::fprintf(stderr, "usage: %s WEIGHTS CONTENT STYLE SIZE STEPS THREADS OUTDIR [ALPHA BETA GAMMA LR]\n", argv[0]);
        return 2;
    }
    try {
        const std::string weights = argv[1];
        const int size = std::stoi(argv[4]), steps = std::stoi(argv[5]), threads = std::stoi(argv[6]);
        const std::filesystem::path out = argv[7];

        const auto content = nst::resize_long_side(nst::load_image(argv[2]), size);
        const auto style = nst::resize_long_side(nst::load_image(argv[3]), size);
        nst::safetensors::write(out / "inputs.safetensors", {chw("content", content), chw("style", style)});

        nst::EngineOptions options;
        options.features.weights_path = weights;
        options.device = "cpu";
        options.threads = threads;
        nst::Params params = nst::Params::defaults();
        if (argc == 12) {
            params.content_weight = std::stof(argv[8]);
            params.style_weight = std::stof(argv[9]);
            params.tv_weight = std::stof(argv[10]);
            params.lr = std::stof(argv[11]);
        }
        nst::Engine engine(options, params);
        engine.set_images(content, style);

        nlohmann::json run = {{"content_weight", params.content_weight}, {"style_weight", params.style_weight},
                              {"tv_weight", params.tv_weight},           {"lr", params.lr},
                              {"threads", threads},                      {"losses", nlohmann::json::array()}};
        for (const auto* layers : {&params.content_layers, &params.style_layers}) {
            auto& dst = run[layers == &params.content_layers ? "content_layers" : "style_layers"];
            for (const auto& lw : *layers) dst[lw.layer] = lw.weight;
        }
        for (int s = 0; s < steps; ++s) {
            engine.step();
            const auto l = engine.last_losses();
            run["losses"].push_back({{"content", l.content}, {"style", l.style}, {"tv", l.tv}, {"total", l.total}});
        }
        std::ofstream(out / "run.json") << run.dump(1) << '\n';
        nst::safetensors::write(out / "final.safetensors", {chw("image", engine.image())});
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "nst_parity_dump: %s\n", e.what());
        return 1;
    }
}
