#include "run/render_check.h"

#include <exception>
#include <filesystem>

#include "nst/image.h"

namespace nstv {
namespace fs = std::filesystem;

std::string render_output_problem(const std::string& path) {
    if (path.find_first_not_of(" \t") == std::string::npos)
        return "no output file: type a path ending in .png, .jpg or .jpeg";
    std::error_code ec;
    const fs::path p = fs::absolute(path, ec);
    try {
        nst::check_output_path(ec ? fs::path(path) : p);
    } catch (const std::exception& e) {
        // The check is the CLI's (--output): the same rules and words, without the flag's name.
        std::string why = e.what();
        if (why.rfind("--output ", 0) == 0) why.erase(0, 9);
        return "cannot render to " + why;
    }
    return {};
}

std::string render_setup_problem(const RenderSetup& s) {
    if (s.size < kMinRenderSize || s.size > kMaxRenderSize)
        return "render size " + std::to_string(s.size) + ": must be between " + std::to_string(kMinRenderSize) +
               " and " + std::to_string(kMaxRenderSize) + " px";
    if (s.steps < 1 || s.steps > kMaxRenderSteps)
        return "render steps " + std::to_string(s.steps) + ": must be between 1 and " + std::to_string(kMaxRenderSteps);
    if (s.tile < 0 || s.tile > kMaxRenderSize)
        return "tile " + std::to_string(s.tile) + ": must be 0 (by memory) or at most " + std::to_string(kMaxRenderSize);
    return render_output_problem(s.output);
}

}  // namespace nstv
