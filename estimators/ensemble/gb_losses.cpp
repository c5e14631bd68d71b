#include "gb_losses.hpp"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <mlpersist/error.hpp>
#include <mlpersist/params.hpp>

#include "common/numeric.hpp"

namespace mlpersist::ensemble {
namespace {

using common::numpy_sum;

double expit(double x) {
  return 1.0 / (1.0 + std::exp(-x));
}

double sign(double x) {
  return x > 0.0 ? 1.0 : x < 0.0 ? -1.0 : 0.0;
}

// NumPy's logaddexp(0, x).
double log1p_exp(double x) {
  const double tmp = -x;
  return tmp > 0 ? std::log1p(std::exp(-tmp)) : x + std::log1p(std::exp(tmp));
}

// scipy's logsumexp of one row (maximum subtracted, exps summed in order).
double logsumexp(const Matrix& raw, Eigen::Index i) {
  double top = raw.row(i).maxCoeff();
  if (!std::isfinite(top)) top = 0.0;
  double s = 0.0;
  for (Eigen::Index k = 0; k < raw.cols(); ++k) s += std::exp(raw(i, k) - top);
  return std::log(s) + top;
}

// NumPy's clip(p, float32 eps, 1 - float32 eps).
double clip_probability(double p) {
  constexpr double kEps = FLT_EPSILON;
  return std::clamp(p, kEps, 1.0 - kEps);
}

// values[rows] as a contiguous array, in row order (NumPy's take).
template <class F>
std::vector<double> gather(const std::vector<std::int64_t>& rows, F&& f) {
  std::vector<double> out;
  out.reserve(rows.size());
  for (const std::int64_t i : rows) out.push_back(f(i));
  return out;
}

double sum_of(const std::vector<double>& v) {
  return numpy_sum(v.data(), static_cast<Eigen::Index>(v.size()));
}

}  // namespace

GbLoss parse_gb_loss(std::string_view who, const std::string& name, bool classifier) {
  if (classifier) {
    if (name == "log_loss") return GbLoss::kLogLoss;
    if (name == "exponential") return GbLoss::kExponential;
  } else {
    if (name == "squared_error") return GbLoss::kSquaredError;
    if (name == "absolute_error") return GbLoss::kAbsoluteError;
    if (name == "huber") return GbLoss::kHuber;
    if (name == "quantile") return GbLoss::kQuantile;
  }
  throw_invalid_param(who, std::string("loss must be ") +
                               (classifier ? "'log_loss' or 'exponential'"
                                           : "'squared_error', 'absolute_error', 'huber' or "
                                             "'quantile'") +
                               ", got '" + name + "'");
}

double unit_weighted_percentile(std::vector<double> values, double percentile) {
  std::sort(values.begin(), values.end());
  const auto n = static_cast<double>(values.size());
  double adjusted = percentile / 100 * n;
  if (adjusted == 0) adjusted = std::nextafter(0.0, 1.0);
  // The first rank (1, 2, ..., n: the cumulative unit weights) that reaches `adjusted`.
  const auto i = static_cast<std::int64_t>(std::ceil(adjusted)) - 1;
  return values[static_cast<std::size_t>(
      std::clamp<std::int64_t>(i, 0, static_cast<std::int64_t>(values.size()) - 1))];
}

double numpy_percentile(std::vector<double> values, double percentile) {
  std::sort(values.begin(), values.end());
  const double virtual_index = static_cast<double>(values.size() - 1) * (percentile / 100);
  const double previous = std::floor(virtual_index);
  const auto last = static_cast<double>(values.size() - 1);
  const double a = values[static_cast<std::size_t>(std::min(previous, last))];
  const double b = values[static_cast<std::size_t>(std::min(previous + 1, last))];
  const double t = virtual_index - previous, diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

BoostingLoss::BoostingLoss(GbLoss loss, double alpha, std::int64_t n_classes)
    : loss_(loss), alpha_(alpha), k_(loss == GbLoss::kLogLoss && n_classes > 2 ? n_classes : 1) {}

Vector BoostingLoss::fit_prior(const Vector& y) const {
  const std::vector<double> v(y.begin(), y.end());
  switch (loss_) {
    case GbLoss::kSquaredError:
      return Vector::Constant(1, numpy_sum(y) / static_cast<double>(y.size()));
    case GbLoss::kAbsoluteError:
    case GbLoss::kHuber: return Vector::Constant(1, numpy_percentile(v, 50));
    case GbLoss::kQuantile: return Vector::Constant(1, numpy_percentile(v, alpha_ * 100));
    default: break;
  }
  const auto n_classes = static_cast<Eigen::Index>(y.maxCoeff()) + 1;
  Vector counts = Vector::Zero(std::max<Eigen::Index>(n_classes, 2));
  for (const double c : y) counts(static_cast<Eigen::Index>(c)) += 1.0;
  return counts / counts.sum();
}

Vector BoostingLoss::initial_raw(const Vector& prior) const {
  if (!is_classification()) return prior;
  if (k_ > 1) return prior.unaryExpr([](double p) { return std::log(clip_probability(p)); });
  const double p = clip_probability(prior(1));
  const double log_odds = std::log(p / (1 - p));
  return Vector::Constant(1, loss_ == GbLoss::kExponential ? 0.5 * log_odds : log_odds);
}

Vector BoostingLoss::negative_gradient(const Vector& y, const Matrix& raw, std::int64_t k) {
  const Eigen::Index n = y.size();
  Vector r(n);
  if (loss_ == GbLoss::kHuber) {
    std::vector<double> abs_diff(static_cast<std::size_t>(n));
    for (Eigen::Index i = 0; i < n; ++i)
      abs_diff[static_cast<std::size_t>(i)] = std::abs(y(i) - raw(i, 0));
    gamma_ = unit_weighted_percentile(abs_diff, alpha_ * 100);
  }
  for (Eigen::Index i = 0; i < n; ++i) {
    const double f = raw(i, k), d = y(i) - f;
    switch (loss_) {
      case GbLoss::kSquaredError: r(i) = d; break;
      case GbLoss::kAbsoluteError: r(i) = d > 0 ? 1.0 : -1.0; break;
      case GbLoss::kHuber: r(i) = std::abs(d) <= gamma_ ? d : gamma_ * sign(d); break;
      case GbLoss::kQuantile: r(i) = y(i) > f ? alpha_ : -(1 - alpha_); break;
      case GbLoss::kLogLoss:
        r(i) = k_ == 1
                   ? y(i) - expit(f)
                   : (y(i) == static_cast<double>(k) ? 1.0 : 0.0) - std::exp(f - logsumexp(raw, i));
        break;
      case GbLoss::kExponential: {
        const double s = 2.0 * y(i) - 1.0;
        r(i) = s * std::exp(-s * f);
        break;
      }
    }
  }
  return r;
}

double BoostingLoss::leaf_value(const std::vector<std::int64_t>& rows, const Vector& y,
                                const Vector& residual, const Matrix& raw, std::int64_t k) const {
  const auto diff = [&](std::int64_t i) { return y(i) - raw(i, 0); };
  const auto newton = [](double numerator, double denominator) {
    return std::abs(denominator) < 1e-150 ? 0.0 : numerator / denominator;
  };
  switch (loss_) {
    case GbLoss::kAbsoluteError: return unit_weighted_percentile(gather(rows, diff), 50);
    case GbLoss::kQuantile: return unit_weighted_percentile(gather(rows, diff), alpha_ * 100);
    case GbLoss::kHuber: {
      const std::vector<double> d = gather(rows, diff);
      const double median = unit_weighted_percentile(d, 50);
      std::vector<double> clipped;
      for (const double x : d)
        clipped.push_back(sign(x - median) * std::min(std::abs(x - median), gamma_));
      return median + sum_of(clipped) / static_cast<double>(clipped.size());
    }
    case GbLoss::kExponential: {
      const auto term = [&](std::int64_t i, bool signed_term) {
        const double s = 2.0 * y(i) - 1.0;
        return (signed_term ? s : 1.0) * std::exp(-s * raw(i, 0));
      };
      return newton(sum_of(gather(rows, [&](std::int64_t i) { return term(i, true); })),
                    sum_of(gather(rows, [&](std::int64_t i) { return term(i, false); })));
    }
    default: break;  // log_loss
  }
  const auto target = [&](std::int64_t i) {
    return k_ == 1 ? y(i) : (y(i) == static_cast<double>(k) ? 1.0 : 0.0);
  };
  double numerator = sum_of(gather(rows, [&](std::int64_t i) { return residual(i); }));
  if (k_ > 1) numerator *= static_cast<double>(k_ - 1) / static_cast<double>(k_);
  const double denominator = sum_of(gather(rows, [&](std::int64_t i) {
    return (target(i) - residual(i)) * (1 - target(i) + residual(i));
  }));
  return newton(numerator, denominator);
}

void BoostingLoss::update_terminal_regions(tree::Tree& tree, const MatrixView& X, const Vector& y,
                                           const Vector& residual, Matrix& raw,
                                           const std::vector<bool>& in_bag, double learning_rate,
                                           std::int64_t k) const {
  const std::vector<std::int64_t> leaves = tree.apply(X);
  if (loss_ != GbLoss::kSquaredError) {
    std::vector<std::vector<std::int64_t>> rows(static_cast<std::size_t>(tree.node_count()));
    for (std::size_t i = 0; i < leaves.size(); ++i)
      if (in_bag.empty() || in_bag[i])
        rows[static_cast<std::size_t>(leaves[i])].push_back(static_cast<std::int64_t>(i));
    for (std::int64_t node = 0; node < tree.node_count(); ++node)
      if (tree.children_left()[static_cast<std::size_t>(node)] == tree::Tree::kLeaf)
        tree.set_value(node, leaf_value(rows[static_cast<std::size_t>(node)], y, residual, raw, k));
  }
  for (std::size_t i = 0; i < leaves.size(); ++i)
    raw(static_cast<Eigen::Index>(i), k) += learning_rate * tree.value(leaves[i])[0];
}

double BoostingLoss::value(const Vector& y, const Matrix& raw,
                           const std::vector<std::int64_t>& rows) const {
  const auto n = static_cast<double>(rows.size());
  const auto diff = [&](std::int64_t i) { return y(i) - raw(i, 0); };
  switch (loss_) {
    case GbLoss::kSquaredError:
      return 1 / n * sum_of(gather(rows, [&](std::int64_t i) { return diff(i) * diff(i); }));
    case GbLoss::kAbsoluteError:
      return 1 / n * sum_of(gather(rows, [&](std::int64_t i) { return std::abs(diff(i)); }));
    case GbLoss::kHuber: {
      // Before the first gradient (the first out-of-bag score) gamma comes from these rows.
      const double gamma =
          std::isnan(gamma_)
              ? unit_weighted_percentile(
                    gather(rows, [&](std::int64_t i) { return std::abs(diff(i)); }), alpha_ * 100)
              : gamma_;
      std::vector<double> sq, lin;
      for (const std::int64_t i : rows) {
        const double d = diff(i);
        if (std::abs(d) <= gamma)
          sq.push_back(0.5 * (d * d));
        else
          lin.push_back(gamma * (std::abs(d) - gamma / 2));
      }
      return (sum_of(sq) + sum_of(lin)) / n;
    }
    case GbLoss::kQuantile: {
      std::vector<double> above, below;
      for (const std::int64_t i : rows) (y(i) > raw(i, 0) ? above : below).push_back(diff(i));
      return (alpha_ * sum_of(above) - (1 - alpha_) * sum_of(below)) / n;
    }
    case GbLoss::kExponential:
      return 1.0 / n * sum_of(gather(rows, [&](std::int64_t i) {
               return std::exp(-(2 * y(i) - 1) * raw(i, 0));
             }));
    case GbLoss::kLogLoss: break;
  }
  if (k_ == 1)
    return -2 / n * sum_of(gather(rows, [&](std::int64_t i) {
      return y(i) * raw(i, 0) - log1p_exp(raw(i, 0));
    }));
  return sum_of(gather(rows,
                       [&](std::int64_t i) {
                         return -1 * raw(i, static_cast<Eigen::Index>(y(i))) + logsumexp(raw, i);
                       })) /
         n;
}

Matrix BoostingLoss::proba(const Matrix& raw) const {
  Matrix p(raw.rows(), std::max<std::int64_t>(k_, 2));
  for (Eigen::Index i = 0; i < raw.rows(); ++i) {
    if (k_ > 1) {
      const double lse = logsumexp(raw, i);
      for (Eigen::Index k = 0; k < raw.cols(); ++k) p(i, k) = std::exp(raw(i, k) - lse);
      continue;
    }
    p(i, 1) = expit(loss_ == GbLoss::kExponential ? 2.0 * raw(i, 0) : raw(i, 0));
    p(i, 0) = 1.0 - p(i, 1);
  }
  // Leaf values far from any fitted model's can add up to inf - inf; scikit-learn would return
  // NaN probabilities, here the row is refused.
  for (Eigen::Index i = 0; i < p.rows(); ++i)
    if (p.row(i).array().isNaN().any())
      throw UsageError(ErrorCode::kInvalidInput,
                       "GradientBoostingClassifier: the raw prediction of row " +
                           std::to_string(i) +
                           " is not a number (its stages' leaf values overflow), so its "
                           "probabilities are undefined");
  return p;
}

std::vector<std::int64_t> BoostingLoss::decision(const Matrix& raw) const {
  std::vector<std::int64_t> out(static_cast<std::size_t>(raw.rows()));
  if (loss_ == GbLoss::kExponential) {
    for (Eigen::Index i = 0; i < raw.rows(); ++i)
      out[static_cast<std::size_t>(i)] = raw(i, 0) >= 0 ? 1 : 0;
    return out;
  }
  const Matrix p = proba(raw);
  for (Eigen::Index i = 0; i < raw.rows(); ++i) {
    Eigen::Index best = 0;
    for (Eigen::Index k = 1; k < p.cols(); ++k)
      if (p(i, k) > p(i, best)) best = k;
    out[static_cast<std::size_t>(i)] = best;
  }
  return out;
}

}  // namespace mlpersist::ensemble
