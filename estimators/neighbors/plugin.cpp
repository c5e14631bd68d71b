#include <mlpersist/plugin.hpp>

#include "k_neighbors_classifier.hpp"
#include "k_neighbors_regressor.hpp"

MLPERSIST_PLUGIN(neighbors, "1.0.0", [](mlpersist::Registrar& r) {
  r.add_estimator<mlpersist::neighbors::KNeighborsClassifier>();
  r.add_estimator<mlpersist::neighbors::KNeighborsRegressor>();
})
