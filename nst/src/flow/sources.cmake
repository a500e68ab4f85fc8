# flow/: optical flow between content frames (OpenCV DIS), the reliability of each pixel, warping, and
# the worker thread that prepares frames ahead of the optimiser.
nst_add_sources(NST_CORE_SOURCES dis_flow.cpp warp.cpp reliability.cpp flow_metrics.cpp frame_feed.cpp)
