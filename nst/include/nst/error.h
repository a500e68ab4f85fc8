#pragma once
// One exception type for every failure a user can cause (bad file, bad flag value, no GPU...).
// The message is a single line that names the input and the problem; programs print it as is.
#include <stdexcept>
#include <string>

namespace nst {

class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A bad value given on the command line or in a control (bad layer name, lr <= 0, ...).
// Programs map it to the usage exit code (2) instead of the runtime one (1).
class UsageError : public Error {
public:
    using Error::Error;
};

// Engine::step stopped part way because EngineOptions::interrupt asked it to: nothing changed (not
// a failure; the caller asked for it, e.g. the viewer moving to another frame of a clip).
class StepInterrupted : public Error {
public:
    StepInterrupted() : Error("the step was interrupted") {}
};

}  // namespace nst
