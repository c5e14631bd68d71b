#include "errors.hpp"

#include <mlpersist/error.hpp>
#include <string>

namespace mlpersist::python {

namespace py = pybind11;

namespace {

// The Python classes, created once when the module is imported and never freed (the module
// holds them for the interpreter's lifetime).
struct Classes {
  PyObject* error = nullptr;
  PyObject* format = nullptr;
  PyObject* compatibility = nullptr;
  PyObject* schema = nullptr;
  PyObject* plugin = nullptr;
  PyObject* usage = nullptr;
  PyObject* io = nullptr;
  PyObject* security = nullptr;
  PyObject* store = nullptr;
};
Classes classes;

PyObject* make_class(py::module_& module, const char* name, PyObject* base, const char* doc) {
  const std::string qualified = std::string("mlpersist.") + name;
  PyObject* cls = PyErr_NewExceptionWithDoc(qualified.c_str(), doc, base, nullptr);
  if (cls == nullptr) throw py::error_already_set();
  module.add_object(name, py::handle(cls));
  return cls;
}

void raise(PyObject* cls, const Error& e) {
  py::object instance =
      py::reinterpret_steal<py::object>(PyObject_CallOneArg(cls, py::str(e.what()).ptr()));
  if (!instance) return;  // the call set a Python error already
  const std::string_view code = to_string(e.code());
  instance.attr("code") = py::str(code.data(), code.size());
  PyErr_SetObject(cls, instance.ptr());
}

// Most derived first: a FormatError is also an Error.
void translate(std::exception_ptr p) {
  try {
    std::rethrow_exception(p);
  } catch (const FormatError& e) {
    raise(classes.format, e);
  } catch (const CompatibilityError& e) {
    raise(classes.compatibility, e);
  } catch (const SchemaError& e) {
    raise(classes.schema, e);
  } catch (const PluginError& e) {
    raise(classes.plugin, e);
  } catch (const UsageError& e) {
    raise(classes.usage, e);
  } catch (const IoError& e) {
    raise(classes.io, e);
  } catch (const SecurityError& e) {
    raise(classes.security, e);
  } catch (const StoreError& e) {
    raise(classes.store, e);
  } catch (const Error& e) {
    raise(classes.error, e);
  }
}

}  // namespace

void register_errors(py::module_& m) {
  classes.error = make_class(m, "Error", PyExc_Exception,
                             "Root of every error mlpersist raises; `code` names the ErrorCode.");
  classes.format = make_class(m, "FormatError", classes.error,
                              "The bytes are not a valid mlpersist artifact (or were altered).");
  classes.compatibility =
      make_class(m, "CompatibilityError", classes.error,
                 "A valid artifact this build cannot read (newer versions, unknown names).");
  classes.schema = make_class(m, "SchemaError", classes.error,
                              "The state does not satisfy the estimator's schema or invariants.");
  classes.plugin = make_class(m, "PluginError", classes.error, "A plugin could not be loaded.");
  classes.usage = make_class(m, "UsageError", classes.error,
                             "Bad parameters, an unfitted model, an unsupported method, bad data.");
  classes.io = make_class(m, "IoError", classes.error, "Reading or writing a file failed.");
  classes.security = make_class(m, "SecurityError", classes.error,
                                "A trust policy refused the input (type, signature, key file).");
  classes.store = make_class(m, "StoreError", classes.error,
                             "A model store failed: code NotFound, StoreUnavailable (retry) "
                             "or Io.");
  py::register_exception_translator(&translate);
}

}  // namespace mlpersist::python
