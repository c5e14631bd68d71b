#include "convert.hpp"

#include <climits>
#include <cstring>
#include <mlpersist/error.hpp>
#include <mlpersist/limits.hpp>
#include <mlpersist/tensor.hpp>
#include <string_view>

namespace mlpersist::python {

namespace {

[[noreturn]] void refuse(const std::string& where, const std::string& what) {
  throw UsageError(ErrorCode::kInvalidParameter, where + ": " + what);
}

py::dtype numpy_dtype(DType dtype) {
  switch (dtype) {
    case DType::kFloat64: return py::dtype::of<double>();
    case DType::kFloat32: return py::dtype::of<float>();
    case DType::kInt64: return py::dtype::of<std::int64_t>();
    case DType::kInt32: return py::dtype::of<std::int32_t>();
    case DType::kUInt8: return py::dtype::of<std::uint8_t>();
  }
  throw Error(ErrorCode::kMalformed, "tensor of an unknown dtype");
}

bool tensor_dtype(const py::dtype& dt, DType& out) {
  const char kind = dt.kind();
  const auto size = dt.itemsize();
  if (kind == 'f' && size == 8)
    out = DType::kFloat64;
  else if (kind == 'f' && size == 4)
    out = DType::kFloat32;
  else if (kind == 'i' && size == 8)
    out = DType::kInt64;
  else if (kind == 'i' && size == 4)
    out = DType::kInt32;
  else if (kind == 'u' && size == 1)
    out = DType::kUInt8;
  else
    return false;
  return true;
}

Value tensor_from_numpy(py::handle object, const std::string& where) {
  // C order, aligned, native byte order: a view when the array already is, else one copy.
  constexpr int kFlags =
      py::detail::npy_api::NPY_ARRAY_C_CONTIGUOUS_ | py::detail::npy_api::NPY_ARRAY_ALIGNED_;
  auto array = py::array::ensure(object, kFlags);
  if (!array) throw py::error_already_set();
  DType dtype{};
  if (!tensor_dtype(array.dtype(), dtype))
    refuse(where, "numpy arrays of dtype " + py::str(array.dtype()).cast<std::string>() +
                      " are not supported (float64, float32, int64, int32, uint8)");
  if (!array.dtype().attr("isnative").cast<bool>())
    array =
        py::array::ensure(array.attr("astype")(array.dtype().attr("newbyteorder")("=")), kFlags);
  if (array.ndim() == 0) return from_python(array.attr("item")(), where);
  Tensor::Shape shape(array.shape(), array.shape() + array.ndim());
  const auto* data = static_cast<const std::byte*>(array.data());
  return Tensor::borrow(dtype, std::move(shape), data, keep_alive(array));
}

Value integer_from_python(py::handle object, const std::string& where) {
  int overflow = 0;
  const long long v = PyLong_AsLongLongAndOverflow(object.ptr(), &overflow);
  if (overflow == 0) {
    if (v == -1 && PyErr_Occurred()) throw py::error_already_set();
    return static_cast<std::int64_t>(v);
  }
  if (overflow > 0) {
    const unsigned long long u = PyLong_AsUnsignedLongLong(object.ptr());
    if (!PyErr_Occurred()) return static_cast<std::uint64_t>(u);
    PyErr_Clear();
  }
  refuse(where, "integer out of the 64-bit range");
}

Value from_python_at(py::handle object, const std::string& where, std::uint32_t depth);

// numpy.generic, the base of numpy's scalar types; looked up once and never released (the
// module lives as long as the interpreter).
py::handle numpy_generic() {
  static PyObject* const generic =
      py::object(py::module_::import("numpy").attr("generic")).release().ptr();
  return generic;
}

Value sequence_from_python(py::handle object, const std::string& where, std::uint32_t depth) {
  Array out;
  std::size_t i = 0;
  for (py::handle item : object)
    out.push_back(from_python_at(item, where + "[" + std::to_string(i++) + "]", depth + 1));
  return out;
}

Value dict_from_python(py::handle object, const std::string& where, std::uint32_t depth) {
  Map out;
  for (auto [key, item] : py::reinterpret_borrow<py::dict>(object)) {
    if (!py::isinstance<py::str>(key))
      refuse(where, "dictionary keys must be strings, not " +
                        py::str(py::type::of(key).attr("__name__")).cast<std::string>());
    auto name = key.cast<std::string>();
    out.insert(name, from_python_at(item, where + "." + name, depth + 1));
  }
  return out;
}

Value from_python_at(py::handle object, const std::string& where, std::uint32_t depth) {
  // Bounded like every decoder: a self-referencing list would otherwise recurse forever.
  if (depth > kMaxSupportedDepth) refuse(where, "nesting deeper than the framework supports");
  if (object.is_none()) return Value();
  if (py::isinstance<py::bool_>(object)) return object.cast<bool>();
  if (py::isinstance<py::int_>(object)) return integer_from_python(object, where);
  if (py::isinstance<py::float_>(object)) return object.cast<double>();
  if (py::isinstance<py::str>(object)) return object.cast<std::string>();
  if (py::isinstance<py::bytes>(object)) {
    const auto s = object.cast<std::string>();
    return Bytes(s.begin(), s.end());
  }
  if (py::isinstance<py::dict>(object)) return dict_from_python(object, where, depth);
  if (py::isinstance<py::list>(object) || py::isinstance<py::tuple>(object))
    return sequence_from_python(object, where, depth);
  if (py::isinstance<py::array>(object)) return tensor_from_numpy(object, where);
  if (py::isinstance(object, numpy_generic()))
    return from_python_at(object.attr("item")(), where, depth);
  refuse(where, "cannot store a " +
                    py::str(py::type::of(object).attr("__name__")).cast<std::string>() +
                    " (None, bool, int, float, str, bytes, list, dict and numpy arrays only)");
}

py::list array_to_python(const Array& array) {
  py::list out(array.size());
  for (std::size_t i = 0; i < array.size(); ++i) out[i] = to_python(array[i]);
  return out;
}

py::dict map_to_python(const Map& map) {
  py::dict out;
  for (const auto& [key, item] : map) out[py::str(key)] = to_python(item);
  return out;
}

}  // namespace

std::shared_ptr<const void> keep_alive(py::object object) {
  return std::shared_ptr<const void>(new py::object(std::move(object)), [](const void* p) {
    auto* held = static_cast<py::object*>(const_cast<void*>(p));
    // After interpreter shutdown there is no GIL to take, and nothing left to free.
    if (!Py_IsInitialized()) {
      held->release();
      delete held;
      return;
    }
    py::gil_scoped_acquire gil;
    delete held;
  });
}

py::array tensor_to_numpy(const Tensor& tensor) {
  const std::byte* data = tensor.data();  // runs a pending lazy check: no unverified byte leaks
  std::vector<py::ssize_t> shape(tensor.shape().begin(), tensor.shape().end());
  auto* held = new Tensor(tensor);
  py::capsule base(held, [](void* p) { delete static_cast<Tensor*>(p); });
  py::array out(numpy_dtype(tensor.dtype()), shape, data, base);
  py::detail::array_proxy(out.ptr())->flags &= ~py::detail::npy_api::NPY_ARRAY_WRITEABLE_;
  return out;
}

py::object to_python(const Value& value) {
  switch (value.kind()) {
    case Kind::kNull: return py::none();
    case Kind::kBool: return py::bool_(value.as_bool());
    case Kind::kInt: return py::int_(value.as_int());
    case Kind::kUInt: return py::int_(value.as_uint());
    case Kind::kDouble: return py::float_(value.as_double());
    case Kind::kString: return py::str(value.as_string());
    case Kind::kBytes: {
      const Bytes& b = value.as_bytes();
      return py::bytes(reinterpret_cast<const char*>(b.data()), b.size());
    }
    case Kind::kArray: return array_to_python(value.as_array());
    case Kind::kMap: return map_to_python(value.as_map());
    case Kind::kTensor: return tensor_to_numpy(value.as_tensor());
  }
  return py::none();
}

Value from_python(py::handle object, const std::string& where) {
  return from_python_at(object, where, 0);
}

BorrowedMatrix matrix_from_python(py::handle X, const char* name) {
  auto array = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(X);
  if (!array) throw py::error_already_set();
  if (array.ndim() != 2)
    throw UsageError(ErrorCode::kInvalidInput,
                     std::string(name) + " must be a 2-D array (samples x features), not " +
                         std::to_string(array.ndim()) +
                         "-D; reshape a single sample with "
                         "reshape(1, -1)");
  const double* data = array.data();
  const auto rows = array.shape(0), cols = array.shape(1);
  return BorrowedMatrix{std::move(array), Eigen::Map<const Matrix>(data, rows, cols)};
}

Vector vector_from_python(py::handle y, const char* name) {
  auto array = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(y);
  if (!array) throw py::error_already_set();
  if (array.ndim() != 1)
    throw UsageError(ErrorCode::kInvalidInput, std::string(name) + " must be a 1-D array, not " +
                                                   std::to_string(array.ndim()) + "-D");
  return Eigen::Map<const Vector>(array.data(), array.shape(0));
}

py::array matrix_to_numpy(const Matrix& m) {
  py::array_t<double> out({m.rows(), m.cols()});
  if (m.size() > 0) std::memcpy(out.mutable_data(), m.data(), sizeof(double) * m.size());
  return out;
}

py::array vector_to_numpy(const Vector& v) {
  py::array_t<double> out(v.size());
  if (v.size() > 0) std::memcpy(out.mutable_data(), v.data(), sizeof(double) * v.size());
  return out;
}

}  // namespace mlpersist::python
