#include <mlpersist/plugin.hpp>

#include "linear_regression.hpp"
#include "logistic_regression.hpp"
#include "ridge.hpp"

MLPERSIST_PLUGIN(linear_model, "1.0.0", [](mlpersist::Registrar& r) {
  r.add_estimator<mlpersist::linear_model::LinearRegression>();
  r.add_estimator<mlpersist::linear_model::Ridge>();
  r.add_estimator<mlpersist::linear_model::LogisticRegression>();
})
