#pragma once

#include <memory>
#include <mlpersist/estimator.hpp>

namespace mlpersist::common {

/// A clone of a step of a composite estimator that keeps the original alive too: the original
/// holds its plugin library, which the clone's code lives in.
[[nodiscard]] inline std::shared_ptr<Estimator> clone_step(const std::shared_ptr<Estimator>& step) {
  return std::shared_ptr<Estimator>(step->clone().release(),
                                    [keep = step](Estimator* p) { delete p; });
}

}  // namespace mlpersist::common
