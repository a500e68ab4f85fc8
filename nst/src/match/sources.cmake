# match/: the losses that match features rather than statistics (docs/LOSS.md): one header per
# loss (sliced_wasserstein, remd, neural_neighbors, self_similarity), the hard regions, the
# per-step draws; match_term.cpp composes them (one LibTorch translation unit for all).
nst_add_sources(NST_TORCH_SOURCES match_term.cpp)
