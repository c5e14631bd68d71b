#pragma once

#include <map>
#include <mlpersist/error.hpp>
#include <mlpersist/estimator.hpp>
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

}  // namespace mlpersist::common
