#include "hgb_binning.hpp"

#include <algorithm>
#include <cmath>

namespace mlpersist::ensemble::hgb {
namespace {

// NumPy 1.24's percentile(sorted, p, method="midpoint") with its own arithmetic: the virtual
// index is the mean of floor and ceil of (n-1)q, and the interpolation is NumPy's _lerp.
double midpoint_percentile(const std::vector<double>& sorted, double q) {
  const auto n = static_cast<double>(sorted.size());
  const double scaled = (n - 1) * q;
  const double virtual_index = 0.5 * (std::floor(scaled) + std::ceil(scaled));
  if (virtual_index >= n - 1) return sorted.back();
  const double previous_index = std::floor(virtual_index);
  const double gamma = virtual_index == previous_index ? 0.0 : 0.5;
  const double a = sorted[static_cast<std::size_t>(previous_index)];
  const double b = sorted[static_cast<std::size_t>(previous_index) + 1];
  const double diff = b - a;
  return gamma >= 0.5 ? b - diff * (1 - gamma) : a + diff * gamma;
}

// Bins one column: NaN to the missing bin, else the first threshold >= x (binary search as
// scikit-learn's _map_col_to_bins); a negative category counts as missing.
std::vector<std::uint8_t> bin_column(const MatrixView& X, Eigen::Index f,
                                     const std::vector<double>& thresholds, bool categorical,
                                     std::uint8_t missing_bin) {
  std::vector<std::uint8_t> out(static_cast<std::size_t>(X.rows()));
  for (Eigen::Index i = 0; i < X.rows(); ++i) {
    const double x = X(i, f);
    if (std::isnan(x) || (categorical && x < 0)) {
      out[static_cast<std::size_t>(i)] = missing_bin;
      continue;
    }
    const auto it = std::lower_bound(thresholds.begin(), thresholds.end(), x);
    out[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(it - thresholds.begin());
  }
  return out;
}

}  // namespace

std::vector<double> find_thresholds(std::vector<double> column, std::uint32_t max_bins) {
  std::erase_if(column, [](double v) { return std::isnan(v); });
  std::sort(column.begin(), column.end());
  std::vector<double> distinct = column;
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  std::vector<double> midpoints;
  if (distinct.size() <= max_bins) {
    for (std::size_t i = 1; i < distinct.size(); ++i)
      midpoints.push_back((distinct[i - 1] + distinct[i]) * 0.5);
  } else {
    // np.linspace(0, 100, max_bins + 1)[1:-1] / 100, computed as NumPy does.
    const double step = 100.0 / static_cast<double>(max_bins);
    for (std::uint32_t i = 1; i < max_bins; ++i)
      midpoints.push_back(midpoint_percentile(column, static_cast<double>(i) * step / 100.0));
  }
  for (double& m : midpoints) m = std::min(m, kAlmostInf);
  return midpoints;
}

std::vector<std::int64_t> numpy_permutation(common::NumpyRandomState& rng, std::int64_t n) {
  std::vector<std::int64_t> v(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) v[static_cast<std::size_t>(i)] = i;
  numpy_shuffle(rng, v);
  return v;
}

void numpy_shuffle(common::NumpyRandomState& rng, std::vector<std::int64_t>& v) {
  for (std::size_t i = v.size(); i-- > 1;) {
    const auto j = static_cast<std::size_t>(rng.randint(i + 1));
    std::swap(v[i], v[j]);
  }
}

BinMapper BinMapper::fit(const MatrixView& X, std::uint32_t max_bins,
                         const std::vector<std::uint8_t>& is_categorical,
                         std::vector<std::vector<double>> categories, std::uint32_t seed) {
  constexpr std::int64_t kSubsample = 200000;
  std::vector<std::int64_t> rows;
  if (X.rows() > kSubsample) {
    // RandomState(seed).choice(n, 2e5, replace=False): the first 2e5 of a permutation.
    common::NumpyRandomState rng(seed);
    rows = numpy_permutation(rng, X.rows());
    rows.resize(kSubsample);
  }
  BinMapper m;
  m.is_categorical = is_categorical;
  m.missing_values_bin_idx = max_bins;
  for (Eigen::Index f = 0; f < X.cols(); ++f) {
    const auto fi = static_cast<std::size_t>(f);
    if (is_categorical[fi]) {
      m.thresholds.push_back(std::move(categories[fi]));
      continue;
    }
    std::vector<double> column;
    if (rows.empty()) {
      column.assign(X.col(f).begin(), X.col(f).end());
    } else {
      column.reserve(rows.size());
      for (const std::int64_t r : rows) column.push_back(X(r, f));
    }
    m.thresholds.push_back(find_thresholds(std::move(column), max_bins));
  }
  return m;
}

BinnedData BinMapper::transform(const MatrixView& X) const {
  BinnedData out;
  out.n_samples = X.rows();
  for (Eigen::Index f = 0; f < X.cols(); ++f) {
    const auto fi = static_cast<std::size_t>(f);
    out.columns.push_back(bin_column(X, f, thresholds[fi], is_categorical[fi] != 0,
                                     static_cast<std::uint8_t>(missing_values_bin_idx)));
  }
  return out;
}

}  // namespace mlpersist::ensemble::hgb
