#pragma once
// The viewer's look: the DejaVu Sans font when installed, a dark palette with an orange accent,
// every size multiplied by the window's content scale (HiDPI).
namespace nstv {

void apply_theme(float scale);

}  // namespace nstv
