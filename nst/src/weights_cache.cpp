#include "nst/weights_cache.h"

#include <cstdlib>

namespace nst {

std::filesystem::path cache_dir() {
    if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) return std::filesystem::path(xdg) / "nst";
    if (const char* home = std::getenv("HOME"); home && *home) return std::filesystem::path(home) / ".cache" / "nst";
    return std::filesystem::temp_directory_path() / "nst-cache";
}

std::filesystem::path cached_weights_path() { return cache_dir() / "vgg19-features.safetensors"; }

std::optional<std::filesystem::path> find_cached_weights() {
    std::error_code ec;
    const auto path = cached_weights_path();
    if (std::filesystem::is_regular_file(path, ec)) return path;
    return std::nullopt;
}

}  // namespace nst
