// mlpersist._core: thin bindings over the framework's public API (framework/include). Nothing
// here reimplements the format: every byte is read, checked and written by the C++ library.

#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <climits>
#include <filesystem>
#include <mlpersist/envelope.hpp>
#include <mlpersist/error.hpp>
#include <mlpersist/limits.hpp>
#include <mlpersist/node.hpp>
#include <mlpersist/persist.hpp>
#include <mlpersist/signature.hpp>
#include <mlpersist/version.hpp>
#include <string>
#include <utility>

#include "convert.hpp"
#include "errors.hpp"
#include "model.hpp"
#include "policy.hpp"
#include "store.hpp"

namespace mlpersist::python {

namespace {

PublicKey public_key(py::handle key) {
  if (py::isinstance<py::bytes>(key)) {
    const auto raw = key.cast<std::string>();
    if (raw.size() != 32)
      throw SecurityError(ErrorCode::kBadSignature,
                          "a raw public key has 32 bytes, not " + std::to_string(raw.size()));
    PublicKey k;
    std::copy(raw.begin(), raw.end(), k.bytes.begin());
    return k;
  }
  // 64 hex digits, or the path of a key file (`mlpersist keygen` writes them).
  const std::string text = py::str(key).cast<std::string>();
  if (text.size() == 64 && text.find_first_not_of("0123456789abcdefABCDEF") == std::string::npos)
    return PublicKey::from_hex(text);
  return read_public_key(std::filesystem::path(text));
}

}  // namespace

LoadOptions load_options(const Policy& p) {
  LoadOptions options;
  options.mmap = p.mmap;
  options.migrate = p.migrate;
  options.require_signature = p.require_signature;
  if (!p.allowed_types.is_none()) {
    if (py::isinstance<py::str>(p.allowed_types))
      throw UsageError(ErrorCode::kInvalidParameter,
                       "allowed_types is a collection of type tags, not one string");
    for (py::handle tag : p.allowed_types) options.allowed_types.insert(tag.cast<std::string>());
    // An empty set means "no restriction" in C++; an empty collection here means "nothing".
    if (options.allowed_types.empty()) options.allowed_types.insert("");
  }
  if (!p.trusted_keys.is_none()) {
    if (py::isinstance<py::str>(p.trusted_keys) || py::isinstance<py::bytes>(p.trusted_keys))
      options.trusted_public_keys.push_back(public_key(p.trusted_keys));
    else
      for (py::handle key : p.trusted_keys) options.trusted_public_keys.push_back(public_key(key));
  }
  return options;
}

namespace {

// Decodes a file (mapped unless mmap=False) or a bytes object (borrowed, not copied).
Document read(py::handle source, const LoadOptions& options) {
  if (py::isinstance<py::bytes>(source)) {
    char* data = nullptr;
    Py_ssize_t size = 0;
    if (PyBytes_AsStringAndSize(source.ptr(), &data, &size) != 0) throw py::error_already_set();
    auto owner = keep_alive(py::reinterpret_borrow<py::object>(source));
    const std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(data),
                                           static_cast<std::size_t>(size));
    py::gil_scoped_release release;
    return read_document(registry(), bytes, std::move(owner), options);
  }
  const auto path = source.cast<std::filesystem::path>();
  py::gil_scoped_release release;
  return read_document(registry(), path, options);
}

std::shared_ptr<Estimator> build(const Document& doc, const LoadOptions& options) {
  py::gil_scoped_release release;
  return instantiate(registry(), doc, options);
}

py::dict inspect_source(py::handle source) {
  const Limits limits;
  if (py::isinstance<py::bytes>(source)) {
    const auto view = py::reinterpret_borrow<py::bytes>(source).operator std::string_view();
    const auto bytes = std::as_bytes(std::span(view.data(), view.size()));
    return to_python(header_to_value(read_header(bytes, "<bytes>", limits)));
  }
  return to_python(header_to_value(inspect(source.cast<std::filesystem::path>(), limits)));
}

py::object read_document_py(py::handle source, const Policy& policy) {
  const Document doc = read(source, load_options(policy));
  return to_python(doc.root);
}

py::object load_py(py::handle source, const Policy& policy) {
  const LoadOptions options = load_options(policy);
  return wrap_model(build(read(source, options), options));
}

// One decode for all three: the C++ estimator validates the state (its load_state), and the
// document's arrays, which view the same mapped bytes, go to the caller with the header
// metadata's entry `metadata_key` (None when absent).
py::tuple load_with_document(py::handle source, const Policy& policy,
                             const std::string& metadata_key) {
  const LoadOptions options = load_options(policy);
  const Document doc = read(source, options);
  auto model = wrap_model(build(doc, options));
  const Value* entry = doc.header.metadata.kind() == Kind::kMap
                           ? doc.header.metadata.as_map().find(metadata_key)
                           : nullptr;
  return py::make_tuple(model, to_python(doc.root), entry ? to_python(*entry) : py::none());
}

// The types a header lists: every typed document in the tree, as SaveContext records them.
void collect_types(const Value& v, Header& h, std::uint32_t depth) {
  if (depth > kMaxSupportedDepth) return;
  if (v.kind() == Kind::kArray)
    for (const Value& item : v.as_array()) collect_types(item, h, depth + 1);
  if (v.kind() != Kind::kMap) return;
  const Map& m = v.as_map();
  const Value* type = m.find("type");
  const Value* version = m.find("schema_version");
  if (type != nullptr && type->kind() == Kind::kString && version != nullptr &&
      version->kind() == Kind::kInt && m.contains("state"))
    h.types[type->as_string()] = static_cast<std::uint32_t>(version->as_int());
  for (const auto& entry : m) collect_types(entry.second, h, depth + 1);
}

// Writes a document as it is (migration and conversion tools; tests that need well-sealed
// artifacts with hostile contents): no estimator checks it, every loader will.
// A document built in Python, with the header a save of it would write: its root type and
// every nested type declared, as loaders require.
Document document_of(py::handle root) {
  Document doc;
  doc.root = from_python(root, "document");
  const Node node(doc.root, "");
  doc.header.type_tag = node["type"].as_string();
  doc.header.schema_version =
      static_cast<std::uint32_t>(node["schema_version"].as_int(0, UINT32_MAX));
  collect_types(doc.root, doc.header, 0);
  return doc;
}

py::object from_document(py::handle root, const py::object& allowed_types) {
  Policy policy;
  policy.allowed_types = allowed_types;
  const LoadOptions options = load_options(policy);
  return wrap_model(build(document_of(root), options));
}

void write_document_py(py::handle root, const std::filesystem::path& path,
                       const std::string& format, const py::object& metadata) {
  Document doc = document_of(root);
  if (!metadata.is_none()) doc.header.metadata = from_python(metadata, "metadata");
  py::gil_scoped_release release;
  write_document(registry(), doc, format, path);
}

py::object fit(const std::string& type_tag, py::handle X, py::handle y, py::kwargs params) {
  auto estimator = registry().create(type_tag);
  if (params.size() > 0) estimator->set_params(from_python(params, "params"));
  const BorrowedMatrix x = matrix_from_python(X);
  const Vector target = y.is_none() ? Vector() : vector_from_python(y);
  {
    py::gil_scoped_release release;
    estimator->fit(x.view, target);
  }
  return wrap_model(std::move(estimator));
}

py::list types() {
  py::list out;
  for (const TypeInfo& t : registry().types()) {
    py::dict d;
    d["type_tag"] = t.type_tag;
    d["schema_version"] = t.schema_version;
    d["plugin"] = t.plugin;
    out.append(d);
  }
  return out;
}

}  // namespace

}  // namespace mlpersist::python

PYBIND11_MODULE(_core, m) {
  namespace py = pybind11;
  using namespace mlpersist::python;
  m.doc() = "Bindings over the mlpersist C++ framework (see the mlpersist package).";
  m.attr("__version__") = MLPERSIST_VERSION_STRING;
  register_errors(m);
  register_model(m);
  register_store(m);

  auto policy = [](py::object allowed, py::object keys, bool require, bool mmap, bool migrate) {
    return Policy{std::move(allowed), std::move(keys), require, mmap, migrate};
  };
  m.def("inspect", &inspect_source, py::arg("source"));
  m.def(
      "read_document",
      [policy](py::handle s, py::object allowed, bool mmap, bool migrate) {
        return read_document_py(s, policy(std::move(allowed), py::none(), false, mmap, migrate));
      },
      py::arg("source"), py::arg("allowed_types") = py::none(), py::arg("mmap") = true,
      py::arg("migrate") = true);
  m.def(
      "load",
      [policy](py::handle s, py::object allowed, py::object keys, bool require, bool mmap) {
        return load_py(s, policy(std::move(allowed), std::move(keys), require, mmap, true));
      },
      py::arg("source"), py::arg("allowed_types") = py::none(),
      py::arg("trusted_keys") = py::none(), py::arg("require_signature") = false,
      py::arg("mmap") = true);
  m.def(
      "load_with_document",
      [policy](py::handle s, py::object allowed, py::object keys, bool require, bool mmap,
               const std::string& key) {
        return load_with_document(
            s, policy(std::move(allowed), std::move(keys), require, mmap, true), key);
      },
      py::arg("source"), py::arg("allowed_types") = py::none(),
      py::arg("trusted_keys") = py::none(), py::arg("require_signature") = false,
      py::arg("mmap") = true, py::arg("metadata_key") = "");
  m.def("from_document", &from_document, py::arg("document"),
        py::arg("allowed_types") = py::none());
  m.def("write_document", &write_document_py, py::arg("document"), py::arg("path"),
        py::arg("format") = "binary", py::arg("metadata") = py::none());
  m.def("fit", &fit, py::arg("type_tag"), py::arg("X"), py::arg("y") = py::none());
  m.def("types", &types);
}
