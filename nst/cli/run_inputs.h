#pragma once
// The input files every kind of nst run reads the same way (a still, --sweep, --video): the styles
// and the --init-image, each checked against --max-pixels, an error naming which file it was.
#include <string>
#include <vector>

#include "nst/error.h"
#include "nst/image.h"
#include "nst/settings.h"

namespace nst::cli {

[[nodiscard]] inline std::vector<Image> load_styles(const RunSettings& s) {
    std::vector<Image> styles;
    for (const auto& path : s.styles) styles.push_back(load_image(path, s.max_pixels));
    return styles;
}

// The --init-image, or an empty image when none is given.
[[nodiscard]] inline Image load_init_image(const RunSettings& s) {
    if (s.init_image.empty()) return {};
    try {
        return load_image(s.init_image, s.max_pixels);
    } catch (const Error& e) {
        throw Error(std::string("--init-image ") + e.what());  // which of the files it is
    }
}

}  // namespace nst::cli
