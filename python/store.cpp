// mlpersist.Store: the model store API (framework/include/mlpersist/store.hpp) for Python.
// Every operation is the C++ one; results become plain dicts and lists.

#include "store.hpp"

#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <filesystem>
#include <mlpersist/envelope.hpp>
#include <mlpersist/json_text.hpp>
#include <mlpersist/limits.hpp>
#include <mlpersist/store.hpp>
#include <string>
#include <utility>
#include <vector>

#include "convert.hpp"
#include "model.hpp"
#include "policy.hpp"

namespace mlpersist::python {
namespace {

namespace fs = std::filesystem;

py::object json_to_python(const std::string& text, const std::string& what) {
  return to_python(parse_json_text(text, what, Limits{}));
}

py::dict version_dict(const StoredVersion& v) {
  py::dict d;
  d["name"] = v.name;
  d["version"] = v.version;
  d["content_hash"] = v.content_hash;
  d["size"] = v.size;
  d["created_at"] = v.created_at;
  d["pushed_by"] = v.pushed_by;
  d["header"] = json_to_python(v.header_json, v.name + "@" + std::to_string(v.version));
  return d;
}

py::dict alias_dict(const AliasInfo& a) {
  py::dict d;
  d["name"] = a.name;
  d["alias"] = a.alias;
  d["version"] = a.version;
  d["previous"] = a.previous ? py::cast(*a.previous) : py::none();
  d["moved_at"] = a.moved_at;
  d["moved_by"] = a.moved_by;
  return d;
}

py::dict model_dict(const ModelSummary& m) {
  py::dict aliases;
  for (const AliasInfo& a : m.aliases) aliases[py::str(a.alias)] = a.version;
  py::dict d;
  d["name"] = m.name;
  d["versions"] = m.versions;
  d["latest"] = m.latest;
  d["aliases"] = aliases;
  return d;
}

py::dict outcome_dict(const MigrationOutcome& o) {
  py::list steps;
  for (const std::string& step : o.steps) steps.append(json_to_python(step, "migration step"));
  py::dict d;
  d["name"] = o.name;
  d["version"] = o.version;
  d["new_version"] = o.new_version;
  d["steps"] = steps;
  d["error"] = o.error.empty() ? py::object(py::none()) : py::object(py::str(o.error));
  return d;
}

template <class T, class F>
py::list list_of(const std::vector<T>& items, F&& to_dict) {
  py::list out;
  for (const T& item : items) out.append(to_dict(item));
  return out;
}

// A dict {key: value} or pairs (key, value); values are compared as text, as the store keeps
// them (numbers in their JSON spelling).
std::vector<SearchTerm> search_terms(py::handle where) {
  std::vector<SearchTerm> terms;
  const py::object items = py::isinstance<py::dict>(where)
                               ? where.attr("items")()
                               : py::reinterpret_borrow<py::object>(where);
  for (py::handle item : items) {
    const auto pair = item.cast<std::pair<std::string, py::object>>();
    const std::string value = py::isinstance<py::str>(pair.second)
                                  ? pair.second.cast<std::string>()
                                  : py::str(pair.second).cast<std::string>();
    terms.push_back({pair.first, value});
  }
  return terms;
}

std::uint64_t push(ModelStore& store, py::handle source, const std::string& name,
                   const std::vector<std::string>& aliases) {
  PushOptions options;
  options.aliases = aliases;
  if (py::isinstance<py::bytes>(source)) {
    const auto view = py::reinterpret_borrow<py::bytes>(source).operator std::string_view();
    py::gil_scoped_release release;
    return store.push(std::as_bytes(std::span(view.data(), view.size())), name, options);
  }
  const auto path = source.cast<fs::path>();
  py::gil_scoped_release release;
  return store.push(path, name, options);
}

py::object load(ModelStore& store, const std::string& name, const std::string& ref,
                const Policy& policy) {
  const LoadOptions options = load_options(policy);
  std::shared_ptr<Estimator> model;
  {
    py::gil_scoped_release release;
    model = store.load(registry(), name, ref, options);
  }
  return wrap_model(std::move(model));
}

ModelStore open(const std::string& uri, const std::optional<fs::path>& cache_dir) {
  StoreOptions options;
  if (cache_dir) options.cache_dir = *cache_dir;
  py::gil_scoped_release release;
  return ModelStore::open(registry(), uri, options);
}

void bind_queries(py::class_<ModelStore>& c) {
  c.def(
      "inspect",
      [](ModelStore& s, const std::string& name, const std::string& ref) {
        return to_python(header_to_value(s.inspect(name, ref)));
      },
      py::arg("name"), py::arg("ref") = "latest",
      "The header of a version (a dict, as mlpersist.inspect gives); reads no payload.");
  c.def(
      "resolve",
      [](ModelStore& s, const std::string& name, const std::string& ref) {
        return version_dict(s.resolve(name, ref));
      },
      py::arg("name"), py::arg("ref") = "latest", "The version a reference names, as a dict.");
  c.def(
      "models", [](ModelStore& s) { return list_of(s.models(), model_dict); },
      "Every model: name, number of versions, latest version, aliases {alias: version}.");
  c.def(
      "versions",
      [](ModelStore& s, const std::string& name) {
        return list_of(s.versions(name), version_dict);
      },
      py::arg("name"), "Every version of a model, oldest first.");
  c.def(
      "alias_history",
      [](ModelStore& s, const std::string& name) {
        return list_of(s.alias_history(name), alias_dict);
      },
      py::arg("name"), "Every move of every alias of a model, oldest first.");
  c.def(
      "search",
      [](ModelStore& s, py::handle where) {
        return list_of(s.search(search_terms(where)), version_dict);
      },
      py::arg("where"),
      "Versions whose indexed header fields equal every term of `where` ({key: value} or pairs), "
      "e.g. {'type': 'svm.SVC', 'training_data.sha256': '...'}.");
}

void bind_changes(py::class_<ModelStore>& c) {
  c.def("push", &push, py::arg("source"), py::arg("name"),
        py::arg("aliases") = std::vector<std::string>{},
        "Stores an artifact (a path or bytes) as the next version of `name`, moving `aliases` to "
        "it; returns the version number. A damaged artifact is refused and nothing is stored.");
  c.def(
      "pull",
      [](ModelStore& s, const std::string& name, const std::string& ref, const fs::path& out) {
        py::gil_scoped_release release;
        s.pull(name, ref, out);
      },
      py::arg("name"), py::arg("ref"), py::arg("out"), "Writes a version to the file `out`.");
  c.def(
      "set_alias",
      [](ModelStore& s, const std::string& name, std::uint64_t version, const std::string& alias) {
        s.set_alias(name, version, alias);
      },
      py::arg("name"), py::arg("version"), py::arg("alias"), "Points `alias` at `version`.");
  c.def(
      "migrate_all",
      [](ModelStore& s, bool dry_run) {
        std::vector<MigrationOutcome> outcomes;
        {
          py::gil_scoped_release release;
          outcomes = s.migrate_all(registry(), dry_run);
        }
        return list_of(outcomes, outcome_dict);
      },
      py::arg("dry_run") = false,
      "Upgrades every version older than this build's types into a new version, all or "
      "nothing; returns what was (or, on a dry run, would be) done to each.");
}

}  // namespace

void register_store(py::module_& m) {
  py::class_<ModelStore> c(m, "Store",
                           "A connection to a model store (sqlite:///..., postgresql://...).");
  c.def(py::init(&open), py::arg("uri"), py::arg("cache_dir") = py::none());
  c.def_property_readonly("uri", [](const ModelStore& s) { return s.uri().uri; });
  c.def_property_readonly("cache_dir", [](const ModelStore& s) { return s.cache_dir(); });
  c.def(
      "load",
      [](ModelStore& s, const std::string& name, const std::string& ref, py::object allowed,
         py::object keys, bool require, bool mmap) {
        return load(s, name, ref, Policy{std::move(allowed), std::move(keys), require, mmap, true});
      },
      py::arg("name"), py::arg("ref") = "latest", py::arg("allowed_types") = py::none(),
      py::arg("trusted_keys") = py::none(), py::arg("require_signature") = false,
      py::arg("mmap") = true,
      "Loads a version through the verified local cache, refused exactly as a file would be by "
      "the allowlist and signature policy.");
  bind_queries(c);
  bind_changes(c);
  m.def("is_model_location", [](const std::string& text) { return is_model_location(text); });
  m.def("parse_model_location", [](const std::string& text) {
    const ModelLocation loc = parse_model_location(text);
    return py::make_tuple(loc.store, loc.name, loc.ref);
  });
}

}  // namespace mlpersist::python
