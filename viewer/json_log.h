#pragma once
// --log-json: one JSON object per step, written and flushed by the optimizer thread, with the
// weights that step actually used (so tests and users can see a slider reach the optimizer) and
// what the network ran on ("features": "random" | "vgg19", "precision", "size"). Event lines (they have
// "event" and no "step") come from the UI thread: the start header, the weights download
// (started, done, failed, cancelled) and the switch to downloaded weights.
#include <cstdio>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "frame.h"
#include "nst/engine.h"

namespace nstv {

class JsonLog {
public:
    explicit JsonLog(const std::string& path);  // throws std::runtime_error
    // `size`: the long side (pixels) of the image this step optimised (the coarse-to-fine level's).
    void write(const LossSample& s, const nst::Params& p, bool random_features, nst::Precision precision, int size);
    // {"event": name, key: value, ...}; values are written as JSON strings unless `raw` (numbers,
    // true/false) is set for them.
    struct Field {
        std::string key, value;
        bool raw = false;
    };
    void event(const std::string& name, std::initializer_list<Field> fields);

private:
    struct Closer {
        void operator()(std::FILE* f) const { std::fclose(f); }
    };
    void put(const std::string& line);
    std::mutex mu_;  // the optimizer and the UI thread both write; held for one fputs + fflush
    std::unique_ptr<std::FILE, Closer> file_;
};

}  // namespace nstv
