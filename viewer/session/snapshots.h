#pragma once
// The kept results of an exploration (the model; the strip panel draws them and owns their
// textures). Each is an nst::Snapshot: the image as shown, its step and losses, every parameter.
// A session saves and opens them (all / set_all); autosave watches version().
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "nst/session.h"
#include "run/frame.h"

namespace nstv {

class Snapshots {
public:
    void add(nst::Snapshot s);
    void remove(std::size_t i);  // out of range: nothing happens
    [[nodiscard]] const std::vector<nst::Snapshot>& all() const { return all_; }
    void set_all(std::vector<nst::Snapshot> s);  // a session was opened
    [[nodiscard]] std::uint64_t version() const { return version_; }  // bumps on every change

private:
    std::vector<nst::Snapshot> all_;
    std::uint64_t version_ = 0;
};

// The frame's pixels as an nst::Image (alpha dropped) and back: exact both ways (v/255).
[[nodiscard]] nst::Image image_of(const Rgba8& pixels);
[[nodiscard]] Rgba8 rgba8_of(const nst::Image& image);

}  // namespace nstv
