#pragma once
// The textures the window shows: the result (re-uploaded for every new frame) and the input
// images (only when the optimizer reports new ones, i.e. a new Sources generation).
#include <cstdint>
#include <string>
#include <vector>

#include "gl/texture.h"
#include "run/frame.h"

namespace nstv {

class Pictures {
public:
    void show(const Frame& f);
    [[nodiscard]] const Texture& result() const { return result_; }
    [[nodiscard]] const Texture& content() const { return content_; }
    [[nodiscard]] const std::vector<Texture>& styles() const { return styles_; }
    // One texture per path of `paths` (the style list as the window shows it): the loaded image
    // of that path, or null while the optimizer has not loaded it yet.
    [[nodiscard]] std::vector<const Texture*> styles_for(const std::vector<std::string>& paths) const;

private:
    Texture result_, content_;
    std::vector<Texture> styles_;
    std::vector<std::string> style_paths_;  // parallel to styles_
    std::uint64_t generation_ = 0;
};

}  // namespace nstv
