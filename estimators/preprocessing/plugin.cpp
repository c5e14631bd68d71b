#include <mlpersist/plugin.hpp>

#include "standard_scaler.hpp"

MLPERSIST_PLUGIN(preprocessing, "1.0.0", [](mlpersist::Registrar& r) {
  r.add_estimator<mlpersist::preprocessing::StandardScaler>();
})
