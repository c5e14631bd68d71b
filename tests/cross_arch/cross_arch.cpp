#include "cross_arch.hpp"

#include <rapidjson/document.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include <bit>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <mlpersist/backend.hpp>
#include <mlpersist/dataset.hpp>
#include <mlpersist/endian.hpp>
#include <mlpersist/envelope.hpp>
#include <stdexcept>

namespace mlpersist::cross_arch {
namespace fs = std::filesystem;
namespace {

std::string hex64(std::uint64_t v) {
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(v));
  return hex;
}

std::string read_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + file.string());
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::span<const std::byte> as_byte_span(const std::string& s) {
  return std::as_bytes(std::span(s.data(), s.size()));
}

// "float64[150,4]:<xxh3 of the little-endian bytes>".
std::string tensor_fingerprint(const Tensor& t) {
  std::string bytes(reinterpret_cast<const char*>(t.data()), t.nbytes());
  if constexpr (!kHostIsLittleEndian)
    swap_elements(reinterpret_cast<std::byte*>(bytes.data()), t.size(), dtype_size(t.dtype()));
  std::string shape;
  for (std::uint64_t d : t.shape()) shape += (shape.empty() ? "" : ",") + std::to_string(d);
  return std::string(dtype_name(t.dtype())) + "[" + shape +
         "]:" + hex64(checksum64(as_byte_span(bytes)));
}

void collect_tensors(const Value& v, const std::string& path,
                     std::vector<std::pair<std::string, std::string>>& out) {
  switch (v.kind()) {
    case Kind::kTensor: out.emplace_back(path, tensor_fingerprint(v.as_tensor())); return;
    case Kind::kArray:
      for (std::size_t i = 0; i < v.as_array().size(); ++i)
        collect_tensors(v.as_array()[i], path + "[" + std::to_string(i) + "]", out);
      return;
    case Kind::kMap:
      for (const auto& [key, child] : v.as_map())
        collect_tensors(child, path.empty() ? key : path + "." + key, out);
      return;
    default: return;
  }
}

const rapidjson::Value& member(const rapidjson::Value& object, const char* key,
                               const fs::path& file) {
  if (!object.IsObject() || !object.HasMember(key))
    throw std::runtime_error(file.string() + ": expected a member '" + key + "'");
  return object[key];
}

std::string string_member(const rapidjson::Value& object, const char* key, const fs::path& file) {
  const rapidjson::Value& v = member(object, key, file);
  if (!v.IsString()) throw std::runtime_error(file.string() + ": '" + key + "' is not a string");
  return {v.GetString(), v.GetStringLength()};
}

const rapidjson::Value::ConstArray array_member(const rapidjson::Value& object, const char* key,
                                                const fs::path& file) {
  const rapidjson::Value& v = member(object, key, file);
  if (!v.IsArray()) throw std::runtime_error(file.string() + ": '" + key + "' is not an array");
  return v.GetArray();
}

using Writer = rapidjson::PrettyWriter<rapidjson::StringBuffer>;

void write_string(Writer& w, std::string_view s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

void write_artifact(Writer& w, const Artifact& a) {
  w.StartObject();
  w.Key("file");
  write_string(w, a.file);
  w.Key("backend");
  write_string(w, a.backend);
  w.Key("document_xxh3");
  write_string(w, a.state.document);
  w.Key("tensors");
  w.StartObject();
  for (const auto& [path, print] : a.state.tensors) {
    write_string(w, path);
    write_string(w, print);
  }
  w.EndObject();
  w.EndObject();
}

void write_model(Writer& w, const ModelRecord& m) {
  w.StartObject();
  w.Key("name");
  write_string(w, m.name);
  w.Key("type");
  write_string(w, m.type);
  w.Key("data");
  write_string(w, m.data);
  w.Key("outputs");
  w.StartArray();
  for (const Output& o : m.outputs) {
    w.StartObject();
    w.Key("method");
    write_string(w, o.method);
    w.Key("file");
    write_string(w, o.file);
    w.Key("exact");
    w.Bool(o.exact);
    w.EndObject();
  }
  w.EndArray();
  w.Key("artifacts");
  w.StartArray();
  for (const Artifact& a : m.artifacts) write_artifact(w, a);
  w.EndArray();
  w.EndObject();
}

ModelRecord read_model(const rapidjson::Value& v, const fs::path& file) {
  ModelRecord m{string_member(v, "name", file),
                string_member(v, "type", file),
                string_member(v, "data", file),
                {},
                {}};
  for (const auto& o : array_member(v, "outputs", file)) {
    const rapidjson::Value& exact = member(o, "exact", file);
    if (!exact.IsBool()) throw std::runtime_error(file.string() + ": 'exact' is not a bool");
    m.outputs.push_back(
        {string_member(o, "method", file), string_member(o, "file", file), exact.GetBool()});
  }
  for (const auto& a : array_member(v, "artifacts", file)) {
    Artifact artifact{string_member(a, "file", file),
                      string_member(a, "backend", file),
                      {string_member(a, "document_xxh3", file), {}}};
    const rapidjson::Value& tensors = member(a, "tensors", file);
    if (!tensors.IsObject()) throw std::runtime_error(file.string() + ": 'tensors' not an object");
    for (const auto& t : tensors.GetObject()) {
      if (!t.value.IsString()) throw std::runtime_error(file.string() + ": bad tensor entry");
      artifact.state.tensors.emplace_back(t.name.GetString(), t.value.GetString());
    }
    m.artifacts.push_back(std::move(artifact));
  }
  return m;
}

}  // namespace

std::vector<ModelSpec> model_specs() {
  std::vector<ModelSpec> specs;
  specs.push_back({"svc", "svm.SVC", {}, Map{}.insert("C", 10.0), "iris"});
  specs.push_back({"random_forest",
                   "ensemble.RandomForestClassifier",
                   {},
                   Map{}.insert("n_estimators", 10).insert("random_state", 0),
                   "iris"});
  specs.push_back({"pca", "decomposition.PCA", {}, Map{}.insert("n_components", 2), "iris"});
  specs.push_back(
      {"pipeline",
       "pipeline.Pipeline",
       {{"scaler", "preprocessing.StandardScaler"}, {"logreg", "linear_model.LogisticRegression"}},
       Map{}.insert("logreg__C", 10.0),
       "iris"});
  specs.push_back({"knn",
                   "neighbors.KNeighborsClassifier",
                   {},
                   Map{}.insert("n_neighbors", 5).insert("weights", "distance"),
                   "iris"});
  specs.push_back({"ridge", "linear_model.Ridge", {}, Map{}.insert("alpha", 0.5), "diabetes"});
  specs.push_back({"kmeans",
                   "cluster.KMeans",
                   {},
                   Map{}.insert("n_clusters", 3).insert("n_init", 3).insert("random_state", 0),
                   "iris"});
  specs.push_back({"gaussian_nb", "naive_bayes.GaussianNB", {}, Map{}, "iris"});
  return specs;
}

std::vector<std::pair<std::string, std::string>> backends_and_extensions() {
  return {{"binary", "bin"}, {"json", "json"}, {"msgpack", "msgpack"}};
}

std::shared_ptr<Estimator> fit_model(const Registry& registry, const ModelSpec& spec,
                                     const fs::path& data_dir) {
  std::shared_ptr<Estimator> estimator = registry.create(spec.type);
  if (!spec.steps.empty()) {
    std::vector<Step> steps;
    for (const auto& [name, type] : spec.steps) steps.emplace_back(name, registry.create(type));
    dynamic_cast<Composite&>(*estimator).set_steps(std::move(steps));
  }
  estimator->set_params(spec.params);
  const Dataset d = read_csv(data_dir / (spec.data + ".csv"));
  estimator->set_feature_names(d.feature_names);
  estimator->fit(d.X, d.y);
  return estimator;
}

Fingerprint fingerprint(const Registry& registry, const fs::path& artifact) {
  const std::string bytes = read_file(artifact);
  const std::span<const std::byte> all = as_byte_span(bytes);
  const Header h = read_header(all, artifact.string(), Limits{});
  if (h.payload_offset > all.size() || h.payload_size > all.size() - h.payload_offset)
    throw std::runtime_error(artifact.string() + ": truncated payload");
  DecodeInput input;
  input.payload = all.subspan(h.payload_offset, h.payload_size);
  input.source = artifact.string();
  input.payload_offset = h.payload_offset;
  const Value document = registry.backend(h.backend)->decode(input);
  std::string canonical;
  StringSink sink(canonical);
  registry.backend("binary")->encode(document, sink);
  Fingerprint f{hex64(checksum64(as_byte_span(canonical))), {}};
  collect_tensors(document, "", f.tensors);
  return f;
}

std::string host_description() {
#if defined(__x86_64__)
  std::string arch = "x86_64";
#elif defined(__s390x__)
  std::string arch = "s390x";
#elif defined(__aarch64__)
  std::string arch = "aarch64";
#elif defined(__powerpc64__)
  std::string arch = "ppc64";
#else
  std::string arch = "unknown architecture";
#endif
  return arch + (std::endian::native == std::endian::little ? ", little-endian" : ", big-endian");
}

void write_manifest(const Manifest& manifest, const fs::path& file) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.SetIndent(' ', 2);
  w.StartObject();
  w.Key("written_on");
  write_string(w, manifest.written_on);
  w.Key("framework_version");
  write_string(w, manifest.framework_version);
  w.Key("models");
  w.StartArray();
  for (const ModelRecord& m : manifest.models) write_model(w, m);
  w.EndArray();
  w.EndObject();
  std::ofstream out(file, std::ios::binary);
  out << buffer.GetString() << '\n';
  if (!out) throw std::runtime_error("cannot write " + file.string());
}

Manifest read_manifest(const fs::path& file) {
  const std::string text = read_file(file);
  rapidjson::Document d;
  d.Parse(text.data(), text.size());
  if (d.HasParseError()) throw std::runtime_error(file.string() + ": not valid JSON");
  Manifest m{string_member(d, "written_on", file), string_member(d, "framework_version", file), {}};
  for (const auto& model : array_member(d, "models", file))
    m.models.push_back(read_model(model, file));
  return m;
}

}  // namespace mlpersist::cross_arch
