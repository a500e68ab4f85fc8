#include "gl/pictures.h"

namespace nstv {

void Pictures::show(const Frame& f) {
    result_.upload(f.image);
    if (!f.sources || f.sources->generation == generation_) return;
    generation_ = f.sources->generation;
    content_.upload(f.sources->content);
    styles_.resize(f.sources->styles.size());
    for (std::size_t i = 0; i < styles_.size(); ++i) styles_[i].upload(f.sources->styles[i]);
    style_paths_ = f.sources->style_paths;
}

std::vector<const Texture*> Pictures::styles_for(const std::vector<std::string>& paths) const {
    std::vector<const Texture*> out;
    std::vector<bool> used(style_paths_.size(), false);  // the same file twice: two textures
    for (const auto& p : paths) {
        const Texture* t = nullptr;
        for (std::size_t k = 0; k < style_paths_.size() && k < styles_.size(); ++k)
            if (!used[k] && style_paths_[k] == p) {
                used[k] = true;
                t = &styles_[k];
                break;
            }
        out.push_back(t);
    }
    return out;
}

}  // namespace nstv
