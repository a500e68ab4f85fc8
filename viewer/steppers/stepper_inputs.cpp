// What the engine stepper hands the engine: the content at a level's size (a texture's canvas,
// sides on the seamless grid), the re-target or start for it, and the RGBA8 copies of images
// the panels show. Torch-free, as the rest of the stepper (nst/nst.h only).
#include <algorithm>
#include <cmath>
#include <tuple>

#include "steppers/engine_stepper.h"

namespace nstv {

Rgba8 to_rgba8(const nst::Image& img) {
    Rgba8 out;
    out.width = img.width;
    out.height = img.height;
    const std::size_t n = static_cast<std::size_t>(img.width) * img.height;
    out.pixels.resize(n * 4);
    for (std::size_t i = 0; i < n; ++i) {
        for (int c = 0; c < 3; ++c) {
            const float v = std::clamp(img.rgb[i * 3 + c], 0.0f, 1.0f);
            out.pixels[i * 4 + c] = static_cast<std::uint8_t>(std::lround(v * 255.0f));
        }
        out.pixels[i * 4 + 3] = 255;
    }
    return out;
}

void EngineStepper::start_from(nst::Engine& e, const nst::Image& content, const std::vector<nst::Image>& styles,
                               nst::Init init, const nst::Image& init_image, bool keep_targets, bool texture) {
    // A texture has no content to start from: "content" is noise there (as nst's --init content).
    if (texture && init == nst::Init::Content) init = nst::Init::Noise;
    if (!keep_targets && texture) e.set_texture(content.width, content.height, styles, init);
    else if (!keep_targets) e.set_images(content, styles, init);
    if (!init_image.empty()) e.restart(init_image);  // resized to the content's size
    else if (keep_targets) e.restart(init);
}

nst::Image EngineStepper::level_content(const nst::Image& src, int size, const Params& p, bool texture) {
    int width = size, height = size;
    nst::Image content;
    if (!texture) {
        content = nst::resize_long_side(src, size);
        width = content.width;
        height = content.height;
    }
    if (p.seamless) std::tie(width, height) = nst::seamless_size(width, height, p);
    if (texture) {
        content.width = width;
        content.height = height;
        content.rgb.assign(static_cast<std::size_t>(width) * height * 3, 0.5f);
        return content;
    }
    return width == content.width && height == content.height ? content : nst::resize_to(src, width, height);
}

void EngineStepper::retarget_engine(nst::Engine& e, const nst::Image& content, const std::vector<nst::Image>& styles,
                                    const nst::Image& start, bool texture) {
    if (texture) e.retarget_texture(content.width, content.height, styles, start);
    else e.retarget(content, styles, start);
}

}  // namespace nstv
