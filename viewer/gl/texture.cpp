#include "gl/texture.h"

#include <utility>

namespace nstv {

Texture::~Texture() {
    if (id_ != 0) glDeleteTextures(1, &id_);
}

Texture::Texture(Texture&& o) noexcept
    : id_(std::exchange(o.id_, 0)), width_(o.width_), height_(o.height_) {}

Texture& Texture::operator=(Texture&& o) noexcept {
    if (this != &o) {
        if (id_ != 0) glDeleteTextures(1, &id_);
        id_ = std::exchange(o.id_, 0);
        width_ = o.width_;
        height_ = o.height_;
    }
    return *this;
}

void Texture::upload(const Rgba8& img) {
    if (img.empty()) return;
    if (id_ == 0) {
        glGenTextures(1, &id_);
        glBindTexture(GL_TEXTURE_2D, id_);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    } else {
        glBindTexture(GL_TEXTURE_2D, id_);
    }
    glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
    if (img.width != width_ || img.height != height_) {
        glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, img.width, img.height, 0, GL_RGBA, GL_UNSIGNED_BYTE,
                     img.pixels.data());
        width_ = img.width;
        height_ = img.height;
    } else {
        glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, img.width, img.height, GL_RGBA, GL_UNSIGNED_BYTE,
                        img.pixels.data());
    }
}

}  // namespace nstv
