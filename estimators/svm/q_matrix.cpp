#include "q_matrix.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace mlpersist::svm {
namespace {

using Index = Eigen::Index;

// LRU cache of Q rows (libsvm's Cache). Rows are indexed by the solver's current position and
// stored as float like libsvm's Qfloat: twice the rows fit, and the iterates stay identical to
// scikit-learn's. A row may be cached partially, for positions [0, len).
class RowCache {
 public:
  RowCache(Index l, double cache_mb) : entries_(static_cast<std::size_t>(l) + 1), sentinel_(l) {
    const double floats = cache_mb * 1024.0 * 1024.0 / sizeof(float);
    const double overhead = static_cast<double>(l) * sizeof(Entry) / sizeof(float);
    // At least two full rows, so that the two rows of one SMO step never evict each other.
    free_floats_ = std::max(static_cast<Index>(floats - overhead), 2 * l);
    entries_[sentinel_].prev = entries_[sentinel_].next = sentinel_;
  }

  // Makes row `index` hold at least `len` entries and marks it most recently used. Returns the
  // row and the first position the caller must compute (>= len when the row was complete).
  std::pair<float*, Index> fetch(Index index, Index len) {
    Entry& e = entries_[index];
    const Index have = std::ssize(e.data);
    if (have > 0) unlink(index);
    if (len > have) {
      while (free_floats_ < len - have && first() != sentinel_) evict(first());
      e.data.reserve(len);  // exact capacity, so the budget counts what is really allocated
      e.data.resize(len);
      free_floats_ -= len - have;
    }
    append(index);
    return {e.data.data(), have};
  }

  // Follows a swap of positions i and j in the solver: rows and columns trade places.
  void swap_index(Index i, Index j) {
    if (i == j) return;
    relink_swapped(i, j);
    const Index lo = std::min(i, j);
    const Index hi = std::max(i, j);
    for (Index h = first(); h != sentinel_;) {
      Entry& e = entries_[h];
      const Index next = e.next;
      if (std::ssize(e.data) > hi) {
        std::swap(e.data[lo], e.data[hi]);
      } else if (std::ssize(e.data) > lo) {
        evict(h);  // the row covers lo but not hi, so the swapped value is unknown
      }
      h = next;
    }
  }

 private:
  struct Entry {
    std::vector<float> data;  // empty when the row is not cached (and not in the LRU list)
    Index prev = 0;
    Index next = 0;
  };

  Index first() const { return entries_[sentinel_].next; }

  void unlink(Index h) {
    entries_[entries_[h].prev].next = entries_[h].next;
    entries_[entries_[h].next].prev = entries_[h].prev;
  }

  void append(Index h) {
    const Index last = entries_[sentinel_].prev;
    entries_[h].prev = last;
    entries_[h].next = sentinel_;
    entries_[last].next = h;
    entries_[sentinel_].prev = h;
  }

  void evict(Index h) {
    unlink(h);
    free_floats_ += std::ssize(entries_[h].data);
    std::vector<float>().swap(entries_[h].data);
  }

  void relink_swapped(Index i, Index j) {
    if (!entries_[i].data.empty()) unlink(i);
    if (!entries_[j].data.empty()) unlink(j);
    std::swap(entries_[i].data, entries_[j].data);
    if (!entries_[i].data.empty()) append(i);
    if (!entries_[j].data.empty()) append(j);
  }

  std::vector<Entry> entries_;  // one per position, plus the list sentinel at index l
  Index sentinel_;
  Index free_floats_ = 0;
};

// Q_ij = y_i y_j k(x_i, x_j) of one binary sub-problem (libsvm's SVC_Q). The rows of x are
// physically swapped along with the solver's permutation, so that computing a Q row is a single
// matrix-vector product over contiguous memory.
class SvcQ final : public QMatrix {
 public:
  SvcQ(RowMatrix x, std::vector<signed char> y, const KernelSpec& k, double cache_mb)
      : x_(std::move(x)),
        y_(std::move(y)),
        sq_norms_(x_.rows()),
        diag_(x_.rows()),
        kernel_(k),
        cache_(x_.rows(), cache_mb),
        work_(x_.rows()) {
    for (Index i = 0; i < x_.rows(); ++i) {
      sq_norms_[i] = x_.row(i).dot(x_.row(i));
      diag_[i] = sq_norms_[i];
      dots_to_kernel(kernel_, sq_norms_[i], &sq_norms_[i], &diag_[i], 1);
    }
  }

  // The cache's two-row minimum keeps the two rows of one SMO step resident together.
  const float* row(Index i, Index len) override {
    const auto [data, first_missing] = cache_.fetch(i, len);
    if (first_missing < len) fill(i, first_missing, len, data);
    return data;
  }

  double diag(Index i) const override { return diag_[i]; }

  void swap_index(Index i, Index j) override {
    cache_.swap_index(i, j);
    x_.row(i).swap(x_.row(j));
    std::swap(y_[i], y_[j]);
    std::swap(sq_norms_[i], sq_norms_[j]);
    std::swap(diag_[i], diag_[j]);
  }

 private:
  void fill(Index i, Index from, Index to, float* out) {
    const Index n = to - from;
    const auto v = kernel_row(kernel_, x_, sq_norms_, i, from, work_.head(n));
    for (Index t = 0; t < n; ++t) {
      out[from + t] = static_cast<float>(y_[i] * y_[from + t] * v[t]);
    }
  }

  RowMatrix x_;
  std::vector<signed char> y_;
  Eigen::VectorXd sq_norms_;
  Eigen::VectorXd diag_;
  KernelSpec kernel_;
  RowCache cache_;
  Eigen::VectorXd work_;
};

// Q of epsilon-SVR over the 2l variables alpha (positions of sign +1) and alpha* (sign -1) of
// the l training rows (libsvm's SVR_Q): Q_ij = s_i s_j k(x_r(i), x_r(j)). Kernel rows are cached
// by training row, computed once for both of its variables, and each Q row is gathered from one
// of them into one of two alternating buffers.
class SvrQ final : public QMatrix {
 public:
  SvrQ(const RowMatrix& x, const KernelSpec& k, double cache_mb)
      : x_(x),
        kernel_(k),
        cache_(x.rows(), cache_mb),
        sq_norms_(x.rows()),
        work_(x.rows()),
        sign_(static_cast<std::size_t>(2 * x.rows()), +1),
        index_(static_cast<std::size_t>(2 * x.rows())),
        diag_(2 * x.rows()),
        buffers_{std::vector<float>(index_.size()), std::vector<float>(index_.size())} {
    const Index l = x.rows();
    for (Index i = 0; i < l; ++i) {
      sq_norms_[i] = x_.row(i).dot(x_.row(i));
      double k_ii = sq_norms_[i];
      dots_to_kernel(kernel_, sq_norms_[i], &sq_norms_[i], &k_ii, 1);
      sign_[static_cast<std::size_t>(l + i)] = -1;
      index_[static_cast<std::size_t>(i)] = index_[static_cast<std::size_t>(l + i)] = i;
      diag_[i] = diag_[l + i] = k_ii;
    }
  }

  const float* row(Index i, Index len) override {
    const Index real = index_[static_cast<std::size_t>(i)];
    const Index l = x_.rows();
    const auto [data, first_missing] = cache_.fetch(real, l);
    if (first_missing < l) fill(real, first_missing, l, data);
    float* buf = buffers_[next_].data();
    next_ = 1 - next_;
    const float s_i = sign_[static_cast<std::size_t>(i)];
    for (Index j = 0; j < len; ++j) {
      const auto t = static_cast<std::size_t>(j);
      buf[j] = s_i * static_cast<float>(sign_[t]) * data[index_[t]];
    }
    return buf;
  }

  double diag(Index i) const override { return diag_[i]; }

  void swap_index(Index i, Index j) override {
    std::swap(sign_[static_cast<std::size_t>(i)], sign_[static_cast<std::size_t>(j)]);
    std::swap(index_[static_cast<std::size_t>(i)], index_[static_cast<std::size_t>(j)]);
    std::swap(diag_[i], diag_[j]);
  }

 private:
  void fill(Index real, Index from, Index to, float* out) {
    const Index n = to - from;
    const auto v = kernel_row(kernel_, x_, sq_norms_, real, from, work_.head(n));
    for (Index t = 0; t < n; ++t) out[from + t] = static_cast<float>(v[t]);
  }

  const RowMatrix& x_;
  KernelSpec kernel_;
  RowCache cache_;  // kernel rows by training row; never swapped
  Eigen::VectorXd sq_norms_;
  Eigen::VectorXd work_;
  std::vector<signed char> sign_;
  std::vector<Index> index_;  // position -> training row
  Eigen::VectorXd diag_;
  std::array<std::vector<float>, 2> buffers_;
  int next_ = 0;
};

}  // namespace

std::unique_ptr<QMatrix> svc_q(RowMatrix x, std::vector<signed char> y, const KernelSpec& k,
                               double cache_mb) {
  return std::make_unique<SvcQ>(std::move(x), std::move(y), k, cache_mb);
}

std::unique_ptr<QMatrix> svr_q(const RowMatrix& x, const KernelSpec& k, double cache_mb) {
  return std::make_unique<SvrQ>(x, k, cache_mb);
}

}  // namespace mlpersist::svm
