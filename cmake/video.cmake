# Video: Debian's FFmpeg libraries (demux, decode, encode, scale) and OpenCV's video module (DIS
# optical flow). Debian ships OpenCV without a CMake package for the -dev parts we use, so its
# three libraries are found by path. Used by the main build and by tests/fuzz (libav only).
find_package(PkgConfig REQUIRED)
pkg_check_modules(LIBAV REQUIRED IMPORTED_TARGET libavformat libavcodec libavutil libswscale)

if(NOT NST_VIDEO_LIBAV_ONLY AND NOT TARGET nst_opencv)
  find_path(NST_OPENCV_INCLUDE_DIR opencv2/video/tracking.hpp PATH_SUFFIXES opencv4 REQUIRED)
  foreach(module core imgproc video)
    find_library(NST_OPENCV_${module} opencv_${module} REQUIRED)
  endforeach()
  add_library(nst_opencv INTERFACE IMPORTED)
  target_include_directories(nst_opencv SYSTEM INTERFACE ${NST_OPENCV_INCLUDE_DIR})
  target_link_libraries(nst_opencv INTERFACE ${NST_OPENCV_video} ${NST_OPENCV_imgproc} ${NST_OPENCV_core})
endif()
