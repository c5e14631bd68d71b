#include "weighted_median.hpp"

#include <algorithm>

namespace mlpersist::tree {

void WeightedMedian::clear() noexcept {
  size_ = 0;
  k_ = 0;
  total_ = 0.0;
  below_k_ = 0.0;
}

void WeightedMedian::push(double value, double weight) {
  const double old_median = size_ != 0 ? median() : 0.0;
  // One spare record past the live ones: median() may read index k == size().
  if (size_ + 1 >= records_.size()) records_.resize(2 * (size_ + 1));
  const auto first = records_.begin();
  const auto at = std::upper_bound(first, first + static_cast<std::ptrdiff_t>(size_), value,
                                   [](double v, const Record& r) { return v < r.value; });
  std::copy_backward(at, first + static_cast<std::ptrdiff_t>(size_),
                     first + static_cast<std::ptrdiff_t>(size_ + 1));
  *at = {value, weight};
  ++size_;
  after_push(value, weight, old_median);
}

void WeightedMedian::remove(double value, double weight) {
  const double old_median = size_ != 0 ? median() : 0.0;
  const auto first = records_.begin(), last = first + static_cast<std::ptrdiff_t>(size_);
  const auto at = std::find_if(
      first, last, [&](const Record& r) { return r.value == value && r.weight == weight; });
  if (at != last) {
    // Shifting down leaves the former last record in place just past the live ones.
    std::copy(at + 1, last, at);
    --size_;
  }
  after_remove(value, weight, old_median);
}

void WeightedMedian::move_smallest_to(WeightedMedian& to) {
  const double old_median = median();
  const Record smallest = records_.front();
  const auto first = records_.begin();
  std::copy(first + 1, first + static_cast<std::ptrdiff_t>(size_), first);
  --size_;
  after_remove(smallest.value, smallest.weight, old_median);
  to.push(smallest.value, smallest.weight);
}

// k_ never exceeds the largest size so far (pushes raise it by at most one), and push keeps
// two records to spare past that, so the reads stay in the buffer; records never written read
// as zeros (scikit-learn would read uninitialised memory in those states).
double WeightedMedian::median() const noexcept {
  if (k_ == 0) return 0.0;  // not reached by scikit-learn's sequences; guards records_[k_ - 1]
  const double half = total_ / 2.0;
  if (below_k_ == half) return (records_[k_].value + records_[k_ - 1].value) / 2.0;
  if (below_k_ > half) return records_[k_ - 1].value;
  return 0.0;
}

void WeightedMedian::lower_k() noexcept {
  while (k_ > 1 && below_k_ - weight_at(k_ - 1) >= total_ / 2.0) {
    --k_;
    below_k_ -= weight_at(k_);
  }
}

void WeightedMedian::raise_k() noexcept {
  while (k_ < size_ && below_k_ < total_ / 2.0) {
    ++k_;
    below_k_ += weight_at(k_ - 1);
  }
}

// scikit-learn's rule: a record inserted below the old median raises k by one (it is counted
// below k) and k then falls as far as it may; one inserted at or above it can only push k up.
void WeightedMedian::after_push(double value, double weight, double old_median) {
  if (size_ == 1) {
    k_ = 1;
    total_ = weight;
    below_k_ = total_;
    return;
  }
  total_ += weight;
  if (value < old_median) {
    ++k_;
    below_k_ += weight;
    lower_k();
  } else if (value >= old_median) {
    raise_k();
  }
}

// The mirror image. A record equal to the median counts as above it even when it sat below k,
// which is where the step-by-step weight below k can drift from the actual one.
void WeightedMedian::after_remove(double value, double weight, double old_median) {
  if (size_ == 0) {
    clear();
    return;
  }
  if (size_ == 1) {
    k_ = 1;
    total_ -= weight;
    below_k_ = total_;
    return;
  }
  total_ -= weight;
  if (value < old_median) {
    if (k_ > 0) --k_;
    below_k_ -= weight;
    raise_k();
  } else if (value >= old_median) {
    lower_k();
  }
}

}  // namespace mlpersist::tree
