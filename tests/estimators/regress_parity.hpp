#pragma once

// Shared by the SVR, Lasso/ElasticNet and KNeighborsRegressor tests: fits an estimator with a
// reference's scikit-learn parameters (tests/data/gen_regress_references.py) and compares its
// predictions on the training set and on the training set shifted by 0.001.

#include <string>

#include "parity.hpp"

namespace mlpersist::test {

/// The two data sets the references were made on.
inline const std::vector<std::string>& regress_datasets() {
  static const std::vector<std::string> names{"diabetes", "synthetic_regression"};
  return names;
}

/// The reference's parameter as a Value: JSON integers stay integers, null stays null.
inline Value json_param(const rapidjson::Value& v) {
  if (v.IsNull()) return nullptr;
  if (v.IsBool()) return v.GetBool();
  if (v.IsInt64()) return v.GetInt64();
  if (v.IsNumber()) return v.GetDouble();
  return std::string(v.GetString());
}

/// `tag` fitted on `d` with the reference's values of every parameter the C++ type has.
inline std::shared_ptr<Estimator> fit_with_reference_params(const std::string& tag,
                                                            const Dataset& d,
                                                            const rapidjson::Value& ref) {
  auto est = registry().create(tag);
  Map params;
  const Value defaults = est->get_params();
  for (const auto& [key, value] : defaults.as_map()) {
    const auto& p = ref["params"];
    if (!p.HasMember(key.c_str())) continue;
    Value v = json_param(p[key.c_str()]);
    // scikit-learn keeps 1.0 as a float; a C++ integer parameter takes the integer.
    if (value.kind() == Kind::kInt && v.kind() == Kind::kDouble)
      v = static_cast<std::int64_t>(v.as_double());
    params.insert(key, std::move(v));
  }
  est->set_params(params);
  est->fit(d.X, d.y);
  return est;
}

/// X + 0.001, as the references' `predict_shift` was computed.
inline Matrix shifted(const Matrix& X) {
  return (X.array() + 0.001).matrix();
}

/// Predictions on X and on shifted(X) within `tol` relative of scikit-learn's; returns the
/// largest relative error seen.
inline double expect_regress_predictions(const Estimator& est, const Dataset& d,
                                         const rapidjson::Value& ref, double tol,
                                         const std::string& what) {
  const Matrix train = est.predict(d.X);
  const Matrix shift = est.predict(shifted(d.X));
  const double err = std::max(max_rel_error(train, json_vector(ref["predict_train"])),
                              max_rel_error(shift, json_vector(ref["predict_shift"])));
  report(what + " predict max rel error", err);
  EXPECT_LE(err, tol) << what;
  return err;
}

}  // namespace mlpersist::test
