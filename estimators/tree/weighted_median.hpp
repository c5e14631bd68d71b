#pragma once

// The running weighted median of the absolute_error criterion, as scikit-learn 1.2 keeps it
// (its WeightedMedianCalculator over a WeightedPQueue). The median is not recomputed from the
// definition: scikit-learn moves an index k and the weight below it after every insertion and
// removal, and on ties, or with integer weights other than one (bootstrap counts), that
// bookkeeping can differ from the textbook median. Trees only agree to the last bit when every
// step is taken as it takes it, so this class reproduces the steps, including reads one past
// the live records (which see the record that was last before the latest removal).

#include <cstddef>
#include <vector>

namespace mlpersist::tree {

class WeightedMedian {
 public:
  /// Room for `capacity` records; more may be pushed (the buffer grows).
  explicit WeightedMedian(std::size_t capacity = 0) : records_(capacity) {}

  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  /// Empties the set (the buffer keeps its stale records, as scikit-learn's does).
  void clear() noexcept;
  /// Inserts after every record of equal value.
  void push(double value, double weight);
  /// Removes the first record equal in value and weight (the bookkeeping runs even when there
  /// is none, as in scikit-learn).
  void remove(double value, double weight);
  /// Removes the smallest record and pushes it onto `to`. Precondition: size() > 0.
  void move_smallest_to(WeightedMedian& to);
  /// The weighted median: the value at k - 1, or the mean of the values at k - 1 and k when the
  /// weight below k is exactly half the total (0 in the inconsistent states where it is less,
  /// which is what scikit-learn's Cython returns there). Precondition: size() > 0.
  [[nodiscard]] double median() const noexcept;

 private:
  struct Record {
    double value = 0.0;
    double weight = 0.0;
  };

  void after_push(double value, double weight, double old_median);
  void after_remove(double value, double weight, double old_median);
  void lower_k() noexcept;  // k down while the records below k - 1 still weigh half
  void raise_k() noexcept;  // k up until the records below k weigh half
  [[nodiscard]] double weight_at(std::size_t i) const noexcept { return records_[i].weight; }

  std::vector<Record> records_;  // [0, size_) live and sorted; the rest stale
  std::size_t size_ = 0;
  std::size_t k_ = 0;
  double total_ = 0.0;
  double below_k_ = 0.0;  // weight of records [0, k), as updated step by step
};

}  // namespace mlpersist::tree
