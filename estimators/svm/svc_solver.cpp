#include "svc_solver.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <mlpersist/progress.hpp>
#include <numeric>
#include <stdexcept>
#include <string>
#include <utility>

#include "estimators/common/checked_counts.hpp"

namespace mlpersist::svm {
namespace {

using Index = Eigen::Index;

constexpr double kInf = std::numeric_limits<double>::infinity();
// libsvm's TAU: stands in for a non-positive curvature so that a step is still taken.
constexpr double kTau = 1e-12;
// Rows of X per kernel block at prediction time; bounds the block's memory.
constexpr Index kPredictBlock = 256;
// SMO iterations between progress reports: thousands of cheap steps, so a report costs nothing.
constexpr std::int64_t kProgressStride = 1024;

// Integer power by repeated squaring, as libsvm's powi; std::pow would round differently.
double powi(double base, int times) {
  double result = 1.0;
  for (int t = times; t > 0; t /= 2) {
    if (t % 2 == 1) result *= base;
    base *= base;
  }
  return result;
}

[[noreturn]] void throw_bad_kernel() {
  throw std::invalid_argument("svm: unknown kernel kind");
}

// Turns the n inner products v[t] = <a, b_t> into kernel values k(a, b_t) in place. The squared
// norms sq_a and sq_b[t] are read by the rbf kernel only.
void dots_to_kernel(const KernelSpec& k, double sq_a, const double* sq_b, double* v, Index n) {
  Eigen::Map<Eigen::ArrayXd> d(v, n);
  switch (k.kind) {
    case KernelKind::linear: return;
    case KernelKind::poly:
      for (double& x : d) x = powi(k.gamma * x + k.coef0, k.degree);
      return;
    case KernelKind::rbf:
      d = (-k.gamma * ((sq_a + Eigen::Map<const Eigen::ArrayXd>(sq_b, n)) - 2.0 * d)).exp();
      return;
    case KernelKind::sigmoid: d = (k.gamma * d + k.coef0).tanh(); return;
  }
  throw_bad_kernel();
}

// Kernel matrix k(a_r, b_t) for all rows of A and B; b_sq holds the squared row norms of B.
RowMatrix kernel_block(const KernelSpec& k, const Eigen::Ref<const RowMatrix>& A,
                       const RowMatrix& B, const Eigen::VectorXd& b_sq) {
  RowMatrix K = A * B.transpose();
  for (Index r = 0; r < A.rows(); ++r) {
    dots_to_kernel(k, A.row(r).squaredNorm(), b_sq.data(), K.row(r).data(), B.rows());
  }
  return K;
}

// k(x_i, x_t) for the v.size() rows t from `from` on, into v; sq_norms holds the squared row
// norms of x. Returns v.
Eigen::Ref<Eigen::VectorXd> kernel_row(const KernelSpec& k, const RowMatrix& x,
                                       const Eigen::VectorXd& sq_norms, Index i, Index from,
                                       Eigen::Ref<Eigen::VectorXd> v) {
  v.noalias() = x.middleRows(from, v.size()) * x.row(i).transpose();
  dots_to_kernel(k, sq_norms[i], sq_norms.data() + from, v.data(), v.size());
  return v;
}

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

// The matrix Q of the SMO problem, as the solver reads it (libsvm's QMatrix).
class QMatrix {
 public:
  virtual ~QMatrix() = default;
  // Entries [0, len) of row i. The pointer stays valid until two more rows have been fetched
  // or a swap: the two rows of one SMO step are resident together.
  virtual const float* row(Index i, Index len) = 0;
  // Q_ii in double precision, as libsvm's QD.
  [[nodiscard]] virtual double diag(Index i) const = 0;
  // Follows the solver's swap of positions i and j.
  virtual void swap_index(Index i, Index j) = 0;
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

// libsvm's SMO Solver: min 0.5 a'Qa + p'a subject to y'a = 0 and 0 <= a_t <= C, from a = 0
// (C-SVC has p = -e). Shrinking permutes positions; active_set_ maps a position back to its
// variable.
class Solver {
 public:
  Solver(QMatrix& q, std::vector<signed char> y, std::vector<double> p, const SolverOptions& o,
         ProgressTask& progress)
      : q_(q),
        progress_(progress),
        y_(std::move(y)),
        p_(std::move(p)),
        l_(std::ssize(y_)),
        active_size_(l_),
        C_(o.C),
        eps_(o.tol),
        shrinking_(o.shrinking),
        max_iter_(o.max_iter),
        alpha_(y_.size(), 0.0),
        grad_(p_),  // gradient Qa + p at a = 0
        grad_bar_(y_.size(), 0.0),
        status_(y_.size(), Bound::lower),
        active_set_(y_.size()) {
    for (Index t = 0; t < l_; ++t) active_set_[t] = t;
  }

  SmoSolution solve();

 private:
  enum class Bound : unsigned char { lower, upper, free };

  bool is_upper(Index t) const { return status_[t] == Bound::upper; }
  bool is_lower(Index t) const { return status_[t] == Bound::lower; }
  bool is_free(Index t) const { return status_[t] == Bound::free; }
  // I_up / I_low of Fan et al.: a_t may move so that y_t a_t increases / decreases.
  bool in_up(Index t) const { return y_[t] == +1 ? !is_upper(t) : !is_lower(t); }
  bool in_low(Index t) const { return y_[t] == +1 ? !is_lower(t) : !is_upper(t); }
  void update_status(Index t) {
    status_[t] = alpha_[t] >= C_ ? Bound::upper : (alpha_[t] <= 0 ? Bound::lower : Bound::free);
  }

  bool select_working_set(Index& out_i, Index& out_j);
  Index second_order_partner(Index i, double gmax, double& gmax2);
  void take_step(Index i, Index j);
  void step_opposite_labels(Index i, Index j, double q_ij);
  void step_same_labels(Index i, Index j, double q_ij);
  void update_bounds(Index i, Index j);
  void shift_grad_bar(Index t, double scale);
  std::pair<double, double> max_violations() const;
  bool be_shrunk(Index t, double gmax1, double gmax2) const;
  void do_shrinking();
  void reconstruct_gradient();
  double calculate_rho() const;
  void swap_index(Index i, Index j);

  QMatrix& q_;
  ProgressTask& progress_;
  std::vector<signed char> y_;
  std::vector<double> p_;
  Index l_;
  Index active_size_;
  double C_;
  double eps_;
  bool shrinking_;
  long max_iter_;
  bool unshrink_ = false;
  std::vector<double> alpha_;
  std::vector<double> grad_;
  // Gradient part due to variables at the upper bound: sum of C * Q_t over them. It lets
  // reconstruct_gradient rebuild shrunk entries from the free variables alone.
  std::vector<double> grad_bar_;
  std::vector<Bound> status_;
  std::vector<Index> active_set_;
};

SmoSolution Solver::solve() {
  SmoSolution out;
  Index counter = std::min<Index>(l_, 1000) + 1;
  while (true) {
    if (max_iter_ != -1 && out.n_iter >= max_iter_) {
      // As in scikit-learn, shrunk variables are not restored: rho comes from the active set.
      out.timed_out = true;
      break;
    }
    if (--counter == 0) {
      counter = std::min<Index>(l_, 1000);
      if (shrinking_) do_shrinking();
    }
    Index i = 0;
    Index j = 0;
    if (!select_working_set(i, j)) {
      // Optimal on the active set: confirm on the whole problem before stopping.
      reconstruct_gradient();
      active_size_ = l_;
      if (!select_working_set(i, j)) break;
      counter = 1;  // shrink again right away
    }
    if (++out.n_iter % kProgressStride == 0) progress_.advance(kProgressStride);
    take_step(i, j);
  }
  progress_.advance(static_cast<std::uint64_t>(out.n_iter % kProgressStride));
  out.rho = calculate_rho();
  out.coef.resize(y_.size());
  for (Index t = 0; t < l_; ++t) out.coef[active_set_[t]] = y_[t] * alpha_[t];
  return out;
}

// WSS3 (Fan, Chen & Lin 2005): i is the maximal violator in I_up, j the I_low partner with the
// largest second-order decrease of the objective. False when the gap is below eps.
bool Solver::select_working_set(Index& out_i, Index& out_j) {
  double gmax = -kInf;
  Index i = -1;
  for (Index t = 0; t < active_size_; ++t) {
    const double minus_yg = y_[t] == +1 ? -grad_[t] : grad_[t];
    if (in_up(t) && minus_yg >= gmax) {
      gmax = minus_yg;
      i = t;
    }
  }
  if (i < 0) return false;
  double gmax2 = -kInf;
  const Index j = second_order_partner(i, gmax, gmax2);
  if (gmax + gmax2 < eps_ || j < 0) return false;
  out_i = i;
  out_j = j;
  return true;
}

Index Solver::second_order_partner(Index i, double gmax, double& gmax2) {
  const float* q_i = q_.row(i, active_size_);
  const double diag_i = q_.diag(i);
  const double two_y_i = 2.0 * y_[i];
  double best = kInf;
  Index j = -1;
  for (Index t = 0; t < active_size_; ++t) {
    if (!in_low(t)) continue;
    const bool positive = y_[t] == +1;
    const double yg = positive ? grad_[t] : -grad_[t];
    gmax2 = std::max(gmax2, yg);
    const double grad_diff = gmax + yg;
    if (grad_diff <= 0) continue;
    // Curvature along the pair's feasible direction, K_ii + K_tt - 2 K_it; 2 y_i Q_it = 2 y_t K_it.
    const double two_y_t_k = two_y_i * q_i[t];
    double quad = positive ? diag_i + q_.diag(t) - two_y_t_k : diag_i + q_.diag(t) + two_y_t_k;
    if (quad <= 0) quad = kTau;
    const double obj_diff = -(grad_diff * grad_diff) / quad;
    if (obj_diff <= best) {
      best = obj_diff;
      j = t;
    }
  }
  return j;
}

void Solver::take_step(Index i, Index j) {
  const float* q_i = q_.row(i, active_size_);
  const float* q_j = q_.row(j, active_size_);
  const double old_i = alpha_[i];
  const double old_j = alpha_[j];
  if (y_[i] != y_[j]) {
    step_opposite_labels(i, j, q_i[j]);
  } else {
    step_same_labels(i, j, q_i[j]);
  }
  const double delta_i = alpha_[i] - old_i;
  const double delta_j = alpha_[j] - old_j;
  for (Index t = 0; t < active_size_; ++t) grad_[t] += q_i[t] * delta_i + q_j[t] * delta_j;
  update_bounds(i, j);
}

// Newton step along a_i - a_j = const, then clipped back into the box [0, C]^2.
void Solver::step_opposite_labels(Index i, Index j, double q_ij) {
  double quad = q_.diag(i) + q_.diag(j) + 2 * q_ij;
  if (quad <= 0) quad = kTau;
  const double delta = (-grad_[i] - grad_[j]) / quad;
  const double diff = alpha_[i] - alpha_[j];
  double& a_i = alpha_[i];
  double& a_j = alpha_[j];
  a_i += delta;
  a_j += delta;
  if (diff > 0 && a_j < 0) {
    a_j = 0;
    a_i = diff;
  } else if (diff <= 0 && a_i < 0) {
    a_i = 0;
    a_j = -diff;
  }
  if (diff > 0 && a_i > C_) {
    a_i = C_;
    a_j = C_ - diff;
  } else if (diff <= 0 && a_j > C_) {
    a_j = C_;
    a_i = C_ + diff;
  }
}

// Newton step along a_i + a_j = const, then clipped back into the box [0, C]^2.
void Solver::step_same_labels(Index i, Index j, double q_ij) {
  double quad = q_.diag(i) + q_.diag(j) - 2 * q_ij;
  if (quad <= 0) quad = kTau;
  const double delta = (grad_[i] - grad_[j]) / quad;
  const double sum = alpha_[i] + alpha_[j];
  double& a_i = alpha_[i];
  double& a_j = alpha_[j];
  a_i -= delta;
  a_j += delta;
  if (sum > C_ && a_i > C_) {
    a_i = C_;
    a_j = sum - C_;
  } else if (sum <= C_ && a_j < 0) {
    a_j = 0;
    a_i = sum;
  }
  if (sum > C_ && a_j > C_) {
    a_j = C_;
    a_i = sum - C_;
  } else if (sum <= C_ && a_i < 0) {
    a_i = 0;
    a_j = sum;
  }
}

void Solver::update_bounds(Index i, Index j) {
  const bool was_upper_i = is_upper(i);
  const bool was_upper_j = is_upper(j);
  update_status(i);
  update_status(j);
  if (was_upper_i != is_upper(i)) shift_grad_bar(i, was_upper_i ? -C_ : C_);
  if (was_upper_j != is_upper(j)) shift_grad_bar(j, was_upper_j ? -C_ : C_);
}

void Solver::shift_grad_bar(Index t, double scale) {
  const float* q_t = q_.row(t, l_);
  for (Index k = 0; k < l_; ++k) grad_bar_[k] += scale * q_t[k];
}

// (max over I_up of -y G, max over I_low of y G) on the active set.
std::pair<double, double> Solver::max_violations() const {
  double gmax1 = -kInf;
  double gmax2 = -kInf;
  for (Index t = 0; t < active_size_; ++t) {
    if (in_up(t)) gmax1 = std::max(gmax1, -y_[t] * grad_[t]);
    if (in_low(t)) gmax2 = std::max(gmax2, y_[t] * grad_[t]);
  }
  return {gmax1, gmax2};
}

// A bounded variable whose gradient keeps it out of every violating pair.
bool Solver::be_shrunk(Index t, double gmax1, double gmax2) const {
  if (is_free(t)) return false;
  const double yg = y_[t] * grad_[t];
  return in_up(t) ? yg > gmax2 : -yg > gmax1;
}

void Solver::do_shrinking() {
  const auto [gmax1, gmax2] = max_violations();
  // Near the optimum, restore all variables once: some may have been shrunk too early.
  if (!unshrink_ && gmax1 + gmax2 <= eps_ * 10) {
    unshrink_ = true;
    reconstruct_gradient();
    active_size_ = l_;
  }
  for (Index t = 0; t < active_size_; ++t) {
    if (!be_shrunk(t, gmax1, gmax2)) continue;
    // Fill position t with the last active variable that stays.
    --active_size_;
    while (active_size_ > t) {
      if (!be_shrunk(active_size_, gmax1, gmax2)) {
        swap_index(t, active_size_);
        break;
      }
      --active_size_;
    }
  }
}

// Recomputes the gradient of the shrunk variables: G = G_bar + p plus the free terms.
void Solver::reconstruct_gradient() {
  if (active_size_ == l_) return;
  for (Index t = active_size_; t < l_; ++t) grad_[t] = grad_bar_[t] + p_[t];
  Index n_free = 0;
  for (Index t = 0; t < active_size_; ++t) n_free += is_free(t) ? 1 : 0;
  // Take whichever loop reads fewer Q entries: inactive rows over the active set, or full rows
  // of the free variables.
  if (n_free * l_ > 2 * active_size_ * (l_ - active_size_)) {
    for (Index i = active_size_; i < l_; ++i) {
      const float* q_i = q_.row(i, active_size_);
      for (Index t = 0; t < active_size_; ++t) {
        if (is_free(t)) grad_[i] += alpha_[t] * q_i[t];
      }
    }
    return;
  }
  for (Index i = 0; i < active_size_; ++i) {
    if (!is_free(i)) continue;
    const float* q_i = q_.row(i, l_);
    for (Index t = active_size_; t < l_; ++t) grad_[t] += alpha_[i] * q_i[t];
  }
}

// rho is y G averaged over free variables; without any, the midpoint of the feasible interval.
double Solver::calculate_rho() const {
  double upper = kInf;
  double lower = -kInf;
  double sum_free = 0;
  Index n_free = 0;
  for (Index t = 0; t < active_size_; ++t) {
    const double yg = y_[t] * grad_[t];
    if (is_free(t)) {
      ++n_free;
      sum_free += yg;
    } else if (in_up(t)) {
      upper = std::min(upper, yg);
    } else {
      lower = std::max(lower, yg);
    }
  }
  return n_free > 0 ? sum_free / static_cast<double>(n_free) : (upper + lower) / 2;
}

void Solver::swap_index(Index i, Index j) {
  q_.swap_index(i, j);
  std::swap(y_[i], y_[j]);
  std::swap(p_[i], p_[j]);
  std::swap(grad_[i], grad_[j]);
  std::swap(status_[i], status_[j]);
  std::swap(alpha_[i], alpha_[j]);
  std::swap(active_set_[i], active_set_[j]);
  std::swap(grad_bar_[i], grad_bar_[j]);
}

// Training rows grouped by class as libsvm's svm_group_classes (scikit-learn's version) does:
// classes in sorted order, original order kept within each class.
struct ClassGroups {
  std::vector<double> classes;
  std::vector<Index> perm;  // grouped position -> training row
  std::vector<Index> start;
  std::vector<Index> count;
};

ClassGroups group_by_class(const Eigen::VectorXd& y) {
  ClassGroups g;
  g.classes.assign(y.begin(), y.end());
  std::sort(g.classes.begin(), g.classes.end());
  g.classes.erase(std::unique(g.classes.begin(), g.classes.end()), g.classes.end());
  std::vector<Index> label(y.size());
  g.count.assign(g.classes.size(), 0);
  for (Index r = 0; r < y.size(); ++r) {
    label[r] = std::lower_bound(g.classes.begin(), g.classes.end(), y[r]) - g.classes.begin();
    ++g.count[label[r]];
  }
  g.start.assign(g.classes.size(), 0);
  for (std::size_t c = 1; c < g.classes.size(); ++c) g.start[c] = g.start[c - 1] + g.count[c - 1];
  g.perm.resize(y.size());
  std::vector<Index> next = g.start;
  for (Index r = 0; r < y.size(); ++r) g.perm[next[label[r]]++] = r;
  return g;
}

// Class a against class b: a's rows (+1) then b's rows (-1), each in grouped order.
SmoSolution train_pair(const RowMatrix& X, const ClassGroups& g, std::size_t a, std::size_t b,
                       const KernelSpec& k, const SolverOptions& o, ProgressTask& progress) {
  const Index n_a = g.count[a];
  const Index n_b = g.count[b];
  RowMatrix xs(n_a + n_b, X.cols());
  std::vector<signed char> ys(n_a + n_b);
  for (Index t = 0; t < n_a; ++t) {
    xs.row(t) = X.row(g.perm[g.start[a] + t]);
    ys[t] = +1;
  }
  for (Index t = 0; t < n_b; ++t) {
    xs.row(n_a + t) = X.row(g.perm[g.start[b] + t]);
    ys[n_a + t] = -1;
  }
  SvcQ q(std::move(xs), ys, k, o.cache_mb);
  std::vector<double> p(ys.size(), -1.0);
  return Solver(q, std::move(ys), std::move(p), o, progress).solve();
}

// scikit-learn flips dual_coef_ and intercept_ of two-class models relative to libsvm.
double public_sign(std::size_t n_classes) {
  return n_classes == 2 ? -1.0 : 1.0;
}

// Marks grouped positions whose coefficient is nonzero in at least one pair.
std::vector<bool> nonzero_positions(const ClassGroups& g, const std::vector<SmoSolution>& pairs) {
  std::vector<bool> nonzero(g.perm.size(), false);
  std::size_t p = 0;
  for (std::size_t a = 0; a < g.classes.size(); ++a) {
    for (std::size_t b = a + 1; b < g.classes.size(); ++b, ++p) {
      for (Index t = 0; t < g.count[a]; ++t) {
        if (pairs[p].coef[t] != 0) nonzero[g.start[a] + t] = true;
      }
      for (Index t = 0; t < g.count[b]; ++t) {
        if (pairs[p].coef[g.count[a] + t] != 0) nonzero[g.start[b] + t] = true;
      }
    }
  }
  return nonzero;
}

// libsvm's sv_coef layout: pair (a, b) puts a's coefficients in row b-1 and b's in row a.
RowMatrix sv_coef(const ClassGroups& g, const std::vector<SmoSolution>& pairs,
                  const std::vector<Index>& sv_index, Index n_sv) {
  const std::size_t n_classes = g.classes.size();
  RowMatrix coef = RowMatrix::Zero(static_cast<Index>(n_classes) - 1, n_sv);
  std::size_t p = 0;
  for (std::size_t a = 0; a < n_classes; ++a) {
    for (std::size_t b = a + 1; b < n_classes; ++b, ++p) {
      for (Index t = 0; t < g.count[a]; ++t) {
        const Index s = sv_index[g.start[a] + t];
        if (s >= 0) coef(b - 1, s) = pairs[p].coef[t];
      }
      for (Index t = 0; t < g.count[b]; ++t) {
        const Index s = sv_index[g.start[b] + t];
        if (s >= 0) coef(a, s) = pairs[p].coef[g.count[a] + t];
      }
    }
  }
  return coef;
}

// Support vectors (in grouped order), per-class counts, coefficients and intercepts.
SvcModel assemble_model(const RowMatrix& X, const ClassGroups& g,
                        const std::vector<SmoSolution>& pairs) {
  SvcModel m;
  m.classes = g.classes;
  const std::vector<bool> nonzero = nonzero_positions(g, pairs);
  std::vector<Index> sv_index(g.perm.size(), -1);  // grouped position -> column in the model
  m.n_support.assign(g.classes.size(), 0);
  for (std::size_t c = 0; c < g.classes.size(); ++c) {
    for (Index t = g.start[c]; t < g.start[c] + g.count[c]; ++t) {
      if (!nonzero[t]) continue;
      sv_index[t] = std::ssize(m.support);
      m.support.push_back(g.perm[t]);
      ++m.n_support[c];
    }
  }
  const Index n_sv = std::ssize(m.support);
  m.support_vectors.resize(n_sv, X.cols());
  for (Index s = 0; s < n_sv; ++s) m.support_vectors.row(s) = X.row(m.support[s]);
  const double sign = public_sign(g.classes.size());
  m.dual_coef = sign * sv_coef(g, pairs, sv_index, n_sv);
  for (const SmoSolution& p : pairs) {
    m.intercept.push_back(-sign * p.rho);  // scikit-learn's intercept_ is -rho
    m.n_iter.push_back(p.n_iter);
    if (p.timed_out) m.fit_status = 1;
  }
  return m;
}

void require(bool ok, const std::string& message) {
  if (!ok) throw std::invalid_argument("fit_svc: " + message);
}

void validate_fit_inputs(const RowMatrix& X, const Eigen::VectorXd& y, const KernelSpec& k,
                         const SolverOptions& o) {
  require(X.rows() > 0 && X.cols() > 0, "X must have at least one row and one column");
  require(y.size() == X.rows(), "y has " + std::to_string(y.size()) + " labels but X has " +
                                    std::to_string(X.rows()) + " rows");
  require(X.allFinite(), "X contains NaN or infinity");
  require(y.allFinite(), "y contains NaN or infinity");
  require(std::isfinite(o.C) && o.C > 0, "C must be a finite number > 0");
  require(std::isfinite(o.tol) && o.tol > 0, "tol must be a finite number > 0");
  require(std::isfinite(o.cache_mb) && o.cache_mb > 0, "cache_mb must be a finite number > 0");
  require(o.max_iter >= -1, "max_iter must be -1 (no limit) or >= 0");
  require(std::isfinite(k.gamma) && k.gamma >= 0, "gamma must be a finite number >= 0");
  require(k.degree >= 0, "degree must be >= 0");
  require(std::isfinite(k.coef0), "coef0 must be finite");
  require(k.kind == KernelKind::linear || k.kind == KernelKind::poly || k.kind == KernelKind::rbf ||
              k.kind == KernelKind::sigmoid,
          "unknown kernel kind");
}

// numpy's pairwise summation (8 accumulators over blocks of at most 128 values). Summing in
// its order makes gamma_scale bit-identical to scikit-learn's 1 / (n_features * X.var()).
double numpy_sum(const double* a, Index n) {
  constexpr Index kBlock = 128;
  if (n < 8) return std::accumulate(a, a + n, 0.0);
  if (n > kBlock) {
    const Index half = n / 2 - (n / 2) % 8;
    return numpy_sum(a, half) + numpy_sum(a + half, n - half);
  }
  std::array<double, 8> r{};
  std::copy(a, a + 8, r.begin());
  Index i = 8;
  for (; i < n - n % 8; i += 8) {
    for (Index j = 0; j < 8; ++j) r[j] += a[i + j];
  }
  double sum = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
  for (; i < n; ++i) sum += a[i];
  return sum;
}

std::size_t pair_count(std::size_t n_classes) {
  return n_classes * (n_classes - 1) / 2;
}

void check_model(const SvcModel& m, Index n_features) {
  const std::size_t n_classes = m.classes.size();
  const auto fail = [](const char* what) {
    throw std::invalid_argument(std::string("svm: inconsistent model: ") + what);
  };
  if (n_classes < 2) fail("fewer than 2 classes");
  if (m.n_support.size() != n_classes) fail("n_support size differs from the class count");
  // Checked, as SVC::load_state does: wrapped-around counts must not pass for the SV count.
  Index total = 0;
  for (std::int64_t n : m.n_support) {
    const auto sum = n < 0 ? std::nullopt : common::checked_add(total, n);
    if (!sum) fail("n_support holds a negative count or counts that overflow");
    total = *sum;
  }
  if (total != m.support_vectors.rows()) fail("n_support does not add up to the SV count");
  if (m.support_vectors.cols() != n_features) fail("feature count differs from X");
  if (m.dual_coef.rows() != static_cast<Index>(n_classes) - 1 || m.dual_coef.cols() != total) {
    fail("dual_coef shape");
  }
  if (m.intercept.size() != pair_count(n_classes)) fail("intercept size");
}

}  // namespace

SmoSolution solve_epsilon_svr(const RowMatrix& X, const Eigen::VectorXd& y, double epsilon,
                              const KernelSpec& k, const SolverOptions& o, ProgressTask& progress) {
  const Index l = X.rows();
  // libsvm's solve_epsilon_svr: alpha_i (label +1, linear term epsilon - y_i), then alpha*_i
  // (label -1, epsilon + y_i).
  std::vector<signed char> labels(static_cast<std::size_t>(2 * l), +1);
  std::vector<double> p(static_cast<std::size_t>(2 * l));
  for (Index i = 0; i < l; ++i) {
    labels[static_cast<std::size_t>(l + i)] = -1;
    p[static_cast<std::size_t>(i)] = epsilon - y[i];
    p[static_cast<std::size_t>(l + i)] = epsilon + y[i];
  }
  SvrQ q(X, k, o.cache_mb);
  return Solver(q, std::move(labels), std::move(p), o, progress).solve();
}

SvcModel fit_svc(const RowMatrix& X, const Eigen::VectorXd& y, const KernelSpec& k,
                 const SolverOptions& o) {
  validate_fit_inputs(X, y, k, o);
  const ClassGroups g = group_by_class(y);
  require(g.classes.size() >= 2,
          "y must contain at least 2 classes, got " + std::to_string(g.classes.size()));
  std::vector<SmoSolution> pairs;
  pairs.reserve(pair_count(g.classes.size()));
  // SMO stops on a tolerance, so the iterations it needs are unknown unless max_iter caps them.
  const std::uint64_t cap = o.max_iter == -1 ? 0 : static_cast<std::uint64_t>(o.max_iter);
  ProgressTask progress("iterations", cap * pair_count(g.classes.size()));
  for (std::size_t a = 0; a < g.classes.size(); ++a) {
    for (std::size_t b = a + 1; b < g.classes.size(); ++b) {
      pairs.push_back(train_pair(X, g, a, b, k, o, progress));
    }
  }
  return assemble_model(X, g, pairs);
}

double kernel(const KernelSpec& k, const double* a, const double* b, Eigen::Index n) {
  const Eigen::Map<const Eigen::VectorXd> va(a, n);
  const Eigen::Map<const Eigen::VectorXd> vb(b, n);
  switch (k.kind) {
    case KernelKind::linear: return va.dot(vb);
    case KernelKind::poly: return powi(k.gamma * va.dot(vb) + k.coef0, k.degree);
    case KernelKind::rbf: return std::exp(-k.gamma * (va - vb).squaredNorm());
    case KernelKind::sigmoid: return std::tanh(k.gamma * va.dot(vb) + k.coef0);
  }
  throw_bad_kernel();
}

RowMatrix decision_ovo(const SvcModel& m, const KernelSpec& k, const RowMatrix& X) {
  check_model(m, X.cols());
  const std::size_t n_classes = m.classes.size();
  const double sign = public_sign(n_classes);
  const RowMatrix coef = sign * m.dual_coef;  // back to libsvm's sv_coef
  std::vector<Index> first_sv(n_classes, 0);
  for (std::size_t c = 1; c < n_classes; ++c) first_sv[c] = first_sv[c - 1] + m.n_support[c - 1];
  const Eigen::VectorXd sv_sq = m.support_vectors.rowwise().squaredNorm();
  RowMatrix out(X.rows(), static_cast<Index>(pair_count(n_classes)));
  for (Index r0 = 0; r0 < X.rows(); r0 += kPredictBlock) {
    const Index nb = std::min(kPredictBlock, X.rows() - r0);
    const RowMatrix K = kernel_block(k, X.middleRows(r0, nb), m.support_vectors, sv_sq);
    Index p = 0;
    for (std::size_t a = 0; a < n_classes; ++a) {
      for (std::size_t b = a + 1; b < n_classes; ++b, ++p) {
        const Index sa = first_sv[a], na = m.n_support[a];
        const Index sb = first_sv[b], nb_sv = m.n_support[b];
        out.col(p).segment(r0, nb) =
            K.middleCols(sa, na) * coef.row(b - 1).segment(sa, na).transpose() +
            K.middleCols(sb, nb_sv) * coef.row(a).segment(sb, nb_sv).transpose();
        out.col(p).segment(r0, nb).array() += sign * m.intercept[p];  // i.e. -rho
      }
    }
  }
  return out;
}

Eigen::VectorXd kernel_expansion(const KernelSpec& k, const RowMatrix& sv,
                                 const Eigen::VectorXd& coef, const RowMatrix& X) {
  if (sv.rows() != coef.size() || (sv.rows() > 0 && sv.cols() != X.cols()))
    throw std::invalid_argument("kernel_expansion: shapes of sv, coef and X disagree");
  const Eigen::VectorXd sv_sq = sv.rowwise().squaredNorm();
  Eigen::VectorXd out(X.rows());
  for (Index r0 = 0; r0 < X.rows(); r0 += kPredictBlock) {
    const Index nb = std::min(kPredictBlock, X.rows() - r0);
    out.segment(r0, nb).noalias() = kernel_block(k, X.middleRows(r0, nb), sv, sv_sq) * coef;
  }
  return out;
}

RowMatrix decision_ovr(const RowMatrix& ovo, std::size_t n_classes) {
  if (n_classes < 2 || ovo.cols() != static_cast<Index>(pair_count(n_classes))) {
    throw std::invalid_argument("decision_ovr: ovo must have n_classes*(n_classes-1)/2 columns");
  }
  const Index n = static_cast<Index>(n_classes);
  RowMatrix votes = RowMatrix::Zero(ovo.rows(), n);
  RowMatrix confidence = RowMatrix::Zero(ovo.rows(), n);
  Index p = 0;
  for (Index a = 0; a < n; ++a) {
    for (Index b = a + 1; b < n; ++b, ++p) {
      for (Index r = 0; r < ovo.rows(); ++r) {
        const double d = ovo(r, p);
        confidence(r, a) += d;
        confidence(r, b) -= d;
        votes(r, d < 0 ? b : a) += 1;
      }
    }
  }
  // Squashing into (-1/3, 1/3) lets confidences break vote ties without overturning a vote.
  return votes.array() + confidence.array() / (3 * (confidence.array().abs() + 1));
}

RowMatrix decision_function(const SvcModel& m, const RowMatrix& ovo) {
  if (m.classes.size() == 2) {
    if (ovo.cols() != 1) throw std::invalid_argument("decision_function: ovo must have 1 column");
    return -ovo;
  }
  return decision_ovr(ovo, m.classes.size());
}

Eigen::VectorXd predict(const SvcModel& m, const RowMatrix& ovo) {
  const Index n = static_cast<Index>(m.classes.size());
  if (n < 2 || ovo.cols() != static_cast<Index>(pair_count(m.classes.size()))) {
    throw std::invalid_argument("predict: ovo must have n_classes*(n_classes-1)/2 columns");
  }
  Eigen::VectorXd labels(ovo.rows());
  std::vector<int> votes(m.classes.size());
  for (Index r = 0; r < ovo.rows(); ++r) {
    std::fill(votes.begin(), votes.end(), 0);
    Index p = 0;
    for (Index a = 0; a < n; ++a) {
      for (Index b = a + 1; b < n; ++b, ++p) ++votes[ovo(r, p) > 0 ? a : b];
    }
    // max_element returns the first maximum: ties go to the lowest class index.
    labels[r] = m.classes[std::max_element(votes.begin(), votes.end()) - votes.begin()];
  }
  return labels;
}

double gamma_scale(const RowMatrix& X) {
  if (X.size() == 0) throw std::invalid_argument("gamma_scale: X is empty");
  const double n = static_cast<double>(X.size());
  const double mean = numpy_sum(X.data(), X.size()) / n;
  const Eigen::ArrayXd squares =
      (Eigen::Map<const Eigen::ArrayXd>(X.data(), X.size()) - mean).square();
  const double var = numpy_sum(squares.data(), squares.size()) / n;
  return var != 0 ? 1.0 / (static_cast<double>(X.cols()) * var) : 1.0;
}

double gamma_auto(const RowMatrix& X) {
  if (X.cols() == 0) throw std::invalid_argument("gamma_auto: X has no columns");
  return 1.0 / static_cast<double>(X.cols());
}

}  // namespace mlpersist::svm
