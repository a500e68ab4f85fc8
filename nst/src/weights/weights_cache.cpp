#include "nst/weights.h"

#include <charconv>

#include "nst/engine.h"
#include "nst/error.h"

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

Features parse_random_features(const std::string& spec) {
    Features f;
    if (spec == "random") return f;
    if (spec.starts_with("random:")) {
        const std::string digits = spec.substr(7);
        const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), f.random_seed);
        if (!digits.empty() && ec == std::errc() && ptr == digits.data() + digits.size()) return f;
    }
    std::string message = "--features ";  // appends: GCC 12 warns falsely (-Wrestrict) on operator+ chains
    message += spec;
    message += ": expected random or random:SEED (SEED a non-negative integer)";
    throw UsageError(message);
}

}  // namespace nst
