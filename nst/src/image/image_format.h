#pragma once
// What an image file is, decided from its bytes alone (never from its name), and the size its
// header declares. Everything a decoder allocates is bounded by that size, so it is checked here,
// before any codec sees the bytes. Internal to nst_core.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace nst {

enum class ImageFormat { Jpeg, Png, Gif, Bmp, Tga };

inline constexpr std::string_view kSupportedImageFormats = "JPEG, PNG, BMP, TGA, GIF";

std::string_view format_name(ImageFormat f);

struct ImageHeader {
    ImageFormat format = ImageFormat::Png;
    std::uint32_t width = 0;   // 1 .. INT32_MAX (every format's header field fits an int)
    std::uint32_t height = 0;  // 1 .. INT32_MAX
    [[nodiscard]] std::uint64_t pixels() const { return std::uint64_t{width} * height; }
};

// Recognises the format and reads the declared dimensions, checking the container's structure
// (PNG chunks through IEND, JPEG segments through the end-of-image marker) and the pixel limit.
// Throws nst::Error naming `name` for: a format we do not decode (named when it is a known one,
// e.g. "photo.pgm: PNM images are not supported; use PNG or JPEG"), unknown bytes, a truncated or
// corrupt container, zero or negative dimensions, or width*height above max_pixels.
ImageHeader read_image_header(std::span<const std::uint8_t> bytes, const std::string& name,
                              std::int64_t max_pixels);

}  // namespace nst
