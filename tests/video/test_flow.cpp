// placeholder: filled in by the video issue (22)
#include <gtest/gtest.h>
