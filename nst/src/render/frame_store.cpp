// The folder of finished frames beside the output: a render that stops (Ctrl-C, a crash, a full
// disk) continues where it was when the same command runs again. The recipe (every setting that
// changes a frame, as JSON text) is written first; frames of another recipe are never mixed in.
#include <cstdio>
#include <fstream>
#include <sstream>

#include "nst/error.h"
#include "nst/video/render.h"

namespace nst::video {
namespace {
constexpr const char* kRecipe = "recipe.json";

std::string read_text(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}
}  // namespace

std::filesystem::path FrameStore::dir_for(const std::filesystem::path& output) {
    // "out_%04d.png" -> "out_%04d.png.frames" would carry the %: name a pattern's folder plainly.
    std::string name = output.filename().string();
    std::string plain;
    for (const char c : name) plain += c == '%' ? '_' : c;
    return output.parent_path() / (plain + ".frames");
}

FrameStore::FrameStore(std::filesystem::path dir, std::string recipe) : dir_(std::move(dir)) {
    std::error_code ec;
    if (std::filesystem::exists(dir_ / kRecipe, ec) && read_text(dir_ / kRecipe) == recipe) return;
    // Another recipe (or a folder without one): its frames would not be this run's.
    if (std::filesystem::exists(dir_, ec)) {
        started_over_ = std::filesystem::exists(dir_ / kRecipe, ec);
        for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
            const std::string name = entry.path().filename().string();
            if (name == kRecipe || (name.starts_with("frame_") && name.ends_with(".png")))
                std::filesystem::remove(entry.path(), ec);
        }
    }
    std::filesystem::create_directories(dir_, ec);
    if (ec) throw Error(dir_.string() + ": cannot create the folder of finished frames: " + ec.message());
    write_file_atomically(dir_ / kRecipe, std::vector<std::uint8_t>(recipe.begin(), recipe.end()));
}

std::filesystem::path FrameStore::path_of(int index) const {
    char name[32];
    std::snprintf(name, sizeof name, "frame_%06d.png", index + 1);
    return dir_ / name;
}

bool FrameStore::has(int index) const {
    std::error_code ec;
    return std::filesystem::is_regular_file(path_of(index), ec);
}

Image FrameStore::load(int index) const { return load_image(path_of(index)); }

void FrameStore::save(int index, const Image& frame) const { save_image(frame, path_of(index)); }

int FrameStore::first_missing(int first, int last) const {
    int i = first;
    while (i <= last && has(i)) ++i;
    return i;
}

void FrameStore::remove() const {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
}

}  // namespace nst::video
