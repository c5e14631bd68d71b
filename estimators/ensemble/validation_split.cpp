#include "validation_split.hpp"

#include <algorithm>
#include <cmath>
#include <mlpersist/error.hpp>
#include <string>

#include "hgb_binning.hpp"

namespace mlpersist::ensemble {

using hgb::numpy_permutation;
using hgb::numpy_shuffle;

namespace {

[[noreturn]] void bad_split(const std::string& what) {
  throw UsageError(ErrorCode::kInvalidInput, "early stopping's validation split: " + what);
}

// scikit-learn's _approximate_mode: the most likely counts of a draw of n_draws without
// replacement, ties among remainders broken by rng.choice (a permutation's first entries).
std::vector<std::int64_t> approximate_mode(const std::vector<std::int64_t>& counts,
                                           std::int64_t n_draws, common::NumpyRandomState& rng) {
  std::int64_t total = 0;
  for (const std::int64_t c : counts) total += c;
  std::vector<double> continuous(counts.size()), floored(counts.size());
  double floored_sum = 0;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    continuous[i] =
        static_cast<double>(counts[i]) / static_cast<double>(total) * static_cast<double>(n_draws);
    floored[i] = std::floor(continuous[i]);
    floored_sum += floored[i];
  }
  auto need = static_cast<std::int64_t>(static_cast<double>(n_draws) - floored_sum);
  std::vector<double> remainder(counts.size());
  for (std::size_t i = 0; i < counts.size(); ++i) remainder[i] = continuous[i] - floored[i];
  std::vector<double> values = remainder;
  std::sort(values.begin(), values.end(), std::greater<>());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  for (const double value : values) {
    if (need <= 0) break;
    std::vector<std::size_t> inds;
    for (std::size_t i = 0; i < remainder.size(); ++i)
      if (remainder[i] == value) inds.push_back(i);
    const auto add_now = std::min(static_cast<std::int64_t>(inds.size()), need);
    const std::vector<std::int64_t> perm =
        numpy_permutation(rng, static_cast<std::int64_t>(inds.size()));
    for (std::int64_t j = 0; j < add_now; ++j)
      floored[inds[static_cast<std::size_t>(perm[j])]] += 1;
    need -= add_now;
  }
  std::vector<std::int64_t> out(counts.size());
  for (std::size_t i = 0; i < counts.size(); ++i) out[i] = static_cast<std::int64_t>(floored[i]);
  return out;
}

std::int64_t validation_size(std::int64_t n, double fraction) {
  const auto n_test = static_cast<std::int64_t>(std::ceil(fraction * static_cast<double>(n)));
  if (n_test < 1 || n - n_test < 1)
    bad_split("validation_fraction=" + std::to_string(fraction) + " leaves an empty side of " +
              std::to_string(n) + " samples");
  return n_test;
}

}  // namespace

TrainValidation shuffle_split(std::int64_t n, double fraction, std::uint32_t seed) {
  const std::int64_t n_test = validation_size(n, fraction);
  common::NumpyRandomState rng(seed);
  const std::vector<std::int64_t> perm = numpy_permutation(rng, n);
  return {{perm.begin() + n_test, perm.end()}, {perm.begin(), perm.begin() + n_test}};
}

TrainValidation stratified_split(std::span<const double> y, std::size_t n_classes, double fraction,
                                 std::uint32_t seed) {
  const auto n = static_cast<std::int64_t>(y.size());
  const std::int64_t n_test = validation_size(n, fraction);
  const std::int64_t n_train = n - n_test;
  std::vector<std::vector<std::int64_t>> members(n_classes);
  for (std::int64_t i = 0; i < n; ++i)
    members[static_cast<std::size_t>(y[static_cast<std::size_t>(i)])].push_back(i);
  std::vector<std::int64_t> counts;
  for (const auto& m : members) {
    if (m.size() < 2) bad_split("the least populated class has fewer than 2 members");
    counts.push_back(static_cast<std::int64_t>(m.size()));
  }
  const auto classes = static_cast<std::int64_t>(n_classes);
  if (n_train < classes || n_test < classes)
    bad_split("each side of the split needs at least one sample per class");
  common::NumpyRandomState rng(seed);
  const std::vector<std::int64_t> n_i = approximate_mode(counts, n_train, rng);
  std::vector<std::int64_t> remaining(n_classes);
  for (std::size_t c = 0; c < n_classes; ++c) remaining[c] = counts[c] - n_i[c];
  const std::vector<std::int64_t> t_i = approximate_mode(remaining, n_test, rng);
  TrainValidation out;
  for (std::size_t c = 0; c < n_classes; ++c) {
    const std::vector<std::int64_t> perm = numpy_permutation(rng, counts[c]);
    for (std::int64_t j = 0; j < n_i[c] + t_i[c]; ++j) {
      const std::int64_t row =
          members[c][static_cast<std::size_t>(perm[static_cast<std::size_t>(j)])];
      (j < n_i[c] ? out.train : out.validation).push_back(row);
    }
  }
  numpy_shuffle(rng, out.train);
  numpy_shuffle(rng, out.validation);
  return out;
}

}  // namespace mlpersist::ensemble
