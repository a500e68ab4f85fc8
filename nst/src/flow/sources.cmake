# flow/: optical flow between content frames (OpenCV DIS), the reliability of each pixel, warping, and
# the worker thread that prepares frames ahead of the optimiser.
