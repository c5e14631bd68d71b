#include "model.hpp"

#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <filesystem>
#include <mlpersist/error.hpp>
#include <mlpersist/persist.hpp>
#include <string>

#include "convert.hpp"

namespace mlpersist::python {

namespace {

using EstimatorPtr = std::shared_ptr<Estimator>;

// Every call into the estimator runs without the GIL: inputs are converted before, outputs
// after, so no Python object is touched meanwhile.
template <class F>
auto unlocked(F&& f) {
  py::gil_scoped_release release;
  return f();
}

py::array call_method(const EstimatorPtr& e, Method method, py::handle X) {
  const BorrowedMatrix x = matrix_from_python(X);
  if (method == Method::kPredict) {
    Vector y = unlocked([&] { return e->predict(x.view); });
    return vector_to_numpy(y);
  }
  Matrix out = unlocked([&] { return apply_method(*e, method, x.view); });
  // scikit-learn returns one column of decision values (binary classifiers) as a 1-D array.
  if (method == Method::kDecisionFunction && out.cols() == 1) {
    Vector column = out.col(0);
    return vector_to_numpy(column);
  }
  return matrix_to_numpy(out);
}

SaveOptions save_options(const std::string& format, const py::object& metadata) {
  SaveOptions options;
  options.format = format;
  if (!metadata.is_none()) options.metadata = from_python(metadata, "metadata");
  return options;
}

py::object feature_names(const EstimatorPtr& e) {
  if (e->feature_names_in().empty()) return py::none();
  return py::cast(e->feature_names_in());
}

void save(const EstimatorPtr& e, const std::filesystem::path& path, const std::string& format,
          const py::object& metadata) {
  const SaveOptions options = save_options(format, metadata);
  unlocked([&] {
    dump(registry(), *e, path, options);
    return 0;
  });
}

py::bytes dumps_bytes(const EstimatorPtr& e, const std::string& format,
                      const py::object& metadata) {
  const SaveOptions options = save_options(format, metadata);
  const std::string bytes = unlocked([&] { return mlpersist::dumps(registry(), *e, options); });
  return py::bytes(bytes);
}

// The typed document the framework would save ({type, schema_version, params, ..., state}),
// tensors as read-only arrays: how a C++ model becomes a scikit-learn estimator without a file.
py::object document(const EstimatorPtr& e) {
  SaveContext ctx;
  Value doc = unlocked([&] { return ctx.save_nested(*e); });
  return to_python(doc);
}

}  // namespace

const Registry& registry() {
  // Leaked on purpose: plugin libraries stay loaded until the process exits.
  static const Registry* const instance = new Registry(Registry::with_default_plugins());
  return *instance;
}

py::object wrap_model(EstimatorPtr estimator) {
  return py::cast(std::move(estimator));
}

void register_model(py::module_& m) {
  py::class_<Estimator, EstimatorPtr>(m, "Model",
                                      "A fitted (or unfitted) C++ estimator loaded by mlpersist.")
      .def_property_readonly("type_tag",
                             [](const EstimatorPtr& e) { return std::string(e->type_tag()); })
      .def_property_readonly("schema_version",
                             [](const EstimatorPtr& e) { return e->schema_version(); })
      .def_property_readonly("n_features_in_",
                             [](const EstimatorPtr& e) -> py::object {
                               if (!e->is_fitted()) return py::none();
                               return py::int_(e->n_features_in());
                             })
      .def_property_readonly("feature_names_in_", &feature_names)
      .def_property_readonly("is_fitted", [](const EstimatorPtr& e) { return e->is_fitted(); })
      .def(
          "supports",
          [](const EstimatorPtr& e, const std::string& name) {
            const std::optional<Method> method = method_from_name(name);
            return method && e->supports(*method);
          },
          py::arg("method"))
      .def("get_params", [](const EstimatorPtr& e) { return to_python(e->get_params()); })
      .def(
          "predict",
          [](const EstimatorPtr& e, py::handle X) { return call_method(e, Method::kPredict, X); },
          py::arg("X"))
      .def(
          "decision_function",
          [](const EstimatorPtr& e, py::handle X) {
            return call_method(e, Method::kDecisionFunction, X);
          },
          py::arg("X"))
      .def(
          "predict_proba",
          [](const EstimatorPtr& e, py::handle X) {
            return call_method(e, Method::kPredictProba, X);
          },
          py::arg("X"))
      .def(
          "transform",
          [](const EstimatorPtr& e, py::handle X) { return call_method(e, Method::kTransform, X); },
          py::arg("X"))
      .def(
          "inverse_transform",
          [](const EstimatorPtr& e, py::handle X) {
            return call_method(e, Method::kInverseTransform, X);
          },
          py::arg("X"))
      .def(
          "score",
          [](const EstimatorPtr& e, py::handle X, py::handle y) {
            const BorrowedMatrix x = matrix_from_python(X);
            const Vector v = vector_from_python(y);
            return unlocked([&] { return e->score(x.view, v); });
          },
          py::arg("X"), py::arg("y"))
      .def("save", &save, py::arg("path"), py::arg("format") = "binary",
           py::arg("metadata") = py::none())
      .def("dumps", &dumps_bytes, py::arg("format") = "binary", py::arg("metadata") = py::none())
      .def("document", &document)
      .def("__repr__", [](const EstimatorPtr& e) { return e->repr(); });
}

}  // namespace mlpersist::python
