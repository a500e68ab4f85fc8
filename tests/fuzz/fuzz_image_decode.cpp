// The image front door: decode_image (format sniffing, header walks, libpng, libjpeg-turbo, stb's
// GIF/BMP/TGA) and the resize every loaded image goes through. Any outcome but a decoded image of
// the declared shape in [0,1] or an nst::Error is a bug.
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "nst/error.h"
#include "nst/image.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::vector<std::uint8_t> bytes(data, data + size);
    try {
        // A 256 Ki-pixel limit keeps each run within milliseconds (a tiny RLE file can declare
        // and really fill a large image); the limit check itself is under test for larger headers.
        const nst::Image img = nst::decode_image(bytes, "fuzz", 1 << 18);
        if (img.width < 1 || img.height < 1 || img.rgb.size() != std::size_t(img.width) * img.height * 3) std::abort();
        for (const float v : img.rgb)
            if (!(v >= 0.f && v <= 1.f)) std::abort();
        const nst::Image small = nst::resize_long_side(img, 1 + static_cast<int>(size % 61));
        if (small.empty()) std::abort();
    } catch (const nst::Error&) {
    }
    return 0;
}
