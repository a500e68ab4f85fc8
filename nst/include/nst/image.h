#pragma once
// Host images: loading (with a pixel limit checked before decoding), anti-aliased resizing and
// atomic saving. No LibTorch here, so the viewer and the CLI can use it freely.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace nst {

inline constexpr std::int64_t kDefaultMaxPixels = 64'000'000;

// RGB, float in [0,1], row-major, interleaved (r,g,b per pixel).
struct Image {
    int width = 0;
    int height = 0;
    std::vector<float> rgb;

    [[nodiscard]] bool empty() const { return width == 0 || height == 0; }
};

// Loads JPEG/PNG/BMP/TGA/GIF (first frame). Grey becomes RGB; alpha is composited over white.
// Throws nst::Error naming the file for: missing file, directory, empty or truncated file, unknown
// format, or a header whose width*height exceeds max_pixels (checked before any pixel is decoded).
Image load_image(const std::filesystem::path& path, std::int64_t max_pixels = kDefaultMaxPixels);

// Same as load_image but from bytes already in memory; `name` is used in error messages.
Image decode_image(const std::vector<std::uint8_t>& bytes, const std::string& name,
                   std::int64_t max_pixels = kDefaultMaxPixels);

// Anti-aliased resize so that the longer side is `long_side` pixels (aspect ratio kept, >= 1 px).
Image resize_long_side(const Image& img, int long_side);
// Anti-aliased resize to an exact size.
Image resize_to(const Image& img, int width, int height);

// True for the extensions save_image can write (.png, .jpg, .jpeg; case-insensitive).
bool is_writable_image_path(const std::filesystem::path& path);

// Throws nst::UsageError if the extension is not writable, nst::Error if the directory does not
// exist or cannot be written (probed by creating and removing a temporary file there).
void check_output_path(const std::filesystem::path& path);

// Writes PNG or JPEG (by extension) atomically: a temporary file in the same directory, flushed,
// then renamed over the target. On any failure the old file (if any) is left untouched and no
// temporary file remains. jpeg_quality 1..100.
void save_image(const Image& img, const std::filesystem::path& path, int jpeg_quality = 95);

// Writes bytes atomically to path (same temp+rename protocol); used by save_image and others.
void write_file_atomically(const std::filesystem::path& path, const std::vector<std::uint8_t>& bytes);

// `png` (a complete PNG stream) with a tEXt chunk (keyword, Latin-1 text: e.g. "Comment" and ASCII
// JSON) right after IHDR. Throws nst::Error if `png` does not start with a signature and IHDR.
std::vector<std::uint8_t> png_with_text(const std::vector<std::uint8_t>& png, std::string_view keyword,
                                        std::string_view text);

}  // namespace nst
