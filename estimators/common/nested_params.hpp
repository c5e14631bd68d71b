#pragma once

#include <bit>
#include <cmath>
#include <map>
#include <mlpersist/error.hpp>
#include <mlpersist/estimator.hpp>
#include <mlpersist/node.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace mlpersist::common {

/// Sets `<step>__<param>` parameters, grouped by step name, on the named steps of a composite.
/// Every value is tried on a clone first, so that a bad one leaves every step unchanged; an
/// unknown step name is UsageError(kInvalidParameter) starting with `who` ("Pipeline").
inline void apply_nested_params(const std::vector<Step>& steps,
                                const std::map<std::string, Map>& by_step, std::string_view who) {
  std::map<std::string_view, Estimator*> named;
  for (const auto& [name, est] : steps) named.emplace(name, est.get());
  for (const auto& [name, m] : by_step) {
    const auto step = named.find(name);
    if (step == named.end())
      throw UsageError(ErrorCode::kInvalidParameter,
                       std::string(who) + ": no step named '" + name + "'");
    step->second->clone()->set_params(m);
  }
  for (const auto& [name, m] : by_step) named.at(name)->set_params(m);
}

/// Equal as parameters: like Value's ==, except that two NaNs are equal (`missing_values=nan`)
/// and that 0.0 and -0.0 differ (a parameter of either sign was written by a different model).
inline bool same_param(const Value& a, const Value& b) {
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case Kind::kDouble:
      return (std::isnan(a.as_double()) && std::isnan(b.as_double())) ||
             std::bit_cast<std::uint64_t>(a.as_double()) ==
                 std::bit_cast<std::uint64_t>(b.as_double());
    case Kind::kArray: {
      const Array &x = a.as_array(), &y = b.as_array();
      if (x.size() != y.size()) return false;
      for (std::size_t i = 0; i < x.size(); ++i)
        if (!same_param(x[i], y[i])) return false;
      return true;
    }
    case Kind::kMap: {
      if (a.as_map().size() != b.as_map().size()) return false;
      for (const auto& [key, value] : a.as_map()) {
        const Value* other = b.as_map().find(key);
        if (other == nullptr || !same_param(value, *other)) return false;
      }
      return true;
    }
    default: return a == b;
  }
}

/// A saved composite holds each step's parameters twice: flattened (`<step>__<param>`) in its
/// own parameters, and in the step's document, where the loaded step already checked its fitted
/// state against them. Applying the flattened copy after that would change a checked step
/// unseen (a MinMaxScaler's feature_range without its min_), so at load the two must agree.
/// Fails at `where` naming the first step and parameter that differ; a step name in `by_step`
/// that is not in `steps` is left for apply_nested_params to refuse.
inline void check_nested_params(const std::vector<Step>& steps,
                                const std::map<std::string, Map>& by_step, const Node& where) {
  for (const auto& [name, est] : steps) {
    const auto it = by_step.find(name);
    if (it == by_step.end()) continue;
    auto applied = est->clone();
    try {
      applied->set_params(it->second);
    } catch (const UsageError& e) {
      where.fail("the parameters of step '" + name + "': " + e.what());
    }
    const Value after = applied->get_params(), own = est->get_params();
    for (const auto& [key, value] : it->second) {
      const Value* a = after.as_map().find(key);
      const Value* b = own.as_map().find(key);
      if (a == nullptr || b == nullptr || !same_param(*a, *b))
        where.fail("parameter '" + name + "__" + key +
                   "' differs from the one in the step's own document; a saved model writes "
                   "both from one value, so this file was edited or damaged: re-save the model");
    }
  }
}

}  // namespace mlpersist::common
