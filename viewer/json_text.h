#pragma once
// Small JSON writers for the --log-json lines and the metadata of saved images (no JSON library
// in the viewer: what it writes is flat and simple).
#include <string>
#include <vector>

namespace nstv {

// A JSON string in ASCII: quotes, backslashes, control and non-ASCII characters (UTF-8 decoded;
// malformed bytes become U+FFFD) as escapes.
std::string json_quote(const std::string& s);
// "%.9g"; JSON has no NaN/Infinity, so those become null (every line stays parseable).
std::string json_number(double v);
std::string json_strings(const std::vector<std::string>& v);
std::string json_numbers(const std::vector<float>& v);

}  // namespace nstv
