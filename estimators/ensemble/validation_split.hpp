#pragma once

// The validation split of early stopping (GradientBoosting* and HistGradientBoosting*):
// scikit-learn's train_test_split(test_size=validation_fraction, random_state=seed), shuffled
// (regressors) or stratified (classifiers), drawing the same RandomState numbers.

#include <cstdint>
#include <span>
#include <vector>

namespace mlpersist::ensemble {

struct TrainValidation {
  std::vector<std::int64_t> train;
  std::vector<std::int64_t> validation;
};

/// ShuffleSplit: a permutation's first ceil(fraction * n) rows are the validation rows. Throws
/// UsageError when either side would be empty.
[[nodiscard]] TrainValidation shuffle_split(std::int64_t n, double fraction, std::uint32_t seed);
/// StratifiedShuffleSplit on encoded labels 0..n_classes-1; throws UsageError when a class has
/// fewer than two members or a side would have fewer rows than classes.
[[nodiscard]] TrainValidation stratified_split(std::span<const double> y, std::size_t n_classes,
                                               double fraction, std::uint32_t seed);

}  // namespace mlpersist::ensemble
