#include "elastic_net.hpp"

#include <cmath>
#include <mlpersist/dataset.hpp>
#include <mlpersist/error.hpp>
#include <random>

#include "common/numpy_random.hpp"
#include "coordinate_descent.hpp"

namespace mlpersist::linear_model {
namespace {

constexpr std::int64_t kMaxSeed = 4294967295;  // RandomState takes seeds in [0, 2**32 - 1]
constexpr std::uint64_t kRandRMax = 0x7FFFFFFF;

// cd_fast's rand_r seed: `rng.randint(0, RAND_R_MAX)` from check_random_state(random_state), drawn
// on every fit, cyclic or not. None: fresh entropy, as scikit-learn's global RandomState gives.
std::uint32_t cd_seed(const std::optional<std::int64_t>& random_state) {
  const auto seed = random_state ? static_cast<std::uint32_t>(*random_state)
                                 : static_cast<std::uint32_t>(std::random_device{}());
  common::NumpyRandomState rng(seed);
  return static_cast<std::uint32_t>(rng.randint(kRandRMax));
}

}  // namespace

void validate_enet(const ElasticNetParams& s, std::string_view who) {
  if (!(s.alpha >= 0) || !std::isfinite(s.alpha))
    throw_invalid_param(who, "alpha must be a finite number >= 0, got " + format_double(s.alpha));
  if (!(s.l1_ratio >= 0 && s.l1_ratio <= 1))
    throw_invalid_param(who, "l1_ratio must be in [0, 1], got " + format_double(s.l1_ratio));
  if (s.max_iter < 1) throw_invalid_param(who, "max_iter must be at least 1");
  if (!(s.tol >= 0) || !std::isfinite(s.tol))
    throw_invalid_param(who, "tol must be a finite number >= 0, got " + format_double(s.tol));
  if (s.selection != "cyclic" && s.selection != "random")
    throw_invalid_param(who, "selection must be 'cyclic' or 'random', got '" + s.selection + "'");
  if (s.random_state && (*s.random_state < 0 || *s.random_state > kMaxSeed))
    throw_invalid_param(who, "random_state must be None or an integer in [0, 2**32 - 1]");
}

EnetFit fit_enet(const MatrixView& X, const Vector& y, const ElasticNetParams& s) {
  const CenteredData data = center(X, y, s.fit_intercept);
  const auto n = static_cast<double>(X.rows());
  CdSettings cd;
  cd.l1 = s.alpha * s.l1_ratio * n;
  cd.l2 = s.alpha * (1.0 - s.l1_ratio) * n;
  cd.max_iter = s.max_iter;
  cd.tol = s.tol;
  cd.random = s.selection == "random";
  cd.positive = s.positive;
  cd.seed = cd_seed(s.random_state);
  CdResult r = enet_coordinate_descent(data.X, data.y, cd);
  EnetFit fit;
  fit.linear.coef = std::move(r.coef);
  fit.linear.set_intercept(data);
  fit.n_iter = r.n_iter;
  fit.dual_gap = r.gap / n;  // enet_path reports the gap of the objective divided by n
  if (!fit.linear.coef.allFinite() || !std::isfinite(fit.linear.intercept))
    throw UsageError(ErrorCode::kInvalidInput,
                     "coordinate descent produced non-finite coefficients: the input data may "
                     "hold values too large; scale it first");
  return fit;
}

template <class Derived, class P>
void CoordinateDescentRegressor<Derived, P>::do_fit(const MatrixView& X, const Vector& y) {
  fit_ = fit_enet(X, y, settings());
}

template <class Derived, class P>
Value CoordinateDescentRegressor<Derived, P>::save_state(SaveContext&) const {
  Map m;
  save_linear_fit(fit_.linear, m);
  m.insert("n_iter_", fit_.n_iter);
  m.insert("dual_gap_", fit_.dual_gap);
  return m;
}

template <class Derived, class P>
void CoordinateDescentRegressor<Derived, P>::load_state(const Node& state, LoadContext&) {
  EnetFit fit;
  fit.linear = load_linear_fit(state, this->n_features_in());
  fit.n_iter = state["n_iter_"].as_int(1);
  fit.dual_gap = state["dual_gap_"].as_double();
  fit_ = std::move(fit);
}

ElasticNetParams as_elastic_net(const ElasticNetParams& p) {
  return p;
}

ElasticNetParams as_elastic_net(const LassoParams& p) {
  return {p.alpha, 1.0,        p.fit_intercept, p.max_iter,
          p.tol,   p.positive, p.random_state,  p.selection};
}

template class CoordinateDescentRegressor<ElasticNet, ElasticNetParams>;
template class CoordinateDescentRegressor<Lasso, LassoParams>;

}  // namespace mlpersist::linear_model
