#include "hgb_loss.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "estimators/common/numeric.hpp"

namespace mlpersist::ensemble::hgb {
namespace {

double numpy_mean(std::span<const double> v) {
  return common::numpy_sum(v.data(), std::ssize(v)) / static_cast<double>(v.size());
}

// log(1 + exp(x)) in the piecewise form scikit-learn uses.
double log1pexp(double x) {
  if (x <= -37) return std::exp(x);
  if (x <= -2) return std::log1p(std::exp(x));
  if (x <= 18) return std::log(1. + std::exp(x));
  if (x <= 33.3) return x + std::exp(-x);
  return x;
}

// p[k] = exp(raw[k] - max) and their sum, summed in class order.
double softmax_terms(const RawPredictions& raw, std::size_t i, std::vector<double>& p,
                     double& max_value) {
  max_value = raw[0][i];
  for (std::size_t k = 1; k < raw.size(); ++k) max_value = std::max(max_value, raw[k][i]);
  double sum = 0;
  for (std::size_t k = 0; k < raw.size(); ++k) {
    p[k] = std::exp(raw[k][i] - max_value);
    sum += p[k];
  }
  return sum;
}

double pointwise_loss(LossKind kind, double y, double raw) {
  switch (kind) {
    case LossKind::kSquaredError: {
      const double diff = raw - y;
      return 0.5 * diff * diff;
    }
    case LossKind::kAbsoluteError: return std::fabs(raw - y);
    case LossKind::kPoisson: return std::exp(raw) - y * raw;
    default: return log1pexp(raw) - y * raw;
  }
}

}  // namespace

double numpy_median(std::vector<double>& v) {
  const std::size_t n = v.size();
  std::sort(v.begin(), v.end());
  if (n % 2 == 1) return v[n / 2];
  const double pair[2] = {v[n / 2 - 1], v[n / 2]};
  return numpy_mean(pair);
}

std::vector<double> Loss::baseline(std::span<const double> y) const {
  constexpr double kEps = std::numeric_limits<double>::epsilon();
  switch (kind) {
    case LossKind::kSquaredError: return {numpy_mean(y)};
    case LossKind::kAbsoluteError: {
      std::vector<double> copy(y.begin(), y.end());
      return {numpy_median(copy)};
    }
    case LossKind::kPoisson: return {std::log(std::max(numpy_mean(y), 0 + 10 * kEps))};
    case LossKind::kBinomial: {
      const double p = std::clamp(numpy_mean(y), 10 * kEps, 1 - 10 * kEps);
      return {std::log(p / (1 - p))};
    }
    case LossKind::kMultinomial: {
      std::vector<double> lp(n_classes);
      for (std::size_t k = 0; k < n_classes; ++k) {
        std::vector<double> is_k(y.size());
        for (std::size_t i = 0; i < y.size(); ++i) is_k[i] = y[i] == static_cast<double>(k);
        lp[k] = std::log(std::clamp(numpy_mean(is_k), kEps, 1 - kEps));
      }
      const double mean = numpy_mean(lp);
      for (double& v : lp) v -= mean;
      return lp;
    }
  }
  return {};
}

void Loss::gradients(std::span<const double> y, const RawPredictions& raw,
                     std::vector<std::vector<float>>& gradient,
                     std::vector<std::vector<float>>& hessian) const {
  const std::size_t n = y.size();
  if (kind == LossKind::kMultinomial) {
    std::vector<double> p(n_classes);
    for (std::size_t i = 0; i < n; ++i) {
      double max_value;
      const double sum = softmax_terms(raw, i, p, max_value);
      for (std::size_t k = 0; k < n_classes; ++k) {
        p[k] /= sum;
        gradient[k][i] = static_cast<float>(p[k] - (y[i] == static_cast<double>(k) ? 1 : 0));
        hessian[k][i] = static_cast<float>(p[k] * (1. - p[k]));
      }
    }
    return;
  }
  const std::vector<double>& r = raw[0];
  for (std::size_t i = 0; i < n; ++i) {
    switch (kind) {
      case LossKind::kSquaredError: gradient[0][i] = static_cast<float>(r[i] - y[i]); break;
      case LossKind::kAbsoluteError: gradient[0][i] = r[i] > y[i] ? 1.f : -1.f; break;
      case LossKind::kPoisson: {
        const double e = std::exp(r[i]);
        gradient[0][i] = static_cast<float>(e - y[i]);
        hessian[0][i] = static_cast<float>(e);
        break;
      }
      default: {
        const double e = std::exp(-r[i]);
        gradient[0][i] = static_cast<float>(((1 - y[i]) - y[i] * e) / (1 + e));
        hessian[0][i] = static_cast<float>(e / ((1 + e) * (1 + e)));
      }
    }
  }
}

double Loss::mean_loss(std::span<const double> y, const RawPredictions& raw) const {
  std::vector<double> losses(y.size());
  if (kind == LossKind::kMultinomial) {
    std::vector<double> p(n_classes);
    for (std::size_t i = 0; i < y.size(); ++i) {
      double max_value;
      losses[i] = std::log(softmax_terms(raw, i, p, max_value)) + max_value;
      losses[i] -= raw[static_cast<std::size_t>(y[i])][i];
    }
  } else {
    for (std::size_t i = 0; i < y.size(); ++i) losses[i] = pointwise_loss(kind, y[i], raw[0][i]);
  }
  return numpy_mean(losses);
}

}  // namespace mlpersist::ensemble::hgb
