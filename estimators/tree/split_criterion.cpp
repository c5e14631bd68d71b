// scikit-learn 1.2's split criteria (Gini, Entropy, MSE, FriedmanMSE, MAE, Poisson): the same
// sums in the same order, so that impurities and the choice between near-equal splits agree to
// the last bit.
#include <cfloat>
#include <cmath>
#include <limits>

#include "tree_builder.hpp"

namespace mlpersist::tree {
namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();
// Poisson's bound below which a child's target sum counts as zero (scikit-learn's EPSILON: the
// right child's sum is a difference and may miss zero by rounding).
constexpr double kPoissonEpsilon = 10 * DBL_EPSILON;

double log2_of(double x) {
  return std::log(x) / std::log(2.0);
}

// Impurity of a node with these weighted class counts, summed in class order as scikit-learn
// does (the order matters for ties between splits of equal counts).
double class_impurity(Criterion criterion, const std::vector<double>& counts, double weight) {
  if (criterion == Criterion::kGini) {
    double sq = 0.0;
    for (const double c : counts) sq += c * c;
    return 1.0 - sq / (weight * weight);
  }
  double entropy = 0.0;
  for (const double c : counts) {
    if (c > 0.0) {
      const double p = c / weight;
      entropy -= p * log2_of(p);
    }
  }
  return entropy;
}

double variance(double sq_sum, double sum, double weight) {
  const double mean = sum / weight;
  return sq_sum / weight - mean * mean;
}

}  // namespace

void TreeBuilder::init_node(std::int64_t start, std::int64_t end) {
  start_ = start;
  end_ = end;
  std::fill(total_.begin(), total_.end(), 0.0);
  sq_total_ = 0.0;
  node_weight_ = 0.0;
  for (std::int64_t p = start; p < end; ++p) {
    const std::int32_t s = sample_at(p);
    const double w = weight_of(s);
    if (regression_) {
      const double wy = w * data_.target(s);
      total_[0] += wy;
      sq_total_ += wy * data_.target(s);
    } else {
      total_[static_cast<std::size_t>(data_.y(s))] += w;
    }
    node_weight_ += w;
  }
  if (options_.criterion == Criterion::kAbsoluteError) {
    left_median_.clear();
    right_median_.clear();
    for (std::int64_t p = start; p < end; ++p)
      right_median_.push(data_.target(sample_at(p)), weight_of(sample_at(p)));
    node_median_ = right_median_.median();
  }
}

double TreeBuilder::node_impurity() const {
  switch (options_.criterion) {
    case Criterion::kAbsoluteError:
      return absolute_deviation(start_, end_, node_median_, node_weight_);
    case Criterion::kPoisson: return poisson_loss(start_, end_, total_[0], node_weight_);
    default:
      if (regression_) return variance(sq_total_, total_[0], node_weight_);
      return class_impurity(options_.criterion, total_, node_weight_);
  }
}

double TreeBuilder::node_value() const {
  return options_.criterion == Criterion::kAbsoluteError ? node_median_ : total_[0] / node_weight_;
}

void TreeBuilder::reset_left() {
  std::fill(left_.begin(), left_.end(), 0.0);
  w_left_ = 0.0;
  pos_ = start_;
  // scikit-learn moves the left child's samples back one by one, smallest first; the order of
  // equal targets in the right child's queue follows from it.
  if (options_.criterion == Criterion::kAbsoluteError)
    while (left_median_.size() > 0) left_median_.move_smallest_to(right_median_);
}

// Moves the left child's end to new_pos from whichever side is closer, as scikit-learn does:
// forward from the last position, or backward from the node's end.
void TreeBuilder::update_left(std::int64_t new_pos) {
  const bool medians = options_.criterion == Criterion::kAbsoluteError;
  const auto add = [this, medians](std::int64_t p, double sign) {
    const std::int32_t s = sample_at(p);
    const double w = weight_of(s);
    if (regression_)
      left_[0] += sign * (w * data_.target(s));
    else
      left_[static_cast<std::size_t>(data_.y(s))] += sign * w;
    w_left_ += sign * w;
    if (medians) {
      auto& from = sign > 0 ? right_median_ : left_median_;
      auto& to = sign > 0 ? left_median_ : right_median_;
      from.remove(data_.target(s), w);
      to.push(data_.target(s), w);
    }
  };
  if (new_pos - pos_ <= end_ - new_pos) {
    for (std::int64_t p = pos_; p < new_pos; ++p) add(p, 1.0);
  } else {
    left_ = total_;
    w_left_ = node_weight_;
    if (medians)
      while (right_median_.size() > 0) right_median_.move_smallest_to(left_median_);
    for (std::int64_t p = end_ - 1; p >= new_pos; --p) add(p, -1.0);
  }
  w_right_ = node_weight_ - w_left_;
  for (std::size_t k = 0; k < right_.size(); ++k) right_[k] = total_[k] - left_[k];
  pos_ = new_pos;
}

double TreeBuilder::proxy_improvement() const {
  switch (options_.criterion) {
    case Criterion::kSquaredError:
      return left_[0] * left_[0] / w_left_ + right_[0] * right_[0] / w_right_;
    case Criterion::kFriedmanMse: {
      const double diff = w_right_ * left_[0] - w_left_ * right_[0];
      return diff * diff / (w_left_ * w_right_);
    }
    case Criterion::kAbsoluteError: {
      Split children;
      children_impurity(children);
      return -w_right_ * children.impurity_right - w_left_ * children.impurity_left;
    }
    case Criterion::kPoisson: {
      if (left_[0] <= kPoissonEpsilon || right_[0] <= kPoissonEpsilon) return -kInfinity;
      // scikit-learn's log here is its base-2 one; the subtractions from zero are its own.
      const double proxy_left = 0.0 - left_[0] * log2_of(left_[0] / w_left_);
      const double proxy_right = 0.0 - right_[0] * log2_of(right_[0] / w_right_);
      return -proxy_left - proxy_right;
    }
    default:
      return -w_right_ * class_impurity(options_.criterion, right_, w_right_) -
             w_left_ * class_impurity(options_.criterion, left_, w_left_);
  }
}

void TreeBuilder::children_impurity(Split& split) const {
  if (!regression_) {
    split.impurity_left = class_impurity(options_.criterion, left_, w_left_);
    split.impurity_right = class_impurity(options_.criterion, right_, w_right_);
    return;
  }
  if (options_.criterion == Criterion::kAbsoluteError) {
    split.impurity_left = absolute_deviation(start_, pos_, left_median_.median(), w_left_);
    split.impurity_right = absolute_deviation(pos_, end_, right_median_.median(), w_right_);
    return;
  }
  if (options_.criterion == Criterion::kPoisson) {
    split.impurity_left = poisson_loss(start_, pos_, left_[0], w_left_);
    split.impurity_right = poisson_loss(pos_, end_, right_[0], w_right_);
    return;
  }
  double sq_left = 0.0;
  for (std::int64_t p = start_; p < pos_; ++p) {
    const std::int32_t s = sample_at(p);
    sq_left += weight_of(s) * data_.target(s) * data_.target(s);
  }
  split.impurity_left = variance(sq_left, left_[0], w_left_);
  split.impurity_right = variance(sq_total_ - sq_left, right_[0], w_right_);
}

double TreeBuilder::improvement(double parent_impurity, const Split& split) const {
  if (options_.criterion == Criterion::kFriedmanMse) {
    const double diff = w_right_ * left_[0] - w_left_ * right_[0];
    return diff * diff / (w_left_ * w_right_ * node_weight_);
  }
  return (node_weight_ / weighted_n_samples_) *
         (parent_impurity - w_right_ / node_weight_ * split.impurity_right -
          w_left_ / node_weight_ * split.impurity_left);
}

double TreeBuilder::absolute_deviation(std::int64_t from, std::int64_t to, double median,
                                       double weight) const {
  double sum = 0.0;
  for (std::int64_t p = from; p < to; ++p) {
    const std::int32_t s = sample_at(p);
    sum += std::fabs(data_.target(s) - median) * weight_of(s);
  }
  return sum / weight;
}

// The half Poisson deviance per unit weight, infinite when the targets sum to (about) zero.
double TreeBuilder::poisson_loss(std::int64_t from, std::int64_t to, double y_sum,
                                 double weight) const {
  if (y_sum <= kPoissonEpsilon) return kInfinity;
  const double mean = y_sum / weight;
  double loss = 0.0;
  for (std::int64_t p = from; p < to; ++p) {
    const std::int32_t s = sample_at(p);
    const double y = data_.target(s);
    // scipy's xlogy: zero for y == 0 whatever the logarithm.
    loss += weight_of(s) * (y == 0.0 ? 0.0 : y * std::log(y / mean));
  }
  return loss / weight;
}

}  // namespace mlpersist::tree
