# image/: decoding (the format walk, then one codec per format), resizing, atomic saves, PNG text
# chunks, contact sheets; host images <-> tensors (tensor_image.h).
nst_add_sources(NST_UNTRUSTED_SOURCES image_io.cpp image_format.cpp decode_png.cpp decode_jpeg.cpp decode_stb.cpp)
nst_add_sources(NST_CORE_SOURCES png_text.cpp contact_sheet.cpp)
# stb_image's implementation is compiled there (three loaders only); its own warnings are not ours.
set_source_files_properties(${CMAKE_CURRENT_LIST_DIR}/decode_stb.cpp PROPERTIES COMPILE_OPTIONS "-w")
