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

#include "common/checked_counts.hpp"
#include "common/classes.hpp"

namespace mlpersist::svm {
namespace {

using Index = Eigen::Index;

// Rows of X per kernel block at prediction time; bounds the block's memory.
constexpr Index kPredictBlock = 256;

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
  g.classes = common::unique_labels(y);
  const std::vector<Index> label = common::class_indices<Index>(g.classes, y);
  g.count.assign(g.classes.size(), 0);
  for (const Index c : label) ++g.count[static_cast<std::size_t>(c)];
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
  const auto q = svc_q(std::move(xs), ys, k, o.cache_mb);
  std::vector<double> p(ys.size(), -1.0);  // C-SVC's linear term -e
  return solve_smo(*q, std::move(ys), std::move(p), o, progress);
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
