#include <mlpersist/plugin.hpp>

#include "simple_imputer.hpp"

MLPERSIST_PLUGIN(impute, "1.0.0", [](mlpersist::Registrar& r) {
  r.add_estimator<mlpersist::impute::SimpleImputer>();
})
