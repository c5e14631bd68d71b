#include <mlpersist/plugin.hpp>

#include "min_max_scaler.hpp"
#include "one_hot_encoder.hpp"
#include "ordinal_encoder.hpp"
#include "standard_scaler.hpp"

MLPERSIST_PLUGIN(preprocessing, "1.1.0", [](mlpersist::Registrar& r) {
  r.add_estimator<mlpersist::preprocessing::StandardScaler>();
  r.add_estimator<mlpersist::preprocessing::MinMaxScaler>();
  r.add_estimator<mlpersist::preprocessing::OneHotEncoder>();
  r.add_estimator<mlpersist::preprocessing::OrdinalEncoder>();
})
