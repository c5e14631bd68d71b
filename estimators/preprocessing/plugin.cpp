#include <mlpersist/plugin.hpp>

#include "min_max_scaler.hpp"
#include "one_hot_encoder.hpp"
#include "ordinal_encoder.hpp"
#include "standard_scaler.hpp"

MLPERSIST_PLUGIN(preprocessing, "1.1.0", [](mlpersist::Registrar& r) {
  r.add_estimator<mlpersist::preprocessing::StandardScaler>();
  r.add_estimator<mlpersist::preprocessing::MinMaxScaler>();
  r.add_estimator<mlpersist::preprocessing::OneHotEncoder>();
  r.add_upgrade("preprocessing.OneHotEncoder", 1, "adds the optional state.integer_columns_",
                mlpersist::preprocessing::upgrade_one_hot_encoder_1_to_2);
  r.add_downgrade("preprocessing.OneHotEncoder", 2, "drops state.integer_columns_",
                  mlpersist::preprocessing::downgrade_one_hot_encoder_2_to_1);
  r.add_estimator<mlpersist::preprocessing::OrdinalEncoder>();
})
