#pragma once

#include <pybind11/pybind11.h>

#include <memory>
#include <mlpersist/estimator.hpp>
#include <mlpersist/registry.hpp>

namespace mlpersist::python {

/// The registry of every plugin in the default plugin directories (the command line tool's),
/// loaded on first use and kept for the life of the process: estimators and exceptions thrown
/// by plugin code must never outlive their library.
[[nodiscard]] const Registry& registry();

/// Binds mlpersist.Model, a handle on a C++ estimator.
void register_model(pybind11::module_& module);

/// Wraps an estimator as a mlpersist.Model.
[[nodiscard]] pybind11::object wrap_model(std::shared_ptr<Estimator> estimator);

}  // namespace mlpersist::python
