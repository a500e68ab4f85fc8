// nst-viewer: watch and steer neural style transfer live.
#include <exception>
#include <iostream>

#include "app/app.h"
#include "app/options.h"
#include "probe/frame_stats.h"

int main(int argc, char** argv) {
    auto parsed = nstv::parse_options(argc, argv);
    if (!parsed.options) return parsed.exit_code;
    try {
        return nstv::run_app(*parsed.options);
    } catch (const std::exception& e) {
        std::cerr << "nst-viewer: " << e.what() << "\n";
        return 1;
    }
}
