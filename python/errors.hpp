#pragma once

#include <pybind11/pybind11.h>

namespace mlpersist::python {

/// Adds mlpersist.Error and its subclasses (one per C++ class of error.hpp) to `module` and
/// translates every mlpersist::Error thrown through the bindings into the matching one, with the
/// message intact and the ErrorCode's name in the exception's `code` attribute.
void register_errors(pybind11::module_& module);

}  // namespace mlpersist::python
