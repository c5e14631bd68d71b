#include <mlpersist/error.hpp>
#include <mlpersist/registry.hpp>
#include <mlpersist/spec.hpp>

namespace mlpersist {
namespace {

[[noreturn]] void spec_error(const std::string& path, const std::string& what) {
  throw UsageError(ErrorCode::kInvalidParameter, path + ": " + what);
}

// The `<name>__<param>` entries of `params`, without the prefix.
Value step_params(const Map& params, const std::string& name) {
  const std::string prefix = name + "__";
  Map out;
  for (const auto& [key, value] : params)
    if (key.starts_with(prefix)) out.insert(key.substr(prefix.size()), value);
  return out;
}

std::shared_ptr<Estimator> build(const Registry& registry, const std::string& tag,
                                 const Value& params, const std::string& path, int depth) {
  if (depth > kMaxSpecDepth)
    spec_error(path, "nested more than " + std::to_string(kMaxSpecDepth) + " levels deep");
  if (registry.find_type(tag) == nullptr)
    spec_error(path, "unknown estimator type '" + tag + "'; load the plugin that provides it");
  if (params.kind() != Kind::kMap) spec_error(path, "params must be an object");
  std::shared_ptr<Estimator> estimator = registry.create(tag);
  auto* composite = dynamic_cast<Composite*>(estimator.get());
  try {
    estimator->set_params(params);
  } catch (const Error& e) {
    spec_error(path, e.what());
  }
  if (composite == nullptr) return estimator;
  std::vector<Step> steps;
  try {
    for (const auto& [name, step_tag] : composite->declared_steps(params))
      steps.emplace_back(name, build(registry, step_tag, step_params(params.as_map(), name),
                                     path + "." + name + "__", depth + 1));
    composite->set_steps(std::move(steps));
  } catch (const UsageError& e) {
    if (std::string_view(e.what()).starts_with("$")) throw;
    spec_error(path, e.what());
  }
  return estimator;
}

}  // namespace

std::shared_ptr<Estimator> build_estimator(const Registry& registry, const Value& spec) {
  if (spec.kind() != Kind::kMap) spec_error("$", "a spec is an object with `type` and `params`");
  const Map& m = spec.as_map();
  for (const auto& [key, value] : m)
    if (key != "type" && key != "params")
      spec_error("$." + key, "unknown member; a spec has `type` and `params`");
  const Value* type = m.find("type");
  if (type == nullptr || type->kind() != Kind::kString)
    spec_error("$.type", "expected the estimator's type tag (a string)");
  const Value* params = m.find("params");
  return build(registry, type->as_string(), params ? *params : Value(Map()), "$.params", 0);
}

}  // namespace mlpersist
