# engine/: nst::Engine and its core (composing the loss units, stepping), sweeps, tiled steps;
# tiling.cpp is the torch-free tile geometry and memory model.
nst_add_sources(NST_CORE_SOURCES tiling.cpp)
nst_add_sources(NST_TORCH_SOURCES engine.cpp sweep.cpp tiled_step.cpp loss_step.cpp)
