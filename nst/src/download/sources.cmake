# download/: fetching the VGG19 weights (request loop, libcurl, which bytes next, the URL rule).
nst_add_sources(NST_UNTRUSTED_SOURCES features_assembler.cpp)
nst_add_sources(NST_CORE_SOURCES download.cpp http.cpp weights_url.cpp)
