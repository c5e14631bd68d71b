#pragma once

#include <pybind11/pybind11.h>

namespace mlpersist::python {

/// Binds mlpersist.Store (a connection to a model store, store.hpp) and the parsing of
/// `STORE#NAME@REF` locations.
void register_store(pybind11::module_& module);

}  // namespace mlpersist::python
