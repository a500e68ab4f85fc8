# paint/: paint mode: the painted regions (MaskLayers), their files, the panel and canvas overlay.
nst_add_sources(NST_VIEWER_SOURCES paint_panel.cpp mask_layers.cpp mask_files.cpp)
