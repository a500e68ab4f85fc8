# session/: session files (JSON + a folder of PNGs named by their pixels' hash; SHA-256 of inputs).
nst_add_sources(NST_CORE_SOURCES session_files.cpp session_save.cpp session_load.cpp)
