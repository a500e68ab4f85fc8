# engine/: the engine through its API (steps, knobs, colours, regions, sweeps, a clip's frame loop)
# and, in the files that include LibTorch, its parts directly (loss units, optimisers, tiled steps).
nst_add_sources(NST_ENGINE_TESTS test_engine.cpp test_sweep.cpp test_color.cpp test_style_knobs.cpp test_regions.cpp
                test_clip_render.cpp test_match_losses.cpp test_creative.cpp)
nst_add_sources(NST_ENGINE_TORCH_TESTS test_losses.cpp test_optimizers.cpp test_tiling.cpp test_creative_units.cpp)
