#pragma once

#include <mlpersist/estimator.hpp>
#include <span>
#include <string>
#include <vector>

namespace mlpersist::common {

/// scikit-learn's `_check_feature_names_in`: the given input names, else the names seen in fit,
/// else x0, x1, ...
[[nodiscard]] inline std::vector<std::string> input_feature_names(
    const Estimator& estimator, std::span<const std::string> input) {
  if (!input.empty()) return {input.begin(), input.end()};
  if (!estimator.feature_names_in().empty()) return estimator.feature_names_in();
  std::vector<std::string> out;
  for (std::int64_t j = 0; j < estimator.n_features_in(); ++j)
    out.push_back("x" + std::to_string(j));
  return out;
}

}  // namespace mlpersist::common
