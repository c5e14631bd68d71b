#include "smo.hpp"

#include <algorithm>
#include <limits>
#include <mlpersist/progress.hpp>
#include <utility>

namespace mlpersist::svm {
namespace {

using Index = Eigen::Index;

constexpr double kInf = std::numeric_limits<double>::infinity();
// libsvm's TAU: stands in for a non-positive curvature so that a step is still taken.
constexpr double kTau = 1e-12;
// SMO iterations between progress reports: thousands of cheap steps, so a report costs nothing.
constexpr std::int64_t kProgressStride = 1024;

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

}  // namespace

SmoSolution solve_smo(QMatrix& q, std::vector<signed char> y, std::vector<double> p,
                      const SolverOptions& o, ProgressTask& progress) {
  return Solver(q, std::move(y), std::move(p), o, progress).solve();
}

}  // namespace mlpersist::svm
