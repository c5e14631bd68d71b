#include <mlpersist/plugin.hpp>

#include "k_neighbors_classifier.hpp"

MLPERSIST_PLUGIN(neighbors, "1.0.0", [](mlpersist::Registrar& r) {
  r.add_estimator<mlpersist::neighbors::KNeighborsClassifier>();
})
