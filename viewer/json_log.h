#pragma once
// --log-json: one JSON object per step, written and flushed by the optimizer thread, with the
// weights that step actually used (so tests and users can see a slider reach the optimizer).
#include <cstdio>
#include <memory>
#include <string>

#include "frame.h"
#include "nst/engine.h"

namespace nstv {

class JsonLog {
public:
    explicit JsonLog(const std::string& path);  // throws std::runtime_error
    void write(const LossSample& s, const nst::Params& p);

private:
    struct Closer {
        void operator()(std::FILE* f) const { std::fclose(f); }
    };
    std::unique_ptr<std::FILE, Closer> file_;
};

}  // namespace nstv
