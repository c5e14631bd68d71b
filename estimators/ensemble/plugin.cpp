#include <mlpersist/plugin.hpp>

#include "random_forest.hpp"

MLPERSIST_PLUGIN(ensemble, "1.0.0", [](mlpersist::Registrar& r) {
  r.add_estimator<mlpersist::ensemble::RandomForestClassifier>();
})
