# loss/: one unit per loss term (content, style statistics, TV), the Gram products, the regions'
# masks per layer, colour control; regions.cpp is the torch-free side (flags, mask files).
nst_add_sources(NST_CORE_SOURCES regions.cpp)
nst_add_sources(NST_TORCH_SOURCES style_loss.cpp color.cpp)
