#pragma once
// The random parts of the feature-matching losses (docs/LOSS.md, "Draws"): each evaluation e draws
// from its own CPU generator seeded with the run's seed and e, so a run is reproducible and a step
// repeated after an interrupt draws the same. A test hook (set_draw_recorder) sees every draw by
// key, which is how tests/parity_reference.py reuses the engine's directions and samples.
#include <torch/torch.h>

#include <ATen/CPUGeneratorImpl.h>

#include <cstdint>
#include <functional>
#include <string>

namespace nst {

// Called with "e{evaluation}/{key}" and the draw (on the CPU) for every draw made; empty = none.
using DrawRecorder = std::function<void(const std::string& key, const torch::Tensor& value)>;
void set_draw_recorder(DrawRecorder recorder);  // tests only (draws.cpp)
const DrawRecorder& draw_recorder();

class Draws {
public:
    Draws(std::uint64_t seed, long evaluation, torch::Device device)
        : evaluation_(evaluation),
          device_(device),
          generator_(at::make_generator<at::CPUGeneratorImpl>(seed * 0x9E3779B97F4A7C15ull + static_cast<std::uint64_t>(evaluation) + 1)) {}

    // C×K: each column N(0,1), then of unit length.
    [[nodiscard]] torch::Tensor directions(const std::string& key, std::int64_t channels, std::int64_t count) {
        auto v = at::randn({channels, count}, generator_, torch::TensorOptions().dtype(torch::kFloat32));
        v = v / v.norm(2, 0, true).clamp_min(1e-12);
        record(key, v);
        return v.to(device_);
    }

    // `count` distinct indices of 0..population-1 (int64), or an undefined tensor when count >=
    // population: every position, in order (nothing drawn).
    [[nodiscard]] torch::Tensor positions(const std::string& key, std::int64_t population, std::int64_t count) {
        if (count >= population) return {};
        const auto p = at::randperm(population, generator_, torch::TensorOptions().dtype(torch::kLong)).slice(0, 0, count);
        record(key, p);
        return p.to(device_);
    }

private:
    void record(const std::string& key, const torch::Tensor& value) const {
        if (const auto& r = draw_recorder()) r("e" + std::to_string(evaluation_) + "/" + key, value);
    }
    long evaluation_;
    torch::Device device_;
    at::Generator generator_;
};

}  // namespace nst
