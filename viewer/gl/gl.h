#pragma once
// OpenGL through the glad loader generated at build time; GLFW must not pull in its own GL header.
#include <glad/gl.h>
#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
