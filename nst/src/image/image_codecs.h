#pragma once
// The codecs behind decode_image, each given bytes whose format and declared size
// read_image_header has already checked. Each returns 8-bit RGBA of exactly that size or throws
// nst::Error naming the file. Internal to nst_core.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "image/image_format.h"

namespace nst {

struct Rgba8 {
    std::uint32_t width = 0;
    std::uint32_t height = 0;
    std::vector<std::uint8_t> pixels;  // width * height * 4, rows top to bottom
};

// libpng (Debian's, security-maintained): memory is the declared size plus one row.
Rgba8 decode_png(std::span<const std::uint8_t> bytes, const ImageHeader& header, const std::string& name);
// libjpeg-turbo's TurboJPEG API: memory is bounded by the declared size.
Rgba8 decode_jpeg(std::span<const std::uint8_t> bytes, const ImageHeader& header, const std::string& name);
// stb_image compiled here with only its GIF, BMP and TGA loaders, every allocation counted
// against a budget derived from the declared size.
Rgba8 decode_with_stb(std::span<const std::uint8_t> bytes, const ImageHeader& header, const std::string& name);

}  // namespace nst
