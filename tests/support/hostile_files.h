#pragma once
// Files crafted byte by byte (no blobs in the repo): the hostile ones of the "hostile files" issue,
// each of which once crashed, hung or over-allocated the landed build, and small ones no encoder
// here writes. Shared by the unit, CLI and fuzz-seed code.
#include <cstdint>
#include <string>
#include <vector>

namespace nst::test {

std::vector<std::uint8_t> from_hex(const std::string& hex);

// 1. 16-bit binary PGM: header only (P5 2000 2000 65535), and 1x1 with a 2-byte body.
std::vector<std::uint8_t> pgm16_header_only();
std::vector<std::uint8_t> pgm16_one_pixel();
// 2. Radiance HDR whose RLE scanline is cut short (stb hung forever).
std::vector<std::uint8_t> hdr_cut_rle();
// 3. JPEG whose DHT counts add up to more than 256 (stb wrote out of bounds).
std::vector<std::uint8_t> jpeg_dht_overflow();
// 4. A 1x1 RGB PNG whose zlib stream inflates to `inflated` zero bytes (a decompression bomb).
std::vector<std::uint8_t> png_bomb(std::uint64_t inflated);
// 6. PNG whose IHDR dimensions multiply past int64; BMP with height INT32_MIN.
std::vector<std::uint8_t> png_overflowing_dimensions();
std::vector<std::uint8_t> bmp_height_int_min();
// 7. PPM with zero height.
std::vector<std::uint8_t> ppm_zero_height();
// A complete PNG (IHDR + IEND, real CRCs) with no pixel data, declaring width x height RGB.
std::vector<std::uint8_t> png_header_only(std::uint32_t width, std::uint32_t height);
// A 2x2 GIF89a: red, green / blue, transparent (no GIF encoder is at hand).
std::vector<std::uint8_t> tiny_gif();
// 5. A safetensors file whose JSON header nests `depth` arrays.
std::vector<std::uint8_t> safetensors_nested_header(int depth);

}  // namespace nst::test
