# weights/: the untrained-features banner and the background download of the VGG19 weights.
nst_add_sources(NST_VIEWER_SOURCES weights_banner.cpp weights_download.cpp)
