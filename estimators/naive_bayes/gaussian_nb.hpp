#pragma once

#include <mlpersist/context.hpp>
#include <mlpersist/estimator.hpp>
#include <mlpersist/params.hpp>
#include <vector>

namespace mlpersist::naive_bayes {

/// scikit-learn 1.2's GaussianNB parameters (priors=None: the priors are the class frequencies).
struct GaussianNBParams {
  double var_smoothing = 1e-9;
  static constexpr std::array<std::string_view, 1> kNames{"var_smoothing"};
};

/// Gaussian naive Bayes: per class and feature a normal distribution with the class mean and
/// (population) variance, the variances widened by var_smoothing times the largest feature
/// variance for numerical stability.
class GaussianNB : public EstimatorWithParams<GaussianNB, GaussianNBParams> {
 public:
  static constexpr std::string_view kTypeTag = "naive_bayes.GaussianNB";
  static constexpr std::uint32_t kSchemaVersion = 1;
  using EstimatorWithParams::EstimatorWithParams;

  /// Throws UsageError(kInvalidParameter) unless var_smoothing is finite and >= 0.
  void validate_params(const GaussianNBParams& p) const;
  [[nodiscard]] EstimatorKind kind() const override { return EstimatorKind::kClassifier; }
  [[nodiscard]] bool supports(Method m) const override;
  [[nodiscard]] Value save_state(SaveContext& ctx) const override;
  void load_state(const Node& state, LoadContext& ctx) override;

  /// theta_: per-class feature means, n_classes x n_features.
  [[nodiscard]] const Matrix& theta() const noexcept { return theta_; }
  /// var_: per-class feature variances plus epsilon_, n_classes x n_features.
  [[nodiscard]] const Matrix& var() const noexcept { return var_; }
  /// class_prior_: probability of each class.
  [[nodiscard]] const Vector& class_prior() const noexcept { return class_prior_; }
  /// class_count_: training samples per class.
  [[nodiscard]] const Vector& class_count() const noexcept { return class_count_; }
  /// classes_: the sorted distinct training labels.
  [[nodiscard]] const std::vector<double>& classes() const noexcept { return classes_; }
  /// epsilon_: the absolute amount added to every variance.
  [[nodiscard]] double epsilon() const noexcept { return epsilon_; }

  /// Log of prior times likelihood per sample and class (scikit-learn's _joint_log_likelihood).
  [[nodiscard]] Matrix joint_log_likelihood(const MatrixView& X) const;

 protected:
  void do_fit(const MatrixView& X, const Vector& y) override;
  [[nodiscard]] Vector do_predict(const MatrixView& X) const override;
  [[nodiscard]] Matrix do_predict_proba(const MatrixView& X) const override;

 private:
  std::vector<double> classes_;
  Matrix theta_;
  Matrix var_;
  Vector class_prior_;
  Vector class_count_;
  double epsilon_ = 0;
};

}  // namespace mlpersist::naive_bayes
