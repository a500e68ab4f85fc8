#pragma once
// An RGBA8 OpenGL texture that owns its id (RAII); re-allocates storage only on a size change.
#include <cstdint>

#include "gl/gl.h"
#include "run/frame.h"

namespace nstv {

class Texture {
public:
    Texture() = default;
    ~Texture();
    Texture(const Texture&) = delete;
    Texture& operator=(const Texture&) = delete;
    Texture(Texture&& o) noexcept;
    Texture& operator=(Texture&& o) noexcept;

    void upload(const Rgba8& img);
    [[nodiscard]] bool empty() const { return id_ == 0; }
    [[nodiscard]] GLuint id() const { return id_; }
    [[nodiscard]] int width() const { return width_; }
    [[nodiscard]] int height() const { return height_; }
    // For ImGui::Image / AddImage.
    [[nodiscard]] void* imgui_id() const { return reinterpret_cast<void*>(static_cast<std::uintptr_t>(id_)); }

private:
    GLuint id_ = 0;
    int width_ = 0, height_ = 0;
};

}  // namespace nstv
