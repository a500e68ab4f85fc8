# Each source folder lists its own files in a sources.cmake of its own, so that adding a file
# touches only its folder:  nst_add_sources(LIST file.cpp ...)  appends the files, as absolute
# paths of the folder whose sources.cmake is being read, to the list variable LIST.
# Used by the main build and by tests/fuzz (a project of its own).
macro(nst_add_sources list)
  foreach(nst_source_file ${ARGN})
    list(APPEND ${list} ${CMAKE_CURRENT_LIST_DIR}/${nst_source_file})
  endforeach()
endmacro()

# Reads `folders`' sources.cmake files (relative to `base`), in order.
macro(nst_read_source_lists base)
  foreach(nst_source_folder ${ARGN})
    include(${base}/${nst_source_folder}/sources.cmake)
  endforeach()
endmacro()
