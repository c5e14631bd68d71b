#pragma once

#include <pybind11/pybind11.h>

#include <mlpersist/persist.hpp>

namespace mlpersist::python {

/// The trust and decoding choices of a Python load, as the caller gave them.
struct Policy {
  pybind11::object allowed_types = pybind11::none();
  pybind11::object trusted_keys = pybind11::none();
  bool require_signature = false;
  bool mmap = true;
  bool migrate = true;
};

/// The C++ load options for `p`: an empty collection of allowed types allows nothing, keys are
/// 64 hex digits, 32 raw bytes or key file paths. Throws UsageError, SecurityError.
[[nodiscard]] LoadOptions load_options(const Policy& p);

}  // namespace mlpersist::python
