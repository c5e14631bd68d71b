#pragma once

// Conversions between Python objects and the framework's types. Every tensor crosses without a
// copy: a Value's tensor becomes a read-only numpy array whose base object holds the Tensor (and
// so the mapped file or buffer it borrows), and a numpy array becomes a Tensor that borrows the
// array's memory and keeps a reference to it.

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <memory>
#include <mlpersist/estimator.hpp>
#include <mlpersist/value.hpp>
#include <string>

namespace mlpersist::python {

namespace py = pybind11;

/// None, bool, int, float, str, bytes, list, dict and read-only numpy arrays.
[[nodiscard]] py::object to_python(const Value& value);
/// The inverse: also tuples, numpy scalars and arrays of float64, float32, int64, int32 and
/// uint8 (other dtypes, object arrays and non-string keys throw UsageError naming `where`).
[[nodiscard]] Value from_python(py::handle object, const std::string& where = "value");

/// A read-only numpy array viewing `tensor` (which it keeps alive).
[[nodiscard]] py::array tensor_to_numpy(const Tensor& tensor);

/// X as a float64 C-order matrix: a view of the array's own memory when it is one already (no
/// copy: what scikit-learn's check_array does too), else of a converted copy that `owner`
/// holds. The view is valid while the BorrowedMatrix lives; the array's references keep its
/// memory alive while the GIL is released (a thread that writes into the same array meanwhile
/// races, as it would with NumPy's own functions).
struct BorrowedMatrix {
  py::array_t<double, py::array::c_style | py::array::forcecast> owner;
  Eigen::Map<const Matrix> view;
};
/// `name` is used in messages. 1-D input is refused, as scikit-learn refuses it.
[[nodiscard]] BorrowedMatrix matrix_from_python(py::handle X, const char* name = "X");
[[nodiscard]] Vector vector_from_python(py::handle y, const char* name = "y");
[[nodiscard]] py::array matrix_to_numpy(const Matrix& m);
[[nodiscard]] py::array vector_to_numpy(const Vector& v);

/// A shared owner that holds a reference to a Python object and drops it with the GIL held,
/// whichever thread releases the last copy (a tensor may die while the GIL is released).
[[nodiscard]] std::shared_ptr<const void> keep_alive(py::object object);

}  // namespace mlpersist::python
