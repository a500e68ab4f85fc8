#pragma once
// What session_save.cpp and session_load.cpp share: the names of the images in a session's
// folder, the keys of its JSON and the hash behind both. Private to nst_core.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "nst/image.h"
#include "nst/regions.h"

namespace nst::session_detail {

inline constexpr std::string_view kFormat = "nst-session";
// Kinds of image in the folder, the prefix of their names.
inline constexpr std::string_view kMask = "mask", kMap = "map", kImage = "image", kSnapshot = "snapshot";

// SHA-256 of bytes as lower-case hex.
[[nodiscard]] std::string sha256_hex(const std::vector<std::uint8_t>& bytes);

// The 8-bit samples save_image writes for these values (its rounding), so that a name made from
// them is the name of exactly one file's pixels.
[[nodiscard]] std::vector<std::uint8_t> quantized(const std::vector<float>& values);

// "KIND-<16 hex>.png": the hash of the size and the 8-bit pixels the file holds. Equal names mean
// equal files, so a save never overwrites a file that another JSON references with other pixels.
[[nodiscard]] std::string image_name(std::string_view kind, int width, int height, int channels,
                                     const std::vector<std::uint8_t>& pixels);
// Whether `name` is one that image_name makes: only those are ever deleted from a folder.
[[nodiscard]] bool is_image_name(std::string_view name);

// A float as the shortest decimal that reads back as the same float (0.7f -> 0.7, not
// 0.699999988...), for the JSON.
[[nodiscard]] double json_float(float v);

}  // namespace nst::session_detail
