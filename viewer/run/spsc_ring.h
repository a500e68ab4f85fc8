#pragma once
// A bounded single-producer / single-consumer ring of small values (one loss sample per step).
// The producer never blocks: when the UI falls behind (minimised window) the newest samples are
// dropped and counted instead, so the optimizer's speed never depends on the UI's.
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

namespace nstv {

template <class T, std::size_t Capacity>
class SpscRing {
    static_assert((Capacity & (Capacity - 1)) == 0, "Capacity must be a power of two");

public:
    // Producer: returns false (and counts a drop) when full.
    bool push(const T& value) {
        const std::uint64_t head = head_.load(std::memory_order_relaxed);
        if (head - tail_.load(std::memory_order_acquire) == Capacity) {
            dropped_.fetch_add(1, std::memory_order_relaxed);
            return false;
        }
        items_[head & (Capacity - 1)] = value;
        head_.store(head + 1, std::memory_order_release);
        return true;
    }

    // Consumer: calls fn(value) for everything pushed so far; returns how many.
    template <class Fn>
    std::size_t drain(Fn&& fn) {
        std::uint64_t tail = tail_.load(std::memory_order_relaxed);
        const std::uint64_t head = head_.load(std::memory_order_acquire);
        std::size_t n = 0;
        for (; tail != head; ++tail, ++n) fn(static_cast<const T&>(items_[tail & (Capacity - 1)]));
        tail_.store(tail, std::memory_order_release);
        return n;
    }

    [[nodiscard]] std::uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }

private:
    std::array<T, Capacity> items_{};
    std::atomic<std::uint64_t> head_{0};
    std::atomic<std::uint64_t> tail_{0};
    std::atomic<std::uint64_t> dropped_{0};
};

}  // namespace nstv
