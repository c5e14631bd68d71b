#include "lbfgs.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <mlpersist/progress.hpp>
#include <vector>

namespace mlpersist::linear_model {
namespace {

using Eigen::VectorXd;

// Line search constants of L-BFGS-B 3.0: sufficient decrease, curvature (the strong Wolfe test,
// loose enough at 0.9 that the unit quasi-Newton step is usually accepted at once) and the
// relative width below which the bracket is considered too small to shrink further.
constexpr double kSufficientDecrease = 1e-3;
constexpr double kCurvature = 0.9;
constexpr double kWidthTol = 0.1;
constexpr double kMaxStep = 1e10;
constexpr int kMaxLineSearchEvals = 20;
// How far an unbracketed trial step may extrapolate, relative to the last step taken.
constexpr double kExtrapolateLow = 1.1;
constexpr double kExtrapolateHigh = 4.0;

// A point on the search line: step length, function value, directional derivative.
struct LinePoint {
  double stp = 0;
  double f = 0;
  double d = 0;
};

// Minimiser of the cubic interpolating a and b (values and slopes), written as a + r (b - a).
// Returns r; `gamma_zero` tells when the cubic degenerates (its minimiser is at infinity).
double cubic_ratio(const LinePoint& a, const LinePoint& b, bool& gamma_zero) {
  const double theta = 3.0 * (a.f - b.f) / (b.stp - a.stp) + a.d + b.d;
  const double s = std::max({std::abs(theta), std::abs(a.d), std::abs(b.d)});
  // Scaling by s avoids overflow in theta^2; rounding can make the radicand slightly negative.
  double gamma = s * std::sqrt(std::max(0.0, (theta / s) * (theta / s) - (a.d / s) * (b.d / s)));
  if (b.stp < a.stp) gamma = -gamma;
  gamma_zero = gamma == 0.0;
  const double p = (gamma - a.d) + theta;
  const double q = ((gamma - a.d) + gamma) + b.d;
  return p / q;
}

double cubic_step(const LinePoint& a, const LinePoint& b) {
  bool degenerate = false;
  return a.stp + cubic_ratio(a, b, degenerate) * (b.stp - a.stp);
}

// Secant step: where the derivative interpolated linearly between a and b vanishes.
double secant_step(const LinePoint& a, const LinePoint& b) {
  return a.stp + (a.d / (a.d - b.d)) * (b.stp - a.stp);
}

// Moré & Thuente (1994), algorithm 2.3 with the safeguards of their dcstep: picks the next
// trial step from the interval of uncertainty [x, y] and the trial t, and updates the interval.
class IntervalUpdate {
 public:
  IntervalUpdate(LinePoint& x, LinePoint& y, bool& bracketed)
      : x_(x), y_(y), bracketed_(bracketed) {}

  double next(const LinePoint& t, double lo, double hi) {
    const bool opposite_slopes = t.d * (x_.d / std::abs(x_.d)) < 0;
    double step;
    if (t.f > x_.f) {
      step = higher_value(t);
    } else if (opposite_slopes) {
      step = opposite_slope(t);
    } else if (std::abs(t.d) < std::abs(x_.d)) {
      step = decreasing_slope(t, lo, hi);
    } else {
      step = steep_slope(t, lo, hi);
    }
    if (t.f > x_.f) {
      y_ = t;
    } else {
      if (opposite_slopes) y_ = x_;
      x_ = t;
    }
    return step;
  }

 private:
  // The minimum is bracketed between x and t: take the cubic step unless it lands farther from
  // x than the quadratic one, then the average of the two.
  double higher_value(const LinePoint& t) {
    const double c = cubic_step(x_, t);
    const double q =
        x_.stp + ((x_.d / ((x_.f - t.f) / (t.stp - x_.stp) + x_.d)) / 2.0) * (t.stp - x_.stp);
    bracketed_ = true;
    return std::abs(c - x_.stp) < std::abs(q - x_.stp) ? c : c + (q - c) / 2.0;
  }

  // Slopes of opposite sign bracket a minimum: take the step farther from t.
  double opposite_slope(const LinePoint& t) {
    const double c = cubic_step(t, x_);
    const double q = secant_step(t, x_);
    bracketed_ = true;
    return std::abs(c - t.stp) > std::abs(q - t.stp) ? c : q;
  }

  // Lower value and a slope that decreases in magnitude: the cubic may point beyond t.
  double decreasing_slope(const LinePoint& t, double lo, double hi) {
    bool degenerate = false;
    const double r = cubic_ratio(t, x_, degenerate);
    double c;
    if (r < 0 && !degenerate)
      c = t.stp + r * (x_.stp - t.stp);
    else
      c = t.stp > x_.stp ? hi : lo;
    const double q = secant_step(t, x_);
    if (!bracketed_) {
      const double s = std::abs(c - t.stp) > std::abs(q - t.stp) ? c : q;
      return std::clamp(s, lo, hi);
    }
    const double s = std::abs(c - t.stp) < std::abs(q - t.stp) ? c : q;
    const double limit = t.stp + 0.66 * (y_.stp - t.stp);
    return t.stp > x_.stp ? std::min(limit, s) : std::max(limit, s);
  }

  // Lower value, slope not decreasing: extrapolate to the interval's end unless bracketed.
  double steep_slope(const LinePoint& t, double lo, double hi) const {
    if (bracketed_) return cubic_step(t, y_);
    return t.stp > x_.stp ? hi : lo;
  }

  LinePoint& x_;
  LinePoint& y_;
  bool& bracketed_;
};

// The Moré-Thuente search for a step satisfying the sufficient-decrease and curvature
// conditions, driven one function evaluation at a time (as MINPACK-2's dcsrch).
class LineSearch {
 public:
  LineSearch(double f0, double d0, double first_step)
      : stp_(first_step), f0_(f0), d0_(d0), slope_test_(kSufficientDecrease * d0) {
    x_ = y_ = LinePoint{0, f0, d0};
    hi_ = first_step * (1 + kExtrapolateHigh);
  }

  [[nodiscard]] double step() const noexcept { return stp_; }

  // Takes f and the directional derivative at step(); true when that step is to be accepted.
  bool accept(double f, double d) {
    const double f_test = f0_ + stp_ * slope_test_;
    if (first_stage_ && f <= f_test && d >= 0) first_stage_ = false;
    if (stalled(f, d, f_test)) return true;
    if (f <= f_test && std::abs(d) <= kCurvature * -d0_) return true;
    propose(LinePoint{stp_, f, d}, f_test);
    return false;
  }

 private:
  // Conditions under which no better step can be found (dcsrch's warnings); the current step is
  // kept then.
  [[nodiscard]] bool stalled(double f, double d, double f_test) const {
    if (bracketed_ && (stp_ <= lo_ || stp_ >= hi_)) return true;
    if (bracketed_ && hi_ - lo_ <= kWidthTol * hi_) return true;
    if (stp_ == kMaxStep && f <= f_test && d <= slope_test_) return true;
    return stp_ == 0.0 && (f > f_test || d >= slope_test_);
  }

  void propose(const LinePoint& t, double f_test) {
    IntervalUpdate update(x_, y_, bracketed_);
    if (first_stage_ && t.f <= x_.f && t.f > f_test) {
      // Work on the auxiliary function f - slope_test * stp until it has a lower value than
      // f(0): the plain function may not have a suitable minimiser in the interval yet.
      auto shift = [&](LinePoint p) {
        return LinePoint{p.stp, p.f - p.stp * slope_test_, p.d - slope_test_};
      };
      auto unshift = [&](LinePoint p) {
        return LinePoint{p.stp, p.f + p.stp * slope_test_, p.d + slope_test_};
      };
      x_ = shift(x_);
      y_ = shift(y_);
      stp_ = update.next(shift(t), lo_, hi_);
      x_ = unshift(x_);
      y_ = unshift(y_);
    } else {
      stp_ = update.next(t, lo_, hi_);
    }
    shrink_interval();
  }

  void shrink_interval() {
    if (bracketed_) {
      // Force sufficient shrinkage: bisect when two steps did not halve the interval.
      if (std::abs(y_.stp - x_.stp) >= 0.66 * width_before_)
        stp_ = x_.stp + 0.5 * (y_.stp - x_.stp);
      width_before_ = width_;
      width_ = std::abs(y_.stp - x_.stp);
      lo_ = std::min(x_.stp, y_.stp);
      hi_ = std::max(x_.stp, y_.stp);
    } else {
      lo_ = stp_ + kExtrapolateLow * (stp_ - x_.stp);
      hi_ = stp_ + kExtrapolateHigh * (stp_ - x_.stp);
    }
    stp_ = std::clamp(stp_, 0.0, kMaxStep);
    // When no progress is possible, fall back to the best step so far.
    if (bracketed_ && (stp_ <= lo_ || stp_ >= hi_ || hi_ - lo_ <= kWidthTol * hi_)) stp_ = x_.stp;
  }

  double stp_;
  double f0_;
  double d0_;
  double slope_test_;
  LinePoint x_;  // best step so far
  LinePoint y_;  // other end of the interval of uncertainty
  double lo_ = 0;
  double hi_ = 0;
  double width_ = kMaxStep;
  double width_before_ = 2 * kMaxStep;
  bool bracketed_ = false;
  bool first_stage_ = true;
};

struct Point {
  VectorXd x;
  VectorXd g;
  double f = 0;
};

// Searches along d from `from`; on success `to` holds the accepted point.
bool search_line(const Objective& fn, const Point& from, const VectorXd& d, double first_step,
                 int& evals, Point& to) {
  const double d0 = from.g.dot(d);
  if (!(d0 < 0)) return false;  // not a descent direction (rounding in the two-loop recursion)
  LineSearch search(from.f, d0, first_step);
  to.g.resize(from.x.size());
  for (int k = 0; k < kMaxLineSearchEvals; ++k) {
    to.x = from.x + search.step() * d;
    to.f = fn(to.x, to.g);
    ++evals;
    if (!std::isfinite(to.f) || !to.g.allFinite()) return false;
    if (search.accept(to.f, to.g.dot(d))) return true;
  }
  return false;
}

// The correction pairs and the two-loop recursion giving -H g.
class Memory {
 public:
  explicit Memory(int size) : size_(static_cast<std::size_t>(std::max(size, 1))) {}

  [[nodiscard]] bool empty() const noexcept { return s_.empty(); }
  void clear() {
    s_.clear();
    y_.clear();
  }

  // Keeps the pair unless its curvature s'y is negligible (L-BFGS-B's rule), which would make
  // the update ill-defined.
  void update(VectorXd s, VectorXd y, double old_slope) {
    const double sy = s.dot(y);
    if (sy <= std::numeric_limits<double>::epsilon() * -old_slope) return;
    if (s_.size() == size_) {
      s_.pop_front();
      y_.pop_front();
    }
    s_.push_back(std::move(s));
    y_.push_back(std::move(y));
  }

  [[nodiscard]] VectorXd direction(const VectorXd& g) const {
    VectorXd q = -g;
    std::vector<double> alpha(s_.size());
    for (std::size_t i = s_.size(); i-- > 0;) {
      alpha[i] = s_[i].dot(q) / s_[i].dot(y_[i]);
      q -= alpha[i] * y_[i];
    }
    if (!s_.empty()) q *= s_.back().dot(y_.back()) / y_.back().squaredNorm();
    for (std::size_t i = 0; i < s_.size(); ++i) {
      const double beta = y_[i].dot(q) / s_[i].dot(y_[i]);
      q += (alpha[i] - beta) * s_[i];
    }
    return q;
  }

 private:
  std::size_t size_;
  std::deque<VectorXd> s_;
  std::deque<VectorXd> y_;
};

LbfgsResult finish(Point p, int iter, int evals, LbfgsStatus status) {
  return LbfgsResult{std::move(p.x), p.f, iter, evals, status};
}

}  // namespace

LbfgsResult minimize_lbfgs(const Objective& fn, VectorXd x0, const LbfgsOptions& o) {
  Point cur;
  cur.g.resize(x0.size());
  cur.x = std::move(x0);
  cur.f = fn(cur.x, cur.g);
  int evals = 1;
  int iter = 0;
  if (cur.g.lpNorm<Eigen::Infinity>() <= o.gtol)
    return finish(std::move(cur), iter, evals, LbfgsStatus::kGradientSmall);
  Memory memory(o.memory);
  Point next;
  // max_iter is an upper bound: most fits converge long before, and the bar then just ends.
  ProgressTask progress("iterations", static_cast<std::uint64_t>(o.max_iter));
  while (true) {
    const VectorXd d = memory.direction(cur.g);
    // The first step has unit length; afterwards the quasi-Newton step is tried in full.
    const double first_step = iter == 0 ? std::min(1.0 / d.norm(), kMaxStep) : 1.0;
    if (!search_line(fn, cur, d, first_step, evals, next)) {
      if (memory.empty())
        return finish(std::move(cur), iter + 1, evals, LbfgsStatus::kLineSearchFailed);
      if (evals >= o.max_evals) return finish(std::move(cur), iter, evals, LbfgsStatus::kMaxEvals);
      memory.clear();  // the curvature pairs misled the search: restart along -g
      continue;
    }
    progress.report(++iter);
    VectorXd s = next.x - cur.x;
    const double old_slope = cur.g.dot(s);
    VectorXd y = next.g - cur.g;
    const double f_old = cur.f;
    std::swap(cur, next);
    if (iter >= o.max_iter) return finish(std::move(cur), iter, evals, LbfgsStatus::kMaxIter);
    if (cur.g.lpNorm<Eigen::Infinity>() <= o.gtol)
      return finish(std::move(cur), iter, evals, LbfgsStatus::kGradientSmall);
    if (f_old - cur.f <= o.ftol * std::max({std::abs(f_old), std::abs(cur.f), 1.0}))
      return finish(std::move(cur), iter, evals, LbfgsStatus::kNoProgress);
    if (evals >= o.max_evals) return finish(std::move(cur), iter, evals, LbfgsStatus::kMaxEvals);
    memory.update(std::move(s), std::move(y), old_slope);
  }
}

}  // namespace mlpersist::linear_model
