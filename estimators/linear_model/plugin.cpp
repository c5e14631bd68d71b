#include <mlpersist/plugin.hpp>

#include "elastic_net.hpp"
#include "linear_regression.hpp"
#include "logistic_regression.hpp"
#include "ridge.hpp"

MLPERSIST_PLUGIN(linear_model, "1.0.0", [](mlpersist::Registrar& r) {
  r.add_estimator<mlpersist::linear_model::LinearRegression>();
  r.add_estimator<mlpersist::linear_model::Ridge>();
  r.add_upgrade("linear_model.Ridge", 1, "adds the optional state.solver_ (scikit-learn 1.5)",
                mlpersist::linear_model::upgrade_ridge_1_to_2);
  r.add_downgrade("linear_model.Ridge", 2, "drops state.solver_",
                  mlpersist::linear_model::downgrade_ridge_2_to_1);
  r.add_estimator<mlpersist::linear_model::LogisticRegression>();
  r.add_estimator<mlpersist::linear_model::Lasso>();
  r.add_estimator<mlpersist::linear_model::ElasticNet>();
})
