#pragma once
// Where VGG19 weights are looked for when --weights is not given: the per-user cache.
#include <filesystem>
#include <optional>

namespace nst {

// $XDG_CACHE_HOME/nst, or ~/.cache/nst.
std::filesystem::path cache_dir();

// The features-only VGG19 file in the cache (cache_dir()/vgg19-features.safetensors).
std::filesystem::path cached_weights_path();

// The cached weights file if it exists.
std::optional<std::filesystem::path> find_cached_weights();

}  // namespace nst
